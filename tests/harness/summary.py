"""One line per step and per integration target, read from a step's output as it streams by.

`make test` writes every step's whole output to a log under tests/output/make-test/ and prints only these lines:
the pass or fail, the count and the time. Expected failures (negative tests, `ignore_errors`) stay in the logs.
"""

import re
import time

TARGET = re.compile(r"^Running (\S+) integration test (?:role|script)")
COMMAND_FAILED = re.compile(r"^ERROR: Command .* returned exit status")
RECAP = re.compile(r"^\S+\s+: ok=(\d+)\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=\d+\s+"
                   r"rescued=\d+\s+ignored=(\d+)")
PYTEST = re.compile(r"^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed)(?:, )?)+) in [\d.]+s")
SANITY_TEST = re.compile(r"^Running sanity test ['\"]?([\w-]+)")
WALK = re.compile(r"^(\d+) steps, (\d+) playbook runs")


class StepSummary:
    """Feed it a step's output line by line; it returns the summary lines to print as they become known."""

    def __init__(self, step, clock=time.time):
        self.step = step
        self.clock = clock
        self.started = clock()
        self.target = None
        self.detail = ""
        self.sanity_tests = 0

    def feed(self, line):
        line = line.rstrip("\n")
        if self.step == "integration":
            return self._integration(line)
        found = PYTEST.match(line)
        if found:
            self.detail = found.group(1)
        elif SANITY_TEST.match(line):
            self.sanity_tests += 1
            self.detail = f"{self.sanity_tests} tests"
        elif WALK.match(line):
            self.detail = f"{WALK.match(line).group(1)} steps, {WALK.match(line).group(2)} playbook runs"
        return []

    def finish(self, returncode):
        lines = self._close_target() if self.step == "integration" else []
        state = "passed" if returncode == 0 else "FAILED"
        detail = f" ({self.detail})" if self.detail and self.step != "integration" else ""
        return lines + [f"{self.step}: {state} in {self.clock() - self.started:.0f} s{detail}"]

    # -- integration: one line per target ------------------------------------------------------------------------
    def _integration(self, line):
        found = TARGET.match(line)
        if found:
            lines = self._close_target()
            self.target = {"name": found.group(1), "started": self.clock(), "ok": 0, "failed": 0, "ignored": 0,
                           "error": False}
            return lines
        if self.target is None:
            return []
        recap = RECAP.match(line)
        if recap:
            self.target["ok"] += int(recap.group(1))
            self.target["failed"] += int(recap.group(2)) + int(recap.group(3))
            self.target["ignored"] += int(recap.group(4))
        elif COMMAND_FAILED.match(line):
            self.target["error"] = True
        return []

    def _close_target(self):
        target, self.target = self.target, None
        if target is None:
            return []
        seconds = self.clock() - target["started"]
        if target["error"]:
            return [f"  {target['name']}: FAILED in {seconds:.0f} s ({target['ok']} tasks ok, {target['failed']} "
                    "failed)"]
        expected = target["failed"] + target["ignored"]
        return [f"  {target['name']}: passed in {seconds:.0f} s ({target['ok']} tasks ok"
                + (f", {expected} expected failures" if expected else "") + ")"]
