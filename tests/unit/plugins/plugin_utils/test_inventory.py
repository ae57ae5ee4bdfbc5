from ansible_collections.ack_edge.cloud_nodes.plugins.plugin_utils._inventory import hostname

FACTS = {"instance_id": "i-1", "instance_name": "cloud-node-001", "tags": {"Name": "mgmt"}, "host_name": ""}


def test_first_preference_with_a_value_wins():
    assert hostname(["tag:Name", "instance_id"], FACTS) == "mgmt"
    assert hostname(["host_name", "tag:Missing", "instance_name"], FACTS) == "cloud-node-001"
    assert hostname(["host_name"], FACTS) is None


def test_taken_names_fall_through_to_the_next_preference():
    assert hostname(["tag:Name", "instance_id"], FACTS, taken={"mgmt"}) == "i-1"
