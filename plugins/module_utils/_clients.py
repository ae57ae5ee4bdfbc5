# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: builds SDK clients from the auth options, for modules and inventory plugins alike.

SDKs are imported at the point of need: each costs a few hundred milliseconds per task, so a module that only
talks to ECS never loads the CS SDK.
"""

from __future__ import annotations

import configparser
import importlib
import os

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import HINTS, AlicloudError

COLLECTION_VERSION = "0.1.0"
USER_AGENT = f"ack_edge.cloud_nodes/{COLLECTION_VERSION}"

# service -> (client package, PyPI name)
SDKS = {
    "ecs": ("alibabacloud_ecs20140526", "alibabacloud-ecs20140526"),
    "cs": ("alibabacloud_cs20151215", "alibabacloud-cs20151215"),
    "kubernetes": ("kubernetes", "kubernetes"),
}
CORE_SDKS = (("alibabacloud_tea_openapi", "alibabacloud-tea-openapi"),
             ("alibabacloud_credentials", "alibabacloud-credentials"))


def missing_sdk(services):
    """The PyPI name of the first SDK these services need that cannot be imported, with the ImportError."""
    for module, pypi in CORE_SDKS + tuple(SDKS[s] for s in services):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            return pypi, exc
    return None, None


def split_endpoint(endpoint):
    """`https://host:port` -> ("host:port", "https"); a bare `host:port` keeps the SDK's default protocol."""
    if not endpoint:
        return None, None
    for scheme in ("https://", "http://"):
        if endpoint.startswith(scheme):
            return endpoint[len(scheme):].rstrip("/"), scheme[:-3]
    return endpoint.rstrip("/"), None


CONNECT_TIMEOUT = 10.0  # seconds, per call
READ_TIMEOUT = 60.0  # at most, per call; at least MIN_READ_TIMEOUT, so that a short wait_timeout cannot starve a call
MIN_READ_TIMEOUT = 10.0


def endpoint_in_use(params, service):
    """(option, endpoint) a service is called at: the option's value, or the SDK's regional default."""
    option = f"{service}_endpoint"
    return option, params.get(option) or f"{service}.{params.get('alicloud_region')}.aliyuncs.com"


def sdk_config(params, service, deadline=None):
    """A tea-openapi Config for one service. Static keys if given, otherwise the alibabacloud-credentials chain.

    The read timeout follows what is left of the task's deadline (between 10 and 60 s), so that one hung call
    cannot outlast wait_timeout by more than 10 s.
    """
    from alibabacloud_tea_openapi.utils_models import Config  # pylint: disable=import-error

    remaining = deadline.remaining() if deadline is not None else None
    cap = READ_TIMEOUT if remaining is None else max(MIN_READ_TIMEOUT, min(READ_TIMEOUT, remaining))
    endpoint, protocol = split_endpoint(params.get(f"{service}_endpoint"))
    config = Config(region_id=params["alicloud_region"], endpoint=endpoint, user_agent=USER_AGENT,
                    connect_timeout=int(1000 * CONNECT_TIMEOUT), read_timeout=int(1000 * cap))
    if protocol:
        config.protocol = protocol
    if service == "cs":
        config.global_parameters = cs_region_header(params["alicloud_region"])
    if params.get("ca_bundle"):
        config.ca = params["ca_bundle"]
    keys = static_keys(params) or sts_profile()
    if keys:
        config.access_key_id, config.access_key_secret, config.security_token = keys
    else:
        from alibabacloud_credentials.client import Client as CredentialClient  # pylint: disable=import-error
        config.credential = CredentialClient()
    return config


def cs_region_header(region):
    """CS learns the region from the endpoint alone (cs.<region>.aliyuncs.com); say it in a header too, as CS clients
    that call one endpoint for all regions do (denverdino/aliyungo cs/client.go), so that an endpoint serving several
    regions (the sandbox) answers for the region in use."""
    from alibabacloud_tea_openapi.utils_models import GlobalParameters  # pylint: disable=import-error

    return GlobalParameters(headers={"x-acs-region-id": region})


