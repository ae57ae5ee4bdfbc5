"""ECS behaviour through the official ECS SDK: buying, idempotence, filters, paging, power, tags, catalogue."""

import json

from alibabacloud_ecs20140526 import models as m

from conftest import ALINUX3, OTHER_SG, OTHER_VSW, PASSWORD, REGION, SG, VPC, VSW_H, VSW_I, wait_for
from helpers import describe, error_of, run, run_request, statuses, wait_running


def test_buy_three_in_one_call_with_token_then_replay(sb):
    ecs = sb.ecs()
    ids = run(ecs, 3, token="intent-0001")
    assert len(ids) == 3 and len(set(ids)) == 3
    seen = statuses(ecs, ids)
    assert set(seen.values()) <= {"Pending", "Starting", "Running"}
    wait_running(ecs, ids)

    assert run(ecs, 3, token="intent-0001") == ids  # same token, same parameters: same instances
    err = error_of(lambda: run(ecs, 3, token="intent-0001", instance_type="ecs.g6.xlarge"))
    assert err.code == "IdempotentParameterMismatch" and err.status_code == 400

    creates = sb.calls(action="RunInstances")
    assert [c["status"] for c in creates] == [200, 200, 400]
    assert len(describe(ecs, vpc_id=VPC, tag=[m.DescribeInstancesRequestTag(key="cloud-nodes")]).instances.instance) == 3


def test_lifecycle_goes_pending_starting_running(sb):
    ecs = sb.ecs()
    ids = run(ecs, 1)
    seen = set()
    import time
    deadline = time.time() + 10
    while time.time() < deadline and "Running" not in seen:
        seen.update(statuses(ecs, ids).values())
        time.sleep(0.05)
    assert {"Pending", "Starting", "Running"} <= seen


def test_describe_filters_and_both_paging_styles(sb):
    ecs = sb.ecs()
    ids = run(ecs, 12, instance_name="mgmt-[1,3]", tag=[m.RunInstancesRequestTag(key="set", value="a")])
    other = run(ecs, 2, v_switch_id=VSW_I, instance_name="other", unique_suffix=True)
    names = {i.instance_id: i.instance_name for i in describe(ecs, ids + other).instances.instance}
    assert sorted(names[i] for i in ids) == [f"mgmt-{n:03d}" for n in range(1, 13)]
    assert sorted(names[i] for i in other) == ["other001", "other002"]

    assert len(describe(ecs, v_switch_id=VSW_I).instances.instance) == 2
    assert {i.instance_id for i in describe(ecs, instance_name="mgmt-*").instances.instance} == set(ids)
    tagged = describe(ecs, tag=[m.DescribeInstancesRequestTag(key="set", value="a")]).instances.instance
    assert {i.instance_id for i in tagged} == set(ids)
    assert describe(ecs, tag=[m.DescribeInstancesRequestTag(key="set", value="b")]).instances.instance == []
    assert describe(ecs, ids=[]).instances.instance == []

    body = ecs.describe_instances(m.DescribeInstancesRequest(region_id=REGION, instance_name="mgmt-*", page_size=5,
                                                             page_number=3)).body
    assert (body.total_count, body.page_number, len(body.instances.instance)) == (12, 3, 2)

    collected, token = [], None
    while True:
        page = ecs.describe_instances(m.DescribeInstancesRequest(region_id=REGION, instance_name="mgmt-*",
                                                                 max_results=10, next_token=token)).body
        collected += [i.instance_id for i in page.instances.instance]
        token = page.next_token
        if not token:
            break
    assert sorted(collected) == sorted(ids)

    err = error_of(lambda: describe(ecs, ids=[f"i-{n}" for n in range(101)]))
    assert err.code == "InvalidParameter" and "100" in err.message
    assert error_of(lambda: describe(ecs, status="Sleeping")).code == "InvalidStatus.NotFound"


def test_describe_instance_shape(sb):
    ecs = sb.ecs()
    [iid] = run(ecs, 1, internet_max_bandwidth_out=5)
    inst = describe(ecs, [iid]).instances.instance[0]
    assert inst.vpc_attributes.vpc_id == VPC and inst.vpc_attributes.v_switch_id == VSW_H
    assert inst.zone_id == "cn-hangzhou-h" and inst.image_id == ALINUX3
    assert inst.security_group_ids.security_group_id == [SG]
    assert inst.public_ip_address.ip_address and inst.inner_ip_address.ip_address == []
    assert {t.tag_key: t.tag_value for t in inst.tags.tag} == {"cloud-nodes": "test"}
    assert inst.creation_time.endswith("Z") and len(inst.creation_time) == len("2017-12-10T04:04Z")


