"""The Api: one way to call any action, with request dicts in and plain dicts out; batches; the run context."""
import re

import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs, _kube
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import Api, chunks
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import build_api
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Deadline
from ansible_collections.ack_edge.cloud_nodes.tests.unit.fake_cloud import FakeCloud, context


class Body:
    def __init__(self, data):
        self.data = data

    def to_map(self):
        return self.data


class Response:
    def __init__(self, data):
        self.body = Body(data)


class DescribeInstancesRequest:
    def from_map(self, data):
        self.data = data
        return self


class Models:
    DescribeInstancesRequest = DescribeInstancesRequest


class Client:
    def __init__(self):
        self.seen = []
        self.failures = []

    def describe_instances(self, request):
        self.seen.append(request.data)
        if self.failures:
            raise self.failures.pop(0)
        return Response({"Instances": {"Instance": []}, "RequestId": "r-1"})

    def describe_cluster_detail(self, cluster_id):
        self.seen.append(cluster_id)
        return Response({"cluster_id": cluster_id})


class Factory:
    def __init__(self):
        self.sdk = Client()

    def client(self, service):
        return self.sdk

    def models(self, service):
        return Models


def api():
    return Api({"alicloud_region": "cn-hangzhou"}, retry=RetryPolicy(sleep=lambda s: None), factory=Factory())


def test_requests_go_in_as_dicts_with_the_region_and_come_back_as_dicts():
    caller = api()
    assert caller.ecs("DescribeInstances", {"MaxResults": 100}) == {"Instances": {"Instance": []}, "RequestId": "r-1"}
    assert caller.factory.sdk.seen == [{"MaxResults": 100, "RegionId": "cn-hangzhou"}]
    assert caller.cs("DescribeClusterDetail", "c1") == {"cluster_id": "c1"}


def test_a_throttled_call_is_retried_and_counted():
    caller = api()
    caller.factory.sdk.failures.append(AlicloudError("slow down", code="Throttling.User"))
    caller.ecs("DescribeInstances")
    assert caller.retries == 1 and len(caller.factory.sdk.seen) == 2


def test_chunks_keep_order_and_size():
    assert chunks(range(5), 2) == [[0, 1], [2, 3], [4]] and chunks([], 100) == []


def test_describe_instances_asks_100_ids_per_call():
    cloud = FakeCloud()
    ids = [cloud.add_instance() for dummy in range(150)]
    found = _ecs.describe_instances(cloud, ids=ids)
    assert len(found) == 150 and [c[0] for c in cloud.calls] == ["DescribeInstances"] * 2


def test_bad_auth_input_raises_before_any_call():
    with pytest.raises(InvalidInput) as caught:
        build_api({"alicloud_region": None}, Deadline())
    assert caught.value.details["invalid_options"] == ["alicloud_region"]
    with pytest.raises(InvalidInput) as caught:
        build_api({"alicloud_region": "cn-hangzhou", "alicloud_access_key": "LTAI"}, Deadline())
    assert caught.value.details["invalid_options"] == ["alicloud_secret_key"]


def test_a_kubeconfigs_credentials_are_masked():
    ctx = context(FakeCloud())
    text = "users:\n- name: u\n  user:\n    token: abc.def\n    client-key-data: \"S0VZ\"\n"
    _kube.mask_kubeconfig(ctx, text)
    assert {"abc.def", "S0VZ", text} <= ctx.no_log_values


def test_a_missing_kubeconfig_file_is_named_not_found(tmp_path):
    """Issue 13: not the kubernetes client's "Invalid kube-config file. No configuration found.", for any of these."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    for path, problem in (("/nowhere/edge.yaml", "not found"), (str(tmp_path), "is a directory, not a file"),
                          (str(empty), "is empty"), ("", "is empty")):
        named = re.escape(path or "the path")
        with pytest.raises(InvalidInput, match=f"kubeconfig: {named} {problem}; write it with .*cs_kubeconfig"):
            _kube.api_client(context(FakeCloud()), kubeconfig=path)


def test_warnings_and_retries_are_collected_on_the_context():
    ctx = context(FakeCloud())
    ctx.warn("careful")
    assert ctx.warnings == ["careful"] and ctx.retries == 0


def test_a_refused_connection_fails_fast_and_names_the_endpoint_option():
    """Issue 15: nothing listens at the endpoint; one retry, not eight, and the option to fix with its value."""
    import socket
    import time
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    params = {"alicloud_access_key": "LTAI-test", "alicloud_secret_key": "secret", "alicloud_security_token": None,
              "alicloud_region": "cn-hangzhou", "ecs_endpoint": f"https://127.0.0.1:{port}", "cs_endpoint": None,
              "ca_bundle": None}
    api = Api(params, retry=RetryPolicy(base_delay=0.2))
    started = time.monotonic()
    with pytest.raises(AlicloudError) as caught:
        api.ecs("DescribeRegions", attempted="Listing regions")
    assert time.monotonic() - started < 5
    assert caught.value.code == "ConnectionRefused" and caught.value.network
    assert f"Check ecs_endpoint (now https://127.0.0.1:{port})" in caught.value.msg
    assert api.retries == 1
