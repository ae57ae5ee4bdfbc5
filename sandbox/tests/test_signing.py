"""Authentication as the real gateway does it: V3 and v1 signatures, unknown keys, STS, nonce replay, TLS."""

import os

import pytest
from alibabacloud_cs20151215 import models as cm
from alibabacloud_ecs20140526 import models as em

from conftest import EDGE, REGION
from helpers import error_of


def regions(ecs):
    return ecs.describe_regions(em.DescribeRegionsRequest()).body.regions.region


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3", "rpc-v1"])
def test_right_and_wrong_secret(sb, algorithm):
    extra = {"signature_algorithm": algorithm} if algorithm else {}
    assert regions(sb.ecs(**extra))[0].region_id == REGION
    err = error_of(lambda: regions(sb.ecs(access_key_secret="not-the-secret", **extra)))
    assert (err.code, err.status_code) == ("SignatureDoesNotMatch", 400)
    assert ":" in err.message  # aliyunsdkcore splits this message on the colon
    err = error_of(lambda: regions(sb.ecs(access_key_id="LTAI5tUnknownKey000000", **extra)))
    assert (err.code, err.status_code) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3", "roa-v1"])
def test_cs_signatures(sb, algorithm):
    extra = {"signature_algorithm": algorithm} if algorithm else {}
    assert sb.cs(**extra).describe_cluster_detail(EDGE).body.cluster_id == EDGE
    err = error_of(lambda: sb.cs(access_key_secret="wrong", **extra).describe_cluster_detail(EDGE))
    assert err.code == "SignatureDoesNotMatch" and ":" in err.message


@pytest.mark.parametrize("algorithm", [None, "v2"], ids=["v3", "rpc-v1"])
def test_sts_token_accepted_and_checked(sb, algorithm):
    extra = {"signature_algorithm": algorithm} if algorithm else {}
    sts = dict(access_key_id=sb.env["ACK_SANDBOX_STS_ACCESS_KEY"], access_key_secret=sb.env["ACK_SANDBOX_STS_SECRET_KEY"])
    assert regions(sb.ecs(security_token=sb.env["ACK_SANDBOX_STS_TOKEN"], **sts, **extra))
    err = error_of(lambda: regions(sb.ecs(security_token="CAISforged", **sts, **extra)))
    assert err.code == "InvalidSecurityToken.MismatchWithAccessKey"
    assert sb.calls()[0]["access_key_id"] == sts["access_key_id"]


def test_reused_nonce_is_refused(sb, monkeypatch):
    from alibabacloud_tea_openapi import client, utils
    monkeypatch.setattr(utils.Utils, "get_nonce", staticmethod(lambda: "0123456789abcdef0123456789abcdef"))
    monkeypatch.setattr(client.Utils, "get_nonce", staticmethod(lambda: "0123456789abcdef0123456789abcdef"))
    ecs = sb.ecs()
    regions(ecs)
    err = error_of(lambda: regions(ecs))
    assert (err.code, err.status_code) == ("SignatureNonceUsed", 400)


def test_plain_http_to_the_https_port_fails(sb):
    before = len(sb.calls())
    with pytest.raises(Exception) as caught:
        regions(sb.ecs(protocol="http"))
    assert "SignatureDoesNotMatch" not in str(caught.value)
    assert len(sb.calls()) == before  # nothing reached the API


def test_untrusted_ca_fails(sb):
    # A fresh process: darabonba reuses pooled TLS connections per host, which would skip the new CA check.
    import subprocess
    import sys
    script = (
        "import os, certifi\n"
        "from alibabacloud_tea_openapi.utils_models import Config\n"
        "from alibabacloud_ecs20140526.client import Client\n"
        "from alibabacloud_ecs20140526 import models\n"
        "c = Client(Config(access_key_id='x', access_key_secret='y', region_id='cn-hangzhou',\n"
        "           endpoint=os.environ['EP'], ca=certifi.where()))\n"
        "c.describe_regions(models.DescribeRegionsRequest())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=dict(os.environ, EP=sb.env["ALICLOUD_ECS_ENDPOINT"]))
    assert result.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in result.stderr


def test_calls_are_logged_with_outcome(sb):
    ecs = sb.ecs()
    regions(ecs)
    error_of(lambda: regions(sb.ecs(access_key_secret="wrong")))
    calls = sb.calls(service="ecs")
    assert [(c["action"], c["status"], c["error_code"], c["mutating"]) for c in calls] == [
        ("DescribeRegions", 200, None, False), ("DescribeRegions", 400, "SignatureDoesNotMatch", False)]
    assert all(c["request_id"] and c["time"] for c in calls)
    cs = sb.cs()
    cs.describe_cluster_nodes(EDGE, cm.DescribeClusterNodesRequest(instance_ids="i-x"))
    [logged] = sb.calls(service="cs")
    assert logged["params"]["ClusterId"] == EDGE and logged["params"]["instanceIds"] == "i-x"
