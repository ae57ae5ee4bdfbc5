# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the base module every Alibaba Cloud module is built on.

It merges the auth options (doc fragment twin: ack_edge.cloud_nodes.auth), fails with missing_required_lib when
an SDK is absent, validates auth input before any call, hands out the API caller and the waiter, and renders the
collection's one failure payload.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import Api
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._clients import auth_problem, missing_sdk
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Waiter

AUTH_ARGUMENT_SPEC = {
    "alicloud_access_key": {"type": "str", "no_log": False, "aliases": ["access_key", "access_key_id"],
                            "fallback": (env_fallback, ["ALICLOUD_ACCESS_KEY", "ALIBABA_CLOUD_ACCESS_KEY_ID"])},
    "alicloud_secret_key": {"type": "str", "no_log": True, "aliases": ["secret_key", "access_key_secret"],
                            "fallback": (env_fallback, ["ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"])},
    "alicloud_security_token": {"type": "str", "no_log": True,
                                "fallback": (env_fallback, ["ALICLOUD_SECURITY_TOKEN",
                                                            "ALIBABA_CLOUD_SECURITY_TOKEN"])},
    "alicloud_region": {"type": "str", "aliases": ["region"],
                        "fallback": (env_fallback, ["ALICLOUD_REGION", "ALIBABA_CLOUD_REGION_ID"])},
    "ecs_endpoint": {"type": "str", "fallback": (env_fallback, ["ALICLOUD_ECS_ENDPOINT"])},
    "cs_endpoint": {"type": "str", "fallback": (env_fallback, ["ALICLOUD_CS_ENDPOINT"])},
    "ca_bundle": {"type": "path", "fallback": (env_fallback, ["ALICLOUD_CA_BUNDLE"])},
}

WAIT_ARGUMENT_SPEC = {
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 600},
}

TAGS_ARGUMENT_SPEC = {
    "tags": {"type": "dict"},
    "purge_tags": {"type": "bool", "default": False},
}


class AlicloudModule:
    """AnsibleModule plus the collection's plumbing. `services` names the SDKs this module needs; `cloud=False`
    defers the auth checks to the first Alibaba Cloud call, for modules that may not make one."""

    def __init__(self, argument_spec, services=("ecs",), cloud=True, **kwargs):
        spec = dict(AUTH_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self._module = AnsibleModule(argument_spec=spec, **kwargs)
        self.services = services
        self.require_services(services)
        self._api = None
        if cloud:
            self.api  # pylint: disable=pointless-statement  # fail on bad auth input before anything else
        self.waiter = Waiter(check_mode=self.check_mode)

    @property
    def api(self):
        """The Alibaba Cloud caller; auth input is checked on first use, before any call."""
        if self._api is None:
            if not self.params.get("alicloud_region"):
                self.fail_json(msg="alicloud_region is required: set it, or ALICLOUD_REGION / "
                                   "ALIBABA_CLOUD_REGION_ID.", error_code="MissingParameter")
            problem = auth_problem(self.params)
            if problem:
                self.fail_json(msg=f"{problem[0]}: {problem[1]}.", error_code="InvalidParameter")
            self._api = Api(self.params)
        return self._api

    @property
    def params(self):
        return self._module.params

    @property
    def check_mode(self):
        return self._module.check_mode

    @property
    def no_log_values(self):
        """Values Ansible masks wherever they would appear; add secrets that arrive from the API here."""
        return self._module.no_log_values

    @property
    def diff_mode(self):
        return self._module._diff  # pylint: disable=protected-access

    def warn(self, warning):
        self._module.warn(warning)

    def retries(self):
        """How many Alibaba Cloud calls were retried so far."""
        return self._api.retries if self._api is not None else 0

    def require_services(self, services):
        """Fail with missing_required_lib when an SDK needed only for some options is absent."""
        pypi, exc = missing_sdk(services)
        if pypi:
            self._module.fail_json(msg=missing_required_lib(pypi), exception="".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__)))

    def _extras(self, result):
        result.setdefault("retries", self.retries())
        return result

    def exit_json(self, **result):
        self._module.exit_json(**self._extras(result))

    def fail_json(self, **result):
        result.setdefault("retries", self.retries() if hasattr(self, "_api") else 0)
        self._module.fail_json(**result)

    def fail_json_alicloud(self, err, **result):
        """Fail with the collection's payload: msg, error_code, request_id, http_status, plus partial results."""
        if not isinstance(err, AlicloudError):
            err = AlicloudError(str(err))
        result.update(err.payload())
        self.fail_json(**result)

    def fail_on_bad_input(self, problems):
        """Fail before any call when local validation found problems: [(option, rule), ...]."""
        if problems:
            self.fail_json(msg="Invalid input: " + "; ".join(f"{option}: {rule}" for option, rule in problems) + ".",
                           error_code="InvalidParameter", invalid_options=[problem[0] for problem in problems])
