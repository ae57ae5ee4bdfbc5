"""The sandbox's world: every resource in memory, written through to SQLite at the end of each request.

Time-driven changes (an instance booting, a task finishing, a cluster leaving `scaling`) are stored as due
times on the objects and applied by `tick()`, so they survive a restart and need no timers.
"""

import contextlib
import datetime
import random
import string
import threading
import time
import uuid

TASK_FINISHERS = {}  # task_type -> callable(world, task); filled by the service modules

# Behaviours the references leave open, each a setting so that the modules are tested against every answer
# (POST /_sandbox/settings; a reset restores these defaults).
SETTINGS = {
    # The failed state of an ACK task: `fail` in the SDK model and the current docs, `failed` in older English docs
    # (reference/ack-facts.md §2); clients must accept both.
    "task_failed_state": ("fail", "failed"),
    # What a RunInstances client token returns once every instance it bought is released: the old answer again
    # (`replay`), or nothing - the token is forgotten and the request buys anew (`forget`). UNCONFIRMED either way
    # (ack-facts §4.1: the token's lifetime is not documented).
    "token_after_release": ("replay", "forget"),
    # Instances per AttachInstances / AttachInstancesToNodePool call: undocumented for CS; ESS, under the node pools,
    # takes at most 20 (ack-facts §1.2, UNCONFIRMED through CS). 100 is Terraform's schema limit.
    "attach_max_instances": (20, 100),
}


def default_settings():
    return {"id": "sandbox", **{name: choices[0] for name, choices in SETTINGS.items()}, "throttle_per_minute": {}}


def finishes(task_type):
    def register(func):
        TASK_FINISHERS[task_type] = func
        return func
    return register


class World:
    def __init__(self, store, profile, clock=time.time):
        self.store = store
        self.profile = profile
        self.clock = clock
        self.lock = threading.RLock()
        self.tables = store.load_objects()
        self._puts = {}
        self._deletes = set()
        self._depth = 0
        self.listeners = []  # callables(world, kind, obj, deleted) told about every change, e.g. the k8s API
        self.after_tick = []  # callables(world, now) run after each tick, e.g. the clusters' controllers

    # -- transactions -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        with self.lock:
            self._depth += 1
            try:
                if self._depth == 1:
                    self.tick()
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.flush()

    def flush(self):
        puts, deletes = self._puts, self._deletes
        self._puts, self._deletes = {}, set()
        self.store.write(puts, deletes)

    # -- objects ------------------------------------------------------------------------------------------
    def get(self, kind, oid):
        return self.tables.get(kind, {}).get(oid)

    def all(self, kind):
        return list(self.tables.get(kind, {}).values())

    def put(self, kind, oid, obj):
        self.tables.setdefault(kind, {})[oid] = obj
        self._deletes.discard((kind, oid))
        self._puts[(kind, oid)] = obj
        for listener in self.listeners:
            listener(self, kind, obj, False)
        return obj

    def delete(self, kind, oid):
        obj = self.tables.get(kind, {}).pop(oid, None)
        self._puts.pop((kind, oid), None)
        self._deletes.add((kind, oid))
        if obj is not None:
            for listener in self.listeners:
                listener(self, kind, obj, True)
        return obj

    def replace_all(self, tables):
        """Swap the whole world (fixture reset) in one go."""
        with self.lock:
            self.store.wipe_objects()
            self.tables = {}
            self._puts, self._deletes = {}, set()
            for kind, objects in tables.items():
                for oid, obj in objects.items():
                    self.put(kind, oid, obj)
            self.flush()

    # -- time ---------------------------------------------------------------------------------------------
    def now(self):
        return self.clock()

    def setting(self, name):
        # a state saved before a setting existed answers with its default
        return (self.get("setting", "sandbox") or {}).get(name, default_settings()[name])

    def later(self, profile_key):
        return self.now() + self.profile.seconds(profile_key)

    def tick(self):
        """Apply every change whose due time has passed, oldest first."""
        now = self.now()
        for kind in ("instance", "cluster", "node"):
            for obj in self.all(kind):
                steps = obj.get("transitions")
                if not steps or steps[0][0] > now:
                    continue
                while steps and steps[0][0] <= now:
                    _, field_values = steps.pop(0)
                    obj.update(field_values)
                self.put(kind, obj["id"], obj)
        for task in sorted(self.all("task"), key=lambda t: t["due"]):
            if task["state"] == "running" and task["due"] <= now:
                TASK_FINISHERS[task["task_type"]](self, task)
                task["state"] = self.setting("task_failed_state") if task.get("error") else "success"
                task["updated"] = now
                self.put("task", task["id"], task)
        for hook in self.after_tick:
            hook(self, now)


def schedule(obj, *steps):
    """Replace an object's pending transitions with `(due_time, {field: value})` steps."""
    obj["transitions"] = [[due, values] for due, values in steps]
    return obj


def new_id(prefix, length, alphabet=string.ascii_lowercase + string.digits):
    return prefix + "".join(random.SystemRandom().choice(alphabet) for _ in range(length))


def request_id():
    return str(uuid.uuid4()).upper()


def ecs_time(ts):
    """ECS instance times have minute precision: 2017-12-10T04:04Z."""
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def iso_time(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cs_time(ts):
    """CS returns ISO-8601 with the +08:00 offset of the console's timezone."""
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