def test_create_errors_use_the_real_codes(sb):
    ecs = sb.ecs()
    cases = [
        (dict(v_switch_id="vsw-doesnotexist"), "InvalidVSwitchId.NotFound", 404),
        (dict(security_group_id="sg-doesnotexist"), "InvalidSecurityGroupId.NotFound", 404),
        (dict(image_id="m-doesnotexist"), "InvalidImageId.NotFound", 404),
        (dict(instance_type="ecs.nope.large"), "InvalidInstanceType.ValueNotSupported", 400),
        (dict(security_group_id=OTHER_SG), "InvalidParameter.Mismatch", 400),
        (dict(v_switch_id=OTHER_VSW), "InvalidParameter.Mismatch", 400),
        (dict(zone_id="cn-hangzhou-i"), "InvalidParameter.Mismatch", 400),
        (dict(password="short"), "InvalidPassword.Malformed", 400),
        (dict(password="alllowercaseletters"), "InvalidPassword.Malformed", 400),
        (dict(instance_name="1-starts-with-digit"), "InvalidInstanceName.Malformed", 400),
        (dict(host_name="bad..host"), "InvalidHostName.Malformed", 400),
        (dict(amount=101), "InvalidParam.Amount", 403),
        (dict(instance_type="ecs.c6.large"), "OperationDenied.NoStock", 403),  # sold out in zone H
        (dict(tag=[m.RunInstancesRequestTag(key="a", value="1"), m.RunInstancesRequestTag(key="a", value="2")]),
         "Duplicate.TagKey", 400),
        (dict(tag=[m.RunInstancesRequestTag(key="acs:reserved", value="1")]), "InvalidTagKey.Malformed", 400),
        (dict(system_disk=m.RunInstancesRequestSystemDisk(category="floppy")),
         "InvalidSystemDiskCategory.ValueNotSupported", 400),
        (dict(image_id=None), "MissingParameter", 400),
    ]
    for overrides, code, status in cases:
        overrides.setdefault("amount", 1)
        err = error_of(lambda: ecs.run_instances(run_request(**overrides)))
        assert (err.code, err.status_code) == (code, status), overrides
    assert sb.control("GET", "/state")["instances"]["total"] == 2  # only the fixture's cloud nodes


def test_dry_run_validates_without_creating(sb):
    ecs = sb.ecs()
    err = error_of(lambda: run(ecs, 2, dry_run=True, token="dry-token"))
    assert (err.code, err.status_code) == ("DryRunOperation", 400)
    assert error_of(lambda: run(ecs, 2, dry_run=True, instance_type="ecs.c6.large")).code == "OperationDenied.NoStock"
    assert sb.control("GET", "/state")["instances"]["total"] == 2
    assert len(run(ecs, 2, token="dry-token")) == 2  # a dry run does not consume the token
    assert [c["mutating"] for c in sb.calls(action="RunInstances")] == [False, False, True]


def test_min_amount_stock_and_quota(sb):
    ecs = sb.ecs()
    sb.faults({"kind": "no_stock", "zone": "cn-hangzhou-h"})
    assert error_of(lambda: run(ecs, 2)).code == "OperationDenied.NoStock"
    assert len(run(ecs, 2, v_switch_id=VSW_I)) == 2
    sb.control("DELETE", "/faults")
    sb.control("POST", "/quota", {"vcpus": 12})  # ecs.g6.large has 2 vCPUs: room for 6 instances
    err = error_of(lambda: run(ecs, 3))
    assert (err.code, err.status_code) == ("QuotaExceed.ElasticQuota", 403)
    assert len(run(ecs, 2)) == 2
    body = ecs.describe_instances(m.DescribeInstancesRequest(region_id=REGION)).body
    assert body.total_count == 6


def test_account_attributes_and_instance_types_show_the_vcpu_quota(sb):
    ecs = sb.ecs()
    sb.control("POST", "/quota", {"vcpus": 40})
    run(ecs, 2)

    def attributes():
        body = ecs.describe_account_attributes(m.DescribeAccountAttributesRequest(
            region_id=REGION, attribute_name=["max-postpaid-instance-vcpu-count",
                                              "used-postpaid-instance-vcpu-count"])).body
        return {i.attribute_name: int(i.attribute_values.value_item[0].value)
                for i in body.account_attribute_items.account_attribute_item}

    used = attributes()["used-postpaid-instance-vcpu-count"]
    assert attributes()["max-postpaid-instance-vcpu-count"] == 40
    types = ecs.describe_instance_types(m.DescribeInstanceTypesRequest(
        instance_types=["ecs.g6.xlarge", "ecs.nope.large"])).body.instance_types.instance_type
    assert [(t.instance_type_id, t.cpu_core_count) for t in types] == [("ecs.g6.xlarge", 4)]
    assert len(run(ecs, 1, instance_type="ecs.g6.xlarge")) == 1
    assert attributes()["used-postpaid-instance-vcpu-count"] == used + 4
    assert sb.calls(action="DescribeAccountAttributes")[0]["mutating"] is False


def test_min_amount_buys_what_stock_allows(sb):
    ecs = sb.ecs()
    # ecs.g7.large: 300 in zone I. Ask 100 with MinAmount 50 three times: 100, 100, 100, then 0 left.
    for _ in range(3):
        assert len(run(ecs, 100, v_switch_id=VSW_I, instance_type="ecs.g7.large", min_amount=50, password=None)) == 100
    assert error_of(lambda: run(ecs, 100, v_switch_id=VSW_I, instance_type="ecs.g7.large", min_amount=1)).code \
        == "OperationDenied.NoStock"


