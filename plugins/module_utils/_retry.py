# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one retry policy for every API call."""

from __future__ import annotations

import random
import time

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import (from_sdk, is_denied_for_now,
                                                                                   is_throttling, is_transient)


DENIED_FLOOR = 5.0  # seconds between tries of a request denied for now


class RetryPolicy:
    """Jittered exponential backoff; honours x-acs-retry-after; counts what it retried.

    A throttled request was never carried out, so it is retried for any call; so is one denied for now (an earlier
    request with its client token still in progress, a conflicting operation). Other transient failures (5xx, a lost
    connection) are retried only for calls that are safe to repeat: reads, and creates that carry a client token.
    """

    def __init__(self, max_attempts=8, base_delay=0.5, max_delay=20.0, sleep=time.sleep, rng=random.random,
                 deadline=None):
        self.deadline = deadline  # the task's Deadline: no retry waits past it
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.retries = 0
        self._sleep = sleep
        self._rng = rng

    def delay(self, attempt, err):
        if is_denied_for_now(err):  # an earlier request still in progress: ECS clients wait about 5 s a round
            return max(DENIED_FLOOR, min(self.max_delay, self.base_delay * (2 ** attempt)))
        if err.retry_after:
            return min(self.max_delay, err.retry_after * (1.0 + 0.25 * self._rng()))
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return ceiling * (0.5 + 0.5 * self._rng())

    def run(self, call, attempted, repeatable=True):
        attempt = 0
        while True:
            try:
                return call()
            except Exception as exc:  # pylint: disable=broad-except
                err = from_sdk(exc, attempted)
                retry = is_throttling(err) or is_denied_for_now(err) or (repeatable and is_transient(err))
                delay = self.delay(attempt, err)
                past_deadline = self.deadline is not None and self.deadline.remaining() is not None \
                    and delay >= self.deadline.remaining()
                refused_twice = err.code == "ConnectionRefused" and attempt >= 1  # one retry, in case of a restart
                # Denied for now is waited out on the task's deadline, not cut at max_attempts: the bosh CPI waits
                # about 75 s for IdempotentProcessing and 300 s for OperationConflict (ack-facts §4.1).
                out_of_attempts = attempt + 1 >= self.max_attempts and not (
                    is_denied_for_now(err) and self.deadline is not None and self.deadline.remaining() is not None)
                if not retry or out_of_attempts or past_deadline or refused_twice:
                    if retry and past_deadline:
                        err.msg += f" (gave up after {attempt + 1} attempt(s): wait_timeout reached)"
                    elif attempt:
                        err.msg += f" (gave up after {attempt + 1} attempts)"
                    raise err from None
                self._sleep(delay)
                attempt += 1
                self.retries += 1
