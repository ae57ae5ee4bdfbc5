# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one waiter. Polls with backoff to a deadline, fails fast on terminal states,
and reports the last state it saw. In check mode it never waits."""

from __future__ import annotations

import time

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError


class Waiter:
    def __init__(self, check_mode=False, first_delay=0.5, factor=1.5, max_delay=5.0, sleep=time.sleep,
                 clock=time.monotonic):
        self.check_mode = check_mode
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self._sleep = sleep
        self._clock = clock
        self.polls = 0

    def wait(self, fetch, done, timeout, what, failed=None, describe=repr):
        """Call `fetch()` until `done(value)`; return that value.

        `failed(value)` returns a reason when the value can never become done. `describe(value)` renders the state
        for the timeout message. In check mode nothing is fetched and None is returned.
        """
        if self.check_mode:
            return None
        deadline = self._clock() + timeout
        delay = self.first_delay
        while True:
            value = fetch()
            self.polls += 1
            if done(value):
                return value
            reason = failed(value) if failed else None
            if reason:
                raise AlicloudError(f"{what} cannot succeed: {reason}.", code="WaitFailed", last_state=describe(value))
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise AlicloudError(f"Timed out after {timeout}s waiting for {what}. Last state: {describe(value)}. "
                                    "Nothing was undone; rerun the task to continue, or raise wait_timeout.",
                                    code="WaitTimeout", last_state=describe(value))
            self._sleep(min(delay, remaining))
            delay = min(self.max_delay, delay * self.factor)
