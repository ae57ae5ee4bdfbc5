"""Issue 15: the purchase guard refuses, by reads alone, what ECS would refuse or the caller did not mean."""

import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput
from ansible_collections.ack_edge.cloud_nodes.tests.unit.fake_cloud import FakeCloud
from ansible_collections.ack_edge.cloud_nodes.tests.unit.plugins.module_utils.test_orchestration import instance_set


def refused(cloud, **overrides):
    with pytest.raises(InvalidInput) as caught:
        instance_set(cloud, **overrides).ensure()
    assert cloud.mutating() == []
    return dict(caught.value.problems)


def test_more_than_max_create_is_refused_with_the_numbers():
    problems = refused(FakeCloud(), exact_count=30, max_create=20)
    assert problems == {"max_create": "this run would buy 30 instance(s), more than max_create 20; raise max_create "
                                      "to 30 if you mean it"}


def test_max_create_counts_what_is_bought_not_the_total():
    cloud = FakeCloud()
    for dummy in range(19):
        cloud.add_instance(tags={"cloud-nodes/cluster": "c1", "cloud-nodes/role": "management"})
    assert len(instance_set(cloud, exact_count=21, max_create=2).ensure()["created_instance_ids"]) == 2


def test_a_count_over_the_vcpu_quota_is_refused_before_any_purchase():
    cloud = FakeCloud()
    cloud.vcpu_limit = 10
    cloud.add_instance()  # 2 vCPUs used: 8 left, room for 4 ecs.g6.large
    problems = refused(cloud, exact_count=5)
    assert problems == {"exact_count": "buying 5 x ecs.g6.large (2 vCPUs each) needs 10 vCPUs, but only 8 of the "
                                       "account's 10 pay-as-you-go vCPUs are free in cn-hangzhou; raise the quota in "
                                       "Quota Center, or ask for fewer"}
    assert len(instance_set(cloud, exact_count=4).ensure()["created_instance_ids"]) == 4


def test_an_unknown_type_and_image_are_named_in_check_mode_too():
    for check_mode in (True, False):
        problems = refused(FakeCloud(), check_mode=check_mode, exact_count=1, instance_type="ecs.nope.large",
                           image_id="no-such-image")
        assert problems == {"instance_type": "ecs.nope.large is not an instance type ECS offers in cn-hangzhou",
                            "image_id": "no-such-image is not an image available in cn-hangzhou"}


def test_too_few_free_ips_are_refused_and_a_full_vswitch_hands_its_share_on():
    cloud = FakeCloud()
    cloud.free_ips.update({"vsw-1": 1, "vsw-2": 2})
    problems = refused(cloud, exact_count=4, vswitch_id=None, vswitch_ids=["vsw-1", "vsw-2"])
    assert problems == {"vswitch_ids": "vsw-1, vsw-2 have 3 free IP address(es), fewer than the 4 instance(s) to buy"}
    result = instance_set(cloud, exact_count=3, vswitch_id=None, vswitch_ids=["vsw-1", "vsw-2"], spread=False).ensure()
    assert result["plan"]["create_in"] == {"vsw-1": 1, "vsw-2": 2}


def test_a_quota_ecs_does_not_report_is_left_to_run_instances():
    cloud = FakeCloud()
    cloud.vcpu_limit = None
    assert len(instance_set(cloud, exact_count=2).ensure()["created_instance_ids"]) == 2


def test_a_quota_the_user_may_not_read_warns_and_buys():
    cloud = FakeCloud()

    def forbidden(**dummy):
        raise AlicloudError("no permission", code="Forbidden.RAM", http_status=403)

    cloud._DescribeAccountAttributes = forbidden  # pylint: disable=protected-access
    instances = instance_set(cloud, exact_count=1)
    assert len(instances.ensure()["created_instance_ids"]) == 1
    assert any("vCPU quota could not be checked before buying: RAM denies ecs:DescribeAccountAttributes" in w
               for w in instances.ctx.warnings)


def test_a_sold_out_vswitch_hands_on_only_what_the_others_have_room_for():
    """Found by review: the fallback once ignored what this run had already put in the vSwitch it moved to."""
    cloud = FakeCloud()
    cloud.free_ips.update({"vsw-1": 5, "vsw-2": 5})
    cloud.sold_out.add("vsw-2")
    with pytest.raises(AlicloudError) as caught:
        instance_set(cloud, exact_count=8, vswitch_id=None, vswitch_ids=["vsw-1", "vsw-2"]).ensure()
    assert "lack the free IPs" in caught.value.msg
    assert sum(1 for i in cloud.instances.values() if i["vswitch"] == "vsw-1") <= 5


@pytest.mark.parametrize("action", ["_DescribeInstanceTypes", "_DescribeImages"])
def test_a_guard_read_ram_denies_warns_and_the_purchase_goes_on(action):
    cloud = FakeCloud()

    def forbidden(**dummy):
        raise AlicloudError("no permission", code="Forbidden.RAM", http_status=403)

    setattr(cloud, action, forbidden)
    instances = instance_set(cloud, exact_count=1)
    assert len(instances.ensure()["created_instance_ids"]) == 1
    assert any(f"RAM denies ecs:{action[1:]}" in w for w in instances.ctx.warnings)
