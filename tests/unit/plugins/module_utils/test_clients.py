import os

import pytest
import yaml

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _clients
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import Api

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))
PARAMS = {"alicloud_region": "cn-hangzhou", "alicloud_access_key": "AK", "alicloud_secret_key": "SK",
          "alicloud_security_token": None, "ecs_endpoint": "https://127.0.0.1:8443/", "cs_endpoint": None,
          "ca_bundle": None}


def test_user_agent_carries_the_released_version():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        assert yaml.safe_load(handle)["version"] == _clients.COLLECTION_VERSION
    assert _clients.USER_AGENT == f"ack_edge.cloud_nodes/{_clients.COLLECTION_VERSION}"


def test_endpoints_accept_a_scheme():
    assert _clients.split_endpoint("https://h:1/") == ("h:1", "https")
    assert _clients.split_endpoint("http://h:1") == ("h:1", "http")
    assert _clients.split_endpoint("h:1") == ("h:1", None)
    assert _clients.split_endpoint(None) == (None, None)


def test_config_for_static_keys():
    config = _clients.sdk_config(PARAMS, "ecs")
    assert (config.endpoint, config.protocol, config.region_id) == ("127.0.0.1:8443", "https", "cn-hangzhou")
    assert (config.access_key_id, config.access_key_secret) == ("AK", "SK")
    assert _clients.USER_AGENT in config.user_agent
    assert _clients.sdk_config(PARAMS, "cs").endpoint is None  # the SDK's regional default


def test_config_without_keys_uses_the_credential_chain():
    config = _clients.sdk_config(dict(PARAMS, alicloud_access_key=None, alicloud_secret_key=None), "ecs")
    assert config.access_key_id is None and config.credential is not None


def test_auth_problems_are_caught_before_any_call(tmp_path):
    assert _clients.auth_problem(PARAMS) is None
    assert _clients.auth_problem(dict(PARAMS, alicloud_secret_key=None))[0] == "alicloud_secret_key"
    assert _clients.auth_problem(dict(PARAMS, ca_bundle=str(tmp_path / "missing.pem")))[0] == "ca_bundle"
    none = dict(PARAMS, alicloud_access_key=None, alicloud_secret_key=None, alicloud_security_token="t")
    assert _clients.auth_problem(none)[0] == "alicloud_security_token"


def test_actions_resolve_to_sdk_methods_and_request_models():
    api = Api(PARAMS)
    method, request = api._method("ecs", "DescribeVSwitches")
    assert method.__name__ == "describe_vswitches" and request.__name__ == "DescribeVSwitchesRequest"
    method, request = api._method("cs", "DescribeClusterDetail")
    assert method.__name__ == "describe_cluster_detail" and request is None
    method = api._method("cs", "UnInstallClusterAddons")[0]
    assert method.__name__ == "un_install_cluster_addons"


def test_an_sts_profile_in_the_credentials_file_is_read(tmp_path, monkeypatch):
    """AWX's credential type writes temporary credentials as a `type = sts` profile, which
    alibabacloud-credentials refuses; the collection reads it itself."""
    path = tmp_path / "credentials"
    path.write_text("[default]\ntype = sts\naccess_key_id = STS.key\naccess_key_secret = s3cr#t\n"
                    "security_token = tok%en\n[other]\ntype = access_key\naccess_key_id = AK\naccess_key_secret = SK\n")
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))
    monkeypatch.delenv("ALIBABA_CLOUD_PROFILE", raising=False)
    assert _clients.sts_profile() == ("STS.key", "s3cr#t", "tok%en")
    config = _clients.sdk_config(dict(PARAMS, alicloud_access_key=None, alicloud_secret_key=None), "ecs")
    assert (config.access_key_id, config.security_token) == ("STS.key", "tok%en")
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "other")
    assert _clients.sts_profile() is None  # other profile types stay with the credentials library
    config = _clients.sdk_config(PARAMS, "ecs")
    assert (config.access_key_id, config.security_token) == ("AK", None)  # options win over the file


def test_socket_timeouts_follow_the_deadline():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Deadline

    assert _clients.sdk_config(PARAMS, "ecs").read_timeout == 60000
    assert 24000 <= _clients.sdk_config(PARAMS, "ecs", Deadline(25)).read_timeout <= 25000
    assert _clients.sdk_config(PARAMS, "ecs", Deadline(2)).read_timeout == 10000  # a floor, not starvation


