# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what one task run shares, built once by AlicloudModule.

The run context holds the API caller, the task's one deadline, check and diff mode, the warnings and the values to
mask. The logic in module_utils takes it and returns a result or raises; it never exits the module. Tests build
one around an in-memory Api.
"""

from __future__ import annotations

import time

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Deadline, Waiter


class RunContext:
    def __init__(self, api_factory=None, timeout=None, check_mode=False, diff_mode=False, no_log_values=None,
                 api=None, sleep=time.sleep, clock=time.monotonic):
        self.check_mode = check_mode
        self.diff_mode = diff_mode
        self.deadline = Deadline(timeout, clock)
        self.waiter = Waiter(self.deadline, check_mode=check_mode, sleep=sleep)
        self.warnings = []
        self.no_log_values = set() if no_log_values is None else no_log_values
        self._api = api
        self._api_factory = api_factory

    @property
    def api(self):
        """The Alibaba Cloud caller, built on first use (auth input is checked then, before any call)."""
        if self._api is None:
            self._api = self._api_factory(self.deadline)
        return self._api

    @property
    def retries(self):
        return self._api.retries if self._api is not None else 0

    def warn(self, warning):
        self.warnings.append(warning)

    def mask(self, *secrets):
        """Values that arrive from an API (a kubeconfig's token) and must never appear in output."""
        self.no_log_values.update(s for s in secrets if s)

    def until(self, what, fetch, ready, state, failed=None, describe=None):
        """Wait on the task's deadline; see Waiter.until."""
        return self.waiter.until(what, fetch, ready, state, failed, describe)