def test_start_stop_delete(sb):
    ecs = sb.ecs()
    ids = run(ecs, 2)
    wait_running(ecs, ids)
    delete = m.DeleteInstancesRequest(region_id=REGION, instance_id=ids)
    assert error_of(lambda: ecs.delete_instances(delete)).code == "IncorrectInstanceStatus"
    assert error_of(lambda: ecs.start_instances(m.StartInstancesRequest(region_id=REGION, instance_id=ids))).code \
        == "IncorrectInstanceStatus"
    resp = ecs.stop_instances(m.StopInstancesRequest(region_id=REGION, instance_id=ids)).body
    assert {r.current_status for r in resp.instance_responses.instance_response} == {"Stopping"}
    import time
    deadline = time.time() + 10
    while set(statuses(ecs, ids).values()) != {"Stopped"} and time.time() < deadline:
        time.sleep(0.1)
    ecs.start_instances(m.StartInstancesRequest(region_id=REGION, instance_id=[ids[0]]))
    wait_running(ecs, [ids[0]])
    ecs.delete_instances(m.DeleteInstancesRequest(region_id=REGION, instance_id=[ids[1]]))
    ecs.delete_instances(m.DeleteInstancesRequest(region_id=REGION, instance_id=[ids[0]], force=True))
    # A release takes the profile's instance_releasing: the running one shows Stopping, the stopped one Stopped.
    assert statuses(ecs, ids) == {ids[0]: "Stopping", ids[1]: "Stopped"}
    ecs.delete_instances(m.DeleteInstancesRequest(region_id=REGION, instance_id=ids, force=True))  # no change
    assert error_of(lambda: ecs.start_instances(m.StartInstancesRequest(region_id=REGION, instance_id=[ids[1]]))) \
        .code == "IncorrectInstanceStatus"
    wait_for(lambda: statuses(ecs, ids) == {}, timeout=10)
    assert error_of(lambda: ecs.delete_instances(delete)).code == "InvalidInstanceId.NotFound"


def test_tags(sb):
    ecs = sb.ecs()
    ids = run(ecs, 2)
    ecs.tag_resources(m.TagResourcesRequest(region_id=REGION, resource_type="instance", resource_id=ids,
                                            tag=[m.TagResourcesRequestTag(key="owner", value="platform")]))
    listed = ecs.list_tag_resources(m.ListTagResourcesRequest(
        region_id=REGION, resource_type="instance", tag=[m.ListTagResourcesRequestTag(key="owner")])).body
    assert {(t.resource_id, t.tag_key, t.tag_value) for t in listed.tag_resources.tag_resource} >= \
        {(i, "owner", "platform") for i in ids}
    ecs.untag_resources(m.UntagResourcesRequest(region_id=REGION, resource_type="instance", resource_id=ids,
                                                tag_key=["owner"]))
    inst = describe(ecs, ids).instances.instance
    assert all({t.tag_key for t in i.tags.tag} == {"cloud-nodes"} for i in inst)
    err = error_of(lambda: ecs.tag_resources(m.TagResourcesRequest(
        region_id=REGION, resource_type="instance", resource_id=["i-missing"],
        tag=[m.TagResourcesRequestTag(key="a", value="b")])))
    assert err.code == "InvalidResourceId.NotFound"


def test_network_and_catalogue(sb):
    ecs = sb.ecs()
    vpcs = ecs.describe_vpcs(m.DescribeVpcsRequest(region_id=REGION)).body.vpcs.vpc
    assert len(vpcs) == 2
    edge = next(v for v in vpcs if v.vpc_id == VPC)
    assert {VSW_H, VSW_I} <= set(edge.v_switch_ids.v_switch_id)  # beside the control plane's two
    switches = ecs.describe_vswitches(m.DescribeVSwitchesRequest(region_id=REGION, vpc_id=VPC)).body.v_switches
    assert {s.zone_id for s in switches.v_switch} == {"cn-hangzhou-h", "cn-hangzhou-i"}
    groups = ecs.describe_security_groups(m.DescribeSecurityGroupsRequest(region_id=REGION, vpc_id=VPC)).body
    # The cluster's group and a spare one for JoinSecurityGroup (test_ecs_legacy) and cloud-pool-2.
    assert [g.security_group_id for g in groups.security_groups.security_group] == [SG, "sg-bp1edgesandbox00000002"]
    images = ecs.describe_images(m.DescribeImagesRequest(region_id=REGION)).body.images.image
    assert {i.platform for i in images} == {"CentOS", "Aliyun"}
    zones = ecs.describe_zones(m.DescribeZonesRequest(region_id=REGION)).body.zones.zone
    assert "ecs.g6.large" in zones[0].available_instance_types.instance_types
