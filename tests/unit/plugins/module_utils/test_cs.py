import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs

POOLS = {"np-cloud": {"nodepool_id": "np-cloud", "name": "default-nodepool", "type": "ess", "is_default": True},
         "np-edge": {"nodepool_id": "np-edge", "name": "edge-pool-1", "type": "edge", "is_default": False}}


def test_edge_clusters_are_recognised():
    edge = _cs.cluster({"cluster_id": "c1", "cluster_type": "ManagedKubernetes", "profile": "Edge",
                        "master_url": '{"api_server_endpoint": "https://1.2.3.4:6443"}',
                        "tags": [{"key": "a", "value": "b"}]})
    assert edge["is_edge"] and edge["api_server_endpoint"] == "https://1.2.3.4:6443" and edge["tags"] == {"a": "b"}
    plain = _cs.cluster({"cluster_id": "c2", "cluster_type": "ManagedKubernetes", "profile": "Default",
                         "master_url": "not json"})
    assert not plain["is_edge"] and plain["api_server_endpoint"] is None


def test_node_role_comes_from_the_pool_type():
    cloud = _cs.node({"instance_id": "i-1", "nodepool_id": "np-cloud", "ip_address": ["10.0.0.1"],
                      "is_aliyun_node": True}, POOLS)
    edge = _cs.node({"instance_id": "e-1", "nodepool_id": "np-edge", "ip_address": [], "is_aliyun_node": False},
                    POOLS)
    assert (cloud["role"], cloud["ip_address"], cloud["ip_addresses"]) == ("cloud", "10.0.0.1", ["10.0.0.1"])
    assert (edge["role"], edge["ip_address"], edge["nodepool_name"]) == ("edge", None, "edge-pool-1")


def test_without_a_known_pool_the_node_kind_decides():
    assert _cs.node({"instance_id": "i-9", "nodepool_id": "np-gone", "is_aliyun_node": True}, POOLS)["role"] == "cloud"
    assert _cs.node({"instance_id": "x", "nodepool_id": None, "is_aliyun_node": False}, POOLS)["role"] == "edge"


# -- the region cross-check (issue 15) --------------------------------------------------------------------------
def test_a_cluster_of_another_region_is_refused_naming_both_regions():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
    from ansible_collections.ack_edge.cloud_nodes.tests.unit.fake_cloud import FakeCloud
    cloud = FakeCloud()  # the region in use is cn-hangzhou; a cs_endpoint of Shanghai answers for its own cluster
    cloud.cluster["region_id"] = "cn-shanghai"
    with pytest.raises(AlicloudError) as caught:
        _cs.describe_cluster(cloud, "c1")
    assert caught.value.code == "RegionMismatch"
    assert "cn-shanghai" in caught.value.msg and "cn-hangzhou" in caught.value.msg
    assert "cloud_nodes_region" in caught.value.msg and "alicloud_region" in caught.value.msg
    cloud.cluster["region_id"] = "cn-hangzhou"
    assert _cs.describe_cluster(cloud, "c1")["region_id"] == "cn-hangzhou"


def test_a_cluster_not_found_names_the_region_asked_and_the_variables():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

    class Api:
        region = "cn-shanghai"

        def cs(self, action, *path, **kwargs):
            raise AlicloudError("not found", code="ErrorClusterNotFound", request_id="R-1", http_status=404)

    with pytest.raises(AlicloudError) as caught:
        _cs.describe_cluster(Api(), "c06f4ee49f430ccdb94c22abc073301fb")
    message = caught.value.msg
    assert "does not exist in region cn-shanghai" in message and "c06f4ee49f430ccdb94c22abc073301fb" in message
    assert "cloud_nodes_region" in message and "alicloud_region" in message


# -- node pools (issue 11) ----------------------------------------------------------------------------------------
class RecordingApi:
    region = "cn-hangzhou"

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def cs(self, action, *path, request=None, **dummy):
        self.calls.append((action, path, request))
        return self.answer


def test_a_pool_attach_goes_to_the_pool_call_with_only_its_fields():
    api = RecordingApi({"task_id": "T-1"})
    _cs.attach_instances(api, "c1", {"instances": ["i-1"], "password": "x", "nodepool_id": "np-2",
                                     "is_edge_worker": False, "format_disk": False, "keep_instance_name": True})
    assert api.calls == [("AttachInstancesToNodePool", ("c1", "np-2"),
                          {"instances": ["i-1"], "password": "x", "format_disk": False, "keep_instance_name": True})]


def test_pools_carry_their_data_plane_vswitches():
    api = RecordingApi({"nodepools": [{
        "nodepool_info": {"nodepool_id": "np-1", "name": "default-nodepool", "type": "ess", "is_default": True},
        "scaling_group": {"vswitch_ids": ["vsw-data"], "security_group_id": "sg-1", "image_type": "AliyunLinux3"},
        "status": {"total_nodes": 2}}]})
    pool = _cs.node_pools(api, "c1")["np-1"]
    assert (pool["vswitch_ids"], pool["security_group_ids"], pool["total_nodes"]) == (["vsw-data"], ["sg-1"], 2)
