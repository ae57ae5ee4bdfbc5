# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: progress
type: aggregate
short_description: Shows what the collection's modules are waiting for, while they wait
version_added: 0.1.0
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
description:
  - >-
    A module cannot print while it runs, so a long wait (instances booting, an ACK attach task, nodes becoming
    Ready, add-ons settling) shows only the task's banner. With this callback enabled, every wait of the
    collection's modules is shown as it goes, at least every O(interval) seconds, as a line naming the host,
    what is pending, the time elapsed and the task's deadline (C(wait_timeout)), for example -
    progress [edge-hangzhou] waiting for task(s) T-1 to end (0:42 elapsed, deadline 20:00): task T-1: running,
    stage InitNodes, 2 of 3 instances done.
  - >-
    It adds lines to whichever stdout callback is in use, and it works in AWX / Automation Controller, where the
    lines appear in the job output.
  - >-
    It works for modules run on the controller (C(connection: local), as the collection's playbooks do). At each
    task start it names a file in a private directory in the environment the module inherits; the module's waiter
    appends one JSON line per poll to it, and a thread of this callback prints them. Modules run elsewhere, and
    runs without this callback, behave exactly as before.
  - >-
    Lines carry the wait's description, resource IDs, states, counts and times, never module parameters, and
    nothing is shown for a task with C(no_log).
  - With C(-v), every pending item and the poll count are shown; by default at most three items.
requirements:
  - >-
    Enabled in C(ansible.cfg) (C(callbacks_enabled = ack_edge.cloud_nodes.progress) under C([defaults])) or with
    C(ANSIBLE_CALLBACKS_ENABLED=ack_edge.cloud_nodes.progress).
options:
  interval:
    description:
      - Seconds between two lines about the same wait when nothing changed. A change is shown within a second.
    type: float
    default: 10
    env:
      - name: ACK_EDGE_CLOUD_NODES_PROGRESS_INTERVAL
    ini:
      - section: ack_edge_cloud_nodes_progress
        key: interval
"""

import atexit
import json
import os
import shutil
import tempfile
import threading
import time

from ansible.plugins.callback import CallbackBase

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import PROGRESS_ENV

TICK = 1.0  # how often the files are read
QUIET = 2.0  # a wait that ends sooner is not shown at all
SHOWN = 3  # pending items on a line by default; all of them with -v
ENDINGS = {"done": "done waiting", "timeout": "stopped waiting (deadline reached)",
           "failed": "stopped waiting (it cannot succeed)"}


def clock(seconds):
    """0:42, 20:00, 1:02:03."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    text = f"{rest // 60}:{rest % 60:02d}"
    return f"{hours}:{text.zfill(5)}" if hours else text


def render(host, record, verbosity=0, elapsed=None):
    """One progress line for one poll record of the waiter (plugins/module_utils/_waiter.py)."""
    elapsed = record.get("elapsed", 0) if elapsed is None else elapsed
    timeout = record.get("timeout")
    times = f"{clock(elapsed)} elapsed, " + (f"deadline {clock(timeout)}" if timeout else "no deadline")
    if verbosity >= 1:
        times += f", poll {record.get('poll')}"
    end = record.get("end")
    if end:
        return f"progress [{host}] {ENDINGS.get(end, 'stopped waiting')} for {record.get('what')} ({times})"
    pending = [str(item) for item in record.get("pending") or []]
    shown = pending if verbosity >= 1 or len(pending) <= SHOWN else pending[:SHOWN] + [f"{len(pending) - SHOWN} more"]
    total = record.get("total") or 0
    done = f"{total - len(pending)} of {total} done; pending: " if total > 1 else ""
    return f"progress [{host}] waiting for {record.get('what')} ({times}): {done}{', '.join(shown)}"


class Watch:
    """One task on one host: its progress file, read as it grows, and what was shown of its current wait."""

    def __init__(self, host, path, quiet=False):
        self.host = host
        self.path = path
        self.quiet = quiet
        self.offset = 0
        self.partial = ""
        self.wait = None  # (pid, wait number) of the latest record
        self.record = None
        self.first_seen = self.seen_at = self.printed_at = None
        self.printed = None  # the pending items last shown for this wait

    def read(self):
        """The records appended since the last read; a line still being written waits for the next read."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
                self.offset = handle.tell()
        except OSError:
            return []
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def lines(self, now, interval, verbosity):
        """What to print now: a wait's first line once it has lasted QUIET seconds, a line at each change and at
        least every `interval` seconds, and its ending when it was shown."""
        out = []
        for record in self.read():
            wait = (record.get("pid"), record.get("wait"))
            if wait != self.wait:
                self.wait, self.first_seen, self.printed, self.printed_at = wait, now, None, None
            self.record, self.seen_at = record, now
            if record.get("end"):
                if self.printed is not None:
                    out.append(render(self.host, record, verbosity))
                self.record = None
            elif self.printed is not None and record.get("pending") != self.printed:
                out.append(self._show(record, now, verbosity))
        if self.record is None:
            return out
        if self.printed is None and now - self.first_seen >= QUIET or \
                self.printed is not None and now - self.printed_at >= interval:
            out.append(self._show(self.record, now, verbosity))
        return out

    def _show(self, record, now, verbosity):
        self.printed, self.printed_at = record.get("pending"), now
        return render(self.host, record, verbosity, elapsed=(record.get("elapsed") or 0) + now - self.seen_at)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ack_edge.cloud_nodes.progress"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._dir = None
        self._count = 0
        self._watches = {}  # (host name, task uuid) -> Watch
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def _start(self):
        self._dir = tempfile.mkdtemp(prefix="ack-edge-progress-")
        atexit.register(shutil.rmtree, self._dir, True)  # an interrupted run leaves nothing behind either
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ack_edge.cloud_nodes.progress", daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(TICK):
            self._tick()

    def _tick(self, now=None):
        """Print what the running tasks' files say; under the lock, so no line follows its task's result."""
        now = time.monotonic() if now is None else now
        interval = float(self.get_option("interval"))
        with self._lock:
            for watch in self._watches.values():
                if not watch.quiet:
                    for line in watch.lines(now, interval, self._display.verbosity):
                        self._display.display(line)

    # -- task events ----------------------------------------------------------------------------------------
    def v2_runner_on_start(self, host, task):
        """Runs in the controller just before the worker process of this host and task starts (forked from it): the
        environment set here is the one the module inherits."""
        if self._dir is None:
            self._start()
        self._count += 1
        path = os.path.join(self._dir, f"{self._count}.jsonl")
        with self._lock:
            self._watches[(host.get_name(), task._uuid)] = Watch(host.get_name(), path, quiet=bool(task.no_log))
        os.environ[PROGRESS_ENV] = path

    def _done(self, result):
        host = getattr(result, "host", None) or result._host
        task = getattr(result, "task", None) or result._task
        with self._lock:
            watch = self._watches.pop((host.get_name(), task._uuid), None)
        if watch is not None:
            try:
                os.remove(watch.path)
            except OSError:
                pass

    def v2_runner_on_ok(self, result):
        self._done(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result)

    def v2_runner_on_skipped(self, result):
        self._done(result)

    def v2_runner_on_unreachable(self, result):
        self._done(result)

    def v2_playbook_on_stats(self, stats):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * TICK)
        os.environ.pop(PROGRESS_ENV, None)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        self._dir, self._thread = None, None  # another playbook of the same run starts afresh
