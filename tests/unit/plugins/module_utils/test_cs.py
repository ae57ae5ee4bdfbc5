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
