# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the base module every Alibaba Cloud module is built on.

It merges the auth options (doc fragment twin: ack_edge.cloud_nodes.auth), fails with missing_required_lib when
an SDK is absent, builds the run context (the API caller, the task's one deadline, check and diff mode), and is
the only place that exits: `run()` turns what module_utils returns or raises into exit_json or fail_json.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import Api
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._clients import auth_problem, missing_sdk
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._context import RunContext
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, check_input
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy

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


def build_api(params, deadline):
    """The API caller for these auth options; bad auth input raises InvalidInput before any call."""
    if not params.get("alicloud_region"):
        check_input([("alicloud_region", "is required: set it, or ALICLOUD_REGION / ALIBABA_CLOUD_REGION_ID")])
    problem = auth_problem(params)
    check_input([problem] if problem else [])
    return Api(params, retry=RetryPolicy(deadline=deadline))


class AlicloudModule:
    """AnsibleModule plus the collection's plumbing. `services` names the SDKs this module needs; `cloud=False`
    defers the auth checks to the first Alibaba Cloud call, for modules that may not make one."""

    def __init__(self, argument_spec, services=("ecs",), cloud=True, **kwargs):
        spec = dict(AUTH_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self._module = AnsibleModule(argument_spec=spec, **kwargs)
        self.services = services
        self.require_services(services)
        p = self._module.params
        self.ctx = RunContext(api_factory=lambda deadline: build_api(p, deadline),
                              timeout=p.get("wait_timeout") if "wait_timeout" in argument_spec else None,
                              check_mode=self._module.check_mode, diff_mode=self._module._diff,  # pylint: disable=protected-access
                              no_log_values=self._module.no_log_values)
        if cloud:
            try:
                self.ctx.api  # pylint: disable=pointless-statement  # fail on bad auth input before anything else
            except AlicloudError as err:
                self.fail(err)

    @property
    def params(self):
        return self._module.params

    def require_services(self, services):
        """Fail with missing_required_lib when an SDK needed only for some options is absent."""
        pypi, exc = missing_sdk(services)
        if pypi:
            self._module.fail_json(msg=missing_required_lib(pypi), exception="".join(
                traceback.format_exception(type(exc), exc, exc.__traceback__)))

    def _finish(self, result):
        for warning in self.ctx.warnings:
            self._module.warn(warning)
        result.setdefault("retries", self.ctx.retries)
        return result

    def exit_json(self, **result):
        self._module.exit_json(**self._finish(result))

    def fail(self, err, **result):
        """Fail with the collection's payload: msg, error_code, request_id, http_status, plus partial results."""
        if not isinstance(err, AlicloudError):
            err = AlicloudError(str(err))
        result.update(err.payload())
        if getattr(err, "debug", None) and self._module._verbosity >= 3:  # pylint: disable=protected-access
            result["debug"] = err.debug  # what the SDK tried, for -vvv only
        self._module.fail_json(**self._finish(result))

    def run(self, work, problems=()):
        """Fail on the local input `problems` ([(option, rule)]) before any call; otherwise exit with what `work()`
        returns, or fail with what it raises: the one exit of every module."""
        try:
            check_input(problems)
            result = work()
        except AlicloudError as err:
            self.fail(err)
        self.exit_json(**result)