def static_keys(params):
    """(access key, secret, STS token) from the auth options, or None to use a credentials chain."""
    if params.get("alicloud_access_key") or params.get("alicloud_secret_key"):
        return params.get("alicloud_access_key"), params.get("alicloud_secret_key"), params.get("alicloud_security_token")
    return None


def sts_profile():
    """(access key, secret, STS token) from a `type = sts` profile of the alibabacloud-credentials file, or None.

    The credentials library reads access_key, ram_role_arn, ecs_ram_role and OIDC profiles from
    ALIBABA_CLOUD_CREDENTIALS_FILE but refuses `sts` ones; AWX's ACK Edge credential type writes one for temporary
    credentials, so that the token reaches the modules through a 0600 file and never through the environment.
    """
    path = os.environ.get("ALIBABA_CLOUD_CREDENTIALS_FILE")
    if not path or not os.path.isfile(path):
        return None
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    profile = os.environ.get("ALIBABA_CLOUD_PROFILE") or "default"
    if not parser.has_section(profile) or parser.get(profile, "type", fallback="") != "sts":
        return None
    section = parser[profile]
    return section.get("access_key_id"), section.get("access_key_secret"), section.get("security_token")


STS_KEY_PREFIX = "STS."  # every access key ID that STS issues begins with it


def no_credentials(exc, attempted):
    """The credential chain found nothing: one sentence for the user, the SDK's per-provider account (with the
    paths of the files it tried) kept on the error's `debug` for -vvv. None for any other exception."""
    from alibabacloud_credentials.exceptions import CredentialException  # pylint: disable=import-error

    exc = getattr(exc, "inner_exception", None) or exc  # the SDK wraps it in an UnretryableException
    if not isinstance(exc, CredentialException):
        return None
    hint = HINTS["CredentialException"]
    err = AlicloudError(f"{attempted} failed: {hint[:1].lower()}{hint[1:]}", code="CredentialException")
    err.debug = {"credential_chain": str(exc)}
    return err


def auth_problem(params):
    """Bad auth input, caught before any call: (option, rule) or None."""
    if (params.get("alicloud_access_key") or "").startswith(STS_KEY_PREFIX) and params.get("alicloud_secret_key") \
            and not params.get("alicloud_security_token"):
        return "alicloud_security_token", (
            f"alicloud_access_key is a temporary key (it begins with {STS_KEY_PREFIX!r}), which works only with the "
            "token issued with it: set alicloud_security_token (or ALICLOUD_SECURITY_TOKEN / "
            "ALIBABA_CLOUD_SECURITY_TOKEN)")
    if bool(params.get("alicloud_access_key")) != bool(params.get("alicloud_secret_key")):
        given, other = (("alicloud_access_key", "alicloud_secret_key") if params.get("alicloud_access_key")
                        else ("alicloud_secret_key", "alicloud_access_key"))
        return other, f"{given} is set but {other} is not; set both, or neither to use the credential chain"
    if params.get("alicloud_security_token") and not params.get("alicloud_access_key"):
        return "alicloud_security_token", "an STS token needs alicloud_access_key and alicloud_secret_key too"
    bundle = params.get("ca_bundle")
    if bundle and not os.path.isfile(bundle):
        return "ca_bundle", f"{bundle} is not a readable file"
    return None


class ClientFactory:
    """One SDK client per service per task, created on first use."""

    def __init__(self, params, deadline=None):
        self.params = params
        self.deadline = deadline
        self._clients = {}

    def models(self, service):
        return importlib.import_module(SDKS[service][0] + ".models")

    def client(self, service):
        if service not in self._clients:
            module = importlib.import_module(SDKS[service][0] + ".client")
            self._clients[service] = module.Client(sdk_config(self.params, service, self.deadline))
        return self._clients[service]
