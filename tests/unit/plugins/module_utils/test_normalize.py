from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _normalize


def test_snake_case_keeps_alibaba_words_whole():
    assert _normalize.snake("VSwitchId") == "vswitch_id"
    assert _normalize.snake("VSwitchIds") == "vswitch_ids"
    assert _normalize.snake("OSNameEn") == "os_name_en"
    assert _normalize.snake("InternetMaxBandwidthOut") == "internet_max_bandwidth_out"
    assert _normalize.snake("DescribeClustersV1") == "describe_clusters_v1"
    assert _normalize.snake("already_snake") == "already_snake"


def test_tags_become_a_dict_in_every_shape():
    assert _normalize.tags_to_dict([{"TagKey": "a", "TagValue": "1"}]) == {"a": "1"}
    assert _normalize.tags_to_dict([{"key": "b", "value": None}]) == {"b": ""}
    assert _normalize.tags_to_dict(None) == {}


RAW = {
    "InstanceId": "i-1", "Status": "Running", "CreationTime": "2026-01-01T00:00Z",
    "VpcAttributes": {"VpcId": "vpc-1", "VSwitchId": "vsw-1", "PrivateIpAddress": {"IpAddress": ["10.0.0.5"]}},
    "PublicIpAddress": {"IpAddress": []},
    "SecurityGroupIds": {"SecurityGroupId": ["sg-1"]},
    "Tags": {"Tag": [{"TagKey": "role", "TagValue": "mgmt"}]},
    "OperationLocks": {"LockReason": []},
}


def test_instance_is_flat_snake_case_with_vpc_fields_lifted():
    inst = _normalize.instance(RAW)
    assert inst["instance_id"] == "i-1"
    assert (inst["vpc_id"], inst["vswitch_id"], inst["private_ip_address"]) == ("vpc-1", "vsw-1", "10.0.0.5")
    assert inst["public_ip_address"] is None
    assert inst["security_group_ids"] == ["sg-1"]
    assert inst["tags"] == {"role": "mgmt"}
    assert inst["operation_locks"] == []
    assert not any(k[0].isupper() for k in inst)
