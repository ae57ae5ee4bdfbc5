# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one deadline of a task, the one waiter, and the named waits.

A task has one deadline, started when the task starts: every wait and every retry inside the task draws on it, so
`wait_timeout` bounds the whole task and not each wait. The waiter polls with backoff, fails fast on terminal
states, and names what is still pending when the deadline passes. In check mode it never waits.

The named waits follow kubernetes.core's k8s/waiter.py: one table per resource maps a state name to a predicate
on one item (None when the item is gone). A wait watches a set of items, keyed by ID, until every one is there.

Each poll is also appended, as one JSON line, to the file that the collection's progress callback names in the
environment (docs/progress.md): the module cannot print while it runs, the callback can. Without it nothing is
written. A line holds the wait's description, item keys (IDs) and their states, counts and times: never parameters.
"""

from __future__ import annotations

import json
import os
import time

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

# ACK task states (reference/ack-facts.md §2): `fail` and `failed` both end in failure, `canceled` ends without
# success; anything else (running, paused, unknown) has not ended.
TASK_SUCCEEDED = {"success"}
TASK_FAILED = {"fail", "failed", "canceled"}


def _kube_ready(node):
    return node is not None and any(c.get("type") == "Ready" and c.get("status") == "True"
                                    for c in (node.get("status") or {}).get("conditions") or [])


# state name -> predicate on one item (a dict, or None when it does not exist)
INSTANCE = {
    "Running": lambda i: i is not None and i["status"] == "Running",
    "Stopped": lambda i: i is not None and i["status"] == "Stopped",
    "settled": lambda i: i is not None and i["status"] in ("Running", "Stopped"),
    "absent": lambda i: i is None,
}
TASK = {"ended": lambda t: t is not None and t["state"] in TASK_SUCCEEDED | TASK_FAILED}
NODE = {  # a CS cluster node
    "settled": lambda n: n is None or n["state"] != "initial",  # after its task ended, a node that is absent stays so
    "absent": lambda n: n is None,
}
KUBE_NODE = {"Ready": _kube_ready}
ADDON = {"settled": lambda a: a is None or a.get("state") == "active"}
CLUSTER = {"accepting": lambda c: c is not None and c["state"] == "running"}


def describe_state(item, field):
    return "absent" if item is None else str(item.get(field))


class Deadline:
    """The task's clock: `seconds=None` means no limit (info modules)."""

    def __init__(self, seconds=None, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.started = clock()

    def elapsed(self):
        return self._clock() - self.started

    def remaining(self):
        return None if self.seconds is None else self.seconds - self.elapsed()

    def expired(self):
        remaining = self.remaining()
        return remaining is not None and remaining <= 0


class WaitTimeout(AlicloudError):
    """The deadline passed; `last` holds the items as last seen, for callers that report instead of failing."""

    def __init__(self, msg, last, pending):
        super().__init__(msg, code="WaitTimeout", pending=pending)
        self.last = last


# The progress callback (plugins/callback/progress.py) sets this to a file for each task it sees start.
PROGRESS_ENV = "ACK_EDGE_CLOUD_NODES_PROGRESS_FILE"


class ProgressLog:
    """Appends one JSON line per poll to the callback's file; without one, or once writing fails, does nothing."""

    def __init__(self, path=None):
        self.path = os.environ.get(PROGRESS_ENV) if path is None else path
        self.waits = 0

    def begin(self):
        self.waits += 1
        return self.waits

    def write(self, record):
        if not self.path:
            return
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, sort_keys=True) + "\n")
        except (OSError, TypeError, ValueError):
            self.path = None  # progress is a courtesy: it never fails the task


class Waiter:
    def __init__(self, deadline, check_mode=False, first_delay=0.5, factor=1.5, max_delay=5.0, sleep=time.sleep,
                 progress=None):
        self.deadline = deadline
        self.check_mode = check_mode
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self._sleep = sleep
        self.polls = 0
        self.progress = ProgressLog() if progress is None else progress

    def pause(self, seconds):
        """Sleep, but never past the deadline."""
        remaining = self.deadline.remaining()
        if remaining is not None:
            seconds = min(seconds, max(0.0, remaining))
        if seconds > 0:
            self._sleep(seconds)

    def until(self, what, fetch, ready, state, failed=None, describe=None):
        """Poll `fetch()` (a dict of key -> item or None) until `ready(item)` holds for every key; return the dict.

        `state(item)` renders an item's state for messages; `failed(key, item)` returns why an item can never be
        ready, which ends the wait at once; `describe(key, item)` says how far a pending item has got, for the
        progress lines (default: its key and state). In check mode nothing is fetched and None is returned.
        """
        if self.check_mode:
            return None
        delay = self.first_delay
        wait = self.progress.begin()
        polls = 0
        while True:
            found = fetch()
            self.polls += 1
            polls += 1
            pending = {key: state(item) for key, item in found.items() if not ready(item)}
            reasons = [f"{key}: {why}" for key, why in ((k, failed(k, found[k]) if failed else None) for k in pending)
                       if why]
            expired = bool(pending) and not reasons and self.deadline.expired()
            if self.progress.path:
                self.progress.write(self._record(wait, what, polls, found, pending, describe, "done" if not pending
                                                 else "failed" if reasons else "timeout" if expired else None))
            if not pending:
                return found
            if reasons:
                raise AlicloudError(f"Waiting for {what} cannot succeed: {'; '.join(reasons)}.", code="WaitFailed",
                                    last_state=pending)
            if expired:
                shown = ", ".join(f"{key} ({value})" for key, value in sorted(pending.items()))
                raise WaitTimeout(f"Timed out after {self.deadline.seconds}s (wait_timeout) waiting for {what}; still "
                                  f"pending: {shown}. Nothing was undone; rerun the task to continue, or raise "
                                  "wait_timeout.", found, pending)
            self.pause(delay)
            delay = min(self.max_delay, delay * self.factor)

    def _record(self, wait, what, polls, found, pending, describe, end):
        """One progress line: the wait, how far it has got and the clock; `end` is None while it goes on."""
        shown = [describe(key, found[key]) if describe else f"{key} {value}" for key, value in sorted(pending.items())]
        return {"pid": os.getpid(), "wait": wait, "what": what, "poll": polls, "total": len(found), "pending": shown, "end": end,
                "elapsed": round(self.deadline.elapsed(), 1), "timeout": self.deadline.seconds}