def test_cs_calls_name_their_region_in_a_header():
    """CS takes the region from its endpoint alone; the header lets one endpoint serve many regions (the sandbox)."""
    config = _clients.sdk_config(dict(PARAMS, alicloud_region="cn-shanghai"), "cs")
    assert config.global_parameters.headers == {"x-acs-region-id": "cn-shanghai"}
    assert _clients.sdk_config(PARAMS, "ecs").global_parameters is None  # ECS sends RegionId in every request


CHAIN_DUMP = ("unable to load credentials from any of the providers in the chain: ['EnvironmentVariableCredentialsProvider"
              ": Environment variable accessKeyId cannot be empty', 'CLIProfileCredentialsProvider: unable to open "
              "credentials file: /home/u/.aliyun/config.json']")


class ChainlessClient:
    """Raises as the SDK does when the credential chain finds nothing: a CredentialException wrapped by darabonba."""

    def describe_regions(self, request):
        from alibabacloud_credentials.exceptions import CredentialException
        from darabonba.exceptions import UnretryableException
        from darabonba.policy.retry import RetryPolicyContext

        raise UnretryableException(RetryPolicyContext(exception=CredentialException(CHAIN_DUMP)))


class ChainlessFactory:
    def client(self, service):
        return ChainlessClient()

    def models(self, service):
        import importlib
        return importlib.import_module("alibabacloud_ecs20140526.models")


def test_an_empty_credential_chain_is_one_sentence_and_the_provider_list_is_kept_for_debug():
    """Issue 15: what was looked for, in order, and what to set; not the SDK's provider list with file paths."""
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy

    api = Api(dict(PARAMS, alicloud_access_key=None, alicloud_secret_key=None),
              retry=RetryPolicy(sleep=lambda s: None), factory=ChainlessFactory())
    with pytest.raises(AlicloudError) as raised:
        api.ecs("DescribeRegions", attempted="Listing regions")
    caught = raised.value
    assert caught.code == "CredentialException" and api.retries == 0
    assert caught.msg.startswith("Listing regions failed: no credentials were found after looking, in this order, at "
                                 "alicloud_access_key and alicloud_secret_key")
    assert "set alicloud_access_key and alicloud_secret_key" in caught.msg
    assert "config.json" not in caught.msg and "Provider" not in caught.msg
    assert caught.msg.endswith(".") and "." not in caught.msg[:-1]  # one sentence
    assert caught.debug == {"credential_chain": CHAIN_DUMP}
    assert "debug" not in caught.payload()  # the module adds it at -vvv only


def test_an_sts_key_without_its_token_is_refused_before_any_call():
    """Issue 15: a temporary key (STS.…) without alicloud_security_token would be refused by the API as a token
    mismatch; say what to set instead, before any call."""
    sts = dict(PARAMS, alicloud_access_key="STS.NTabcdef")
    option, rule = _clients.auth_problem(sts)
    assert option == "alicloud_security_token" and "set alicloud_security_token" in rule
    assert _clients.auth_problem(dict(sts, alicloud_security_token="CAIS-token")) is None
    assert _clients.auth_problem(PARAMS) is None  # a long-term key needs no token


def test_an_sts_token_refused_by_the_api_says_to_set_the_token():
    from alibabacloud_tea_openapi.exceptions import ClientException

    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import from_sdk

    for code in ("InvalidSecurityToken.MismatchWithAccessKey", "MissingSecurityToken"):
        exc = ClientException(status_code=400, code=code, message="token", request_id="R",
                              data={"Code": code, "Message": "Specified SecurityToken mismatch with the AccessKey."})
        assert "set alicloud_security_token" in from_sdk(exc, "Listing instances").msg


def test_the_provider_list_reaches_the_result_at_vvv_only():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule

    class AnsibleModuleStub:
        def __init__(self, verbosity):
            self._verbosity = verbosity
            self.result = None

        def fail_json(self, **result):
            self.result = result

    class Ctx:
        warnings = []
        retries = 0

    err = AlicloudError("Listing regions failed: no credentials were found.", code="CredentialException")
    err.debug = {"credential_chain": CHAIN_DUMP}
    for verbosity, shown in ((0, False), (2, False), (3, True)):
        module = AlicloudModule.__new__(AlicloudModule)
        module._module, module.ctx = AnsibleModuleStub(verbosity), Ctx()
        module.fail(err)
        assert ("debug" in module._module.result) is shown
