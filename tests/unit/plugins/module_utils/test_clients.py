import os

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
