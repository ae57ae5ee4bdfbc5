import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.in_region import in_region
from ansible_collections.ack_edge.cloud_nodes.plugins.inventory.clusters import InventoryModule

AUTH = {"alicloud_access_key": "AK", "alicloud_secret_key": "SK", "alicloud_region": "cn-hangzhou"}


def test_the_host_region_wins():
    assert in_region(AUTH, "cn-shanghai") == dict(AUTH, alicloud_region="cn-shanghai")
    assert AUTH["alicloud_region"] == "cn-hangzhou"  # the shared dict is left alone


def test_the_alias_is_dropped_because_ansible_would_let_it_win():
    assert in_region({"region": "cn-hangzhou", "cs_endpoint": "e"}, "cn-shanghai") == {
        "alicloud_region": "cn-shanghai", "cs_endpoint": "e"}


@pytest.mark.parametrize("region", ["", None])
def test_no_region_keeps_the_auth_options(region):
    assert in_region(AUTH, region) == AUTH
    assert in_region(None, region) == {}
    assert in_region({}, "cn-shanghai") == {"alicloud_region": "cn-shanghai"}  # credentials from the environment


def test_bad_input_names_the_variable():
    with pytest.raises(AnsibleFilterError, match="cloud_nodes_auth"):
        in_region("cn-hangzhou", "cn-shanghai")
    with pytest.raises(AnsibleFilterError, match="cloud_nodes_region"):
        in_region(AUTH, ["cn-shanghai"])


def test_the_clusters_inventory_gives_each_host_its_region():
    facts = InventoryModule._facts({"cluster_id": "c1", "region_id": "cn-shanghai"})
    assert (facts["cloud_nodes_cluster_id"], facts["cloud_nodes_region"]) == ("c1", "cn-shanghai")
