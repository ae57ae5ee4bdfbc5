"""Seeded, replayable faults.

Each rule matches calls by service and action. Whether the n-th matching call is hit depends only on the seed,
the rule's position and n, so the same call sequence replays the same faults whatever the thread timing.

Rule fields: `kind`, `action` (or "*"), `service` (optional), `rate` (0..1, default 1), `times` (how many hits
at most), `after` (matching calls to let through first), plus what the kind needs:

- throttle: `retry_after_ms` (default 200), `status` (default 400), `code` (Throttling, Throttling.User - the
  default - or Throttling.Api; messages from ack-facts §4.2) - always with x-acs-retry-after
- unavailable: 503 ServiceUnavailable
- drop_before: the connection closes before the work is done
- drop_after: the work is done, then the connection closes: the response is lost
- latency: `seconds` added before the work
- no_stock: `zone`, optional `instance_type` - RunInstances there is sold out
- slow_boot: `seconds` - instances bought by RunInstances take that much longer to reach Running
- attach_fail: `count` or `instance_ids`, optional `cluster_id` - those instances fail in the attach task
- cluster_busy: `cluster_id`, `seconds`, `state` (scaling - the default -, updating or removing) - the cluster is in
  that state from the moment the fault is loaded
- taint_missing: optional `cluster_id` - attached nodes join without the cloud taint
- not_ready: `seconds`, optional `cluster_id` - attached nodes stay NotReady that much longer
- token_processing: RunInstances with a client token is answered `IdempotentProcessing` (an earlier request with
  that token is still being worked on; ack-facts §4.1, code from the bosh CPI, status UNCONFIRMED); use `times`
- conflict: `OperationConflict`, "Request was denied due to conflict with a previous request." (ack-facts §4.1;
  HTTP status UNCONFIRMED)
- slow_task: `seconds`, optional `cluster_id`, `task_type` (cluster_scaleout, cluster_scalein, addon_install...) - ACK tasks
  stay `running` that much longer, past a client's timeout (reference/ack-facts.md: real attach tasks take minutes)
"""

import hashlib
import random
import threading

from .errors import ApiError

PER_CALL = {"throttle", "unavailable", "drop_before", "drop_after", "latency", "conflict"}
KINDS = PER_CALL | {"token_processing", "no_stock", "slow_boot", "attach_fail", "cluster_busy", "taint_missing", "not_ready",
                    "slow_task"}


class Faults:
    def __init__(self, seed=0):
        self._lock = threading.Lock()
        self.seed = seed
        self.rules = []
        self._seen = []
        self._hits = []

    def load(self, rules, seed=None):
        for rule in rules:
            if rule.get("kind") not in KINDS:
                raise ApiError(400, "InvalidParameter", f"Unknown fault kind {rule.get('kind')!r}; "
                                                        f"known: {', '.join(sorted(KINDS))}.")
        with self._lock:
            if seed is not None:
                self.seed = seed
            self.rules = [dict(r) for r in rules]
            self._seen = [0] * len(self.rules)
            self._hits = [0] * len(self.rules)

    def describe(self):
        with self._lock:
            return {"seed": self.seed, "rules": [dict(r, seen=s, hits=h) for r, s, h in
                                                 zip(self.rules, self._seen, self._hits)]}

    def _fires(self, index, rule):
        """Count this matching call and decide, reproducibly, whether the rule hits it."""
        n = self._seen[index]
        self._seen[index] += 1
        if n < rule.get("after", 0):
            return False
        if rule.get("times") is not None and self._hits[index] >= rule["times"]:
            return False
        digest = hashlib.sha256(f"{self.seed}:{index}:{n}".encode()).digest()
        if random.Random(digest).random() >= rule.get("rate", 1.0):
            return False
        self._hits[index] += 1
        return True

    def _matching(self, kinds, service=None, action=None, **match):
        for index, rule in enumerate(self.rules):
            if rule["kind"] not in kinds:
                continue
            if service and rule.get("service") not in (None, service):
                continue
            if action and rule.get("action", "*") not in ("*", action):
                continue
            if any(rule.get(k) not in (None, v) for k, v in match.items()):
                continue
            yield index, rule

    def for_call(self, service, action):
        """The per-call faults that hit this call, in rule order."""
        with self._lock:
            return [dict(rule) for index, rule in self._matching(PER_CALL, service, action)
                    if self._fires(index, rule)]

    def no_stock(self, zone, instance_type):
        with self._lock:
            return any(self._fires(i, r) for i, r in self._matching({"no_stock"}, zone=zone,
                                                                     instance_type=instance_type))

    def token_processing(self):
        with self._lock:
            return any(self._fires(i, r) for i, r in self._matching({"token_processing"}))

    def slow_boot(self):
        """Extra seconds before new instances run."""
        with self._lock:
            return max([float(r.get("seconds", 30)) for i, r in self._matching({"slow_boot"}) if self._fires(i, r)]
                       or [0.0])

    def attach_failures(self, cluster_id, instance_ids):
        with self._lock:
            failing = []
            for index, rule in self._matching({"attach_fail"}, cluster_id=cluster_id):
                if self._fires(index, rule):
                    chosen = rule.get("instance_ids") or instance_ids[:rule.get("count", len(instance_ids))]
                    failing.extend(i for i in chosen if i in instance_ids and i not in failing)
            return failing

    def joins_without_taint(self, cluster_id):
        with self._lock:
            return any(self._fires(i, r) for i, r in self._matching({"taint_missing"}, cluster_id=cluster_id))

    def stays_not_ready(self, cluster_id):
        with self._lock:
            return max([r.get("seconds", 30) for i, r in self._matching({"not_ready"}, cluster_id=cluster_id)
                        if self._fires(i, r)] or [0])

    def slow_task(self, cluster_id, task_type):
        """Extra seconds a new task stays running."""
        with self._lock:
            return max([float(r.get("seconds", 30)) for i, r in self._matching({"slow_task"}, cluster_id=cluster_id,
                                                                                 task_type=task_type)
                        if self._fires(i, r)] or [0.0])

    def busy_clusters(self):
        return [(r["cluster_id"], r.get("seconds", 5), r.get("state", "scaling")) for r in self.rules
                if r["kind"] == "cluster_busy"]
