"""The per-instance ECS actions older clients call (footmark, community.general.ali_instance), through the official
SDK, and the raw DescribeInstances key order footmark depends on."""

import base64
import json

from alibabacloud_ecs20140526 import models as m
from alibabacloud_tea_openapi import utils_models as open_api
from darabonba.runtime import RuntimeOptions

from conftest import OTHER_SG, REGION, SG, wait_for
from helpers import describe, error_of, run, statuses, wait_running

EXTRA_SG = "sg-bp1edgesandbox00000002"  # fixture.EXTRA_SG: a second group of the edge VPC
KEY_PAIR = "ack-sandbox-key"  # fixture.KEY_PAIR


def raw_describe(ecs, ids):
    """DescribeInstances as the JSON text the server sent, so the key order survives."""
    params = open_api.Params(action="DescribeInstances", version="2014-05-26", protocol="HTTPS", pathname="/",
                             method="POST", auth_type="AK", style="RPC", req_body_type="formData",
                             body_type="string")
    request = open_api.OpenApiRequest(query={"RegionId": REGION, "InstanceIds": json.dumps(ids)})
    return ecs.call_api(params, request, RuntimeOptions())["body"]


def test_describe_instances_keeps_the_real_key_order(sb):
    """footmark recurses forever when PublicIpAddress comes before EipAddress (ecs.render_instance)."""
    ecs = sb.ecs()
    [iid] = run(ecs, 1)
    [instance] = json.loads(raw_describe(ecs, [iid]))["Instances"]["Instance"]
    keys = list(instance)
    assert keys.index("EipAddress") < keys.index("PublicIpAddress")
    assert keys.index("InnerIpAddress") < keys.index("EipAddress") < keys.index("InstanceId")
    assert instance["CreationTime"][-1] == "Z" and len(instance["CreationTime"]) == len("2017-12-10T04:04Z")


def test_singular_power_actions(sb):
    ecs = sb.ecs()
    [iid] = run(ecs, 1)
    wait_running(ecs, [iid])
    start = m.StartInstanceRequest(instance_id=iid)
    assert error_of(lambda: ecs.start_instance(start)).code == "IncorrectInstanceStatus"
    ecs.stop_instance(m.StopInstanceRequest(instance_id=iid, force_stop=True))
    assert statuses(ecs, [iid]) == {iid: "Stopping"}
    wait_for(lambda: statuses(ecs, [iid]) == {iid: "Stopped"})
    assert error_of(lambda: ecs.reboot_instance(m.RebootInstanceRequest(instance_id=iid))).code \
        == "IncorrectInstanceStatus"
    ecs.start_instance(start)
    assert statuses(ecs, [iid]) == {iid: "Starting"}
    wait_running(ecs, [iid])
    ecs.reboot_instance(m.RebootInstanceRequest(instance_id=iid))
    assert statuses(ecs, [iid]) == {iid: "Stopping"}
    wait_running(ecs, [iid])
    missing = error_of(lambda: ecs.stop_instance(m.StopInstanceRequest(instance_id="i-doesnotexist")))
    assert (missing.code, missing.status_code) == ("InvalidInstanceId.NotFound", 404)
    assert {c["action"] for c in sb.calls(mutating="true")} >= {"StartInstance", "StopInstance", "RebootInstance"}


def test_user_data_disks_and_attributes(sb):
    ecs = sb.ecs()
    [iid] = run(ecs, 1, instance_name="legacy-a", host_name="legacy-a")
    wait_running(ecs, [iid])
    user_data = base64.b64encode(b"#cloud-config\n").decode()
    read = m.DescribeUserDataRequest(region_id=REGION, instance_id=iid)
    assert ecs.describe_user_data(read).body.user_data == ""
    # User data changes only on a stopped instance; names and descriptions any time.
    modify = m.ModifyInstanceAttributeRequest(instance_id=iid, user_data=user_data)
    assert error_of(lambda: ecs.modify_instance_attribute(modify)).code == "IncorrectInstanceStatus"
    ecs.modify_instance_attribute(m.ModifyInstanceAttributeRequest(instance_id=iid, instance_name="legacy-b",
                                                                   description="renamed by a test",
                                                                   host_name="legacy-b"))
    ecs.stop_instance(m.StopInstanceRequest(instance_id=iid))
    wait_for(lambda: statuses(ecs, [iid]) == {iid: "Stopped"})
    ecs.modify_instance_attribute(modify)
    assert ecs.describe_user_data(read).body.user_data == user_data
    for bad, code in ((dict(instance_name="1-digit-first"), "InvalidInstanceName.Malformed"),
                      (dict(host_name="bad..host"), "InvalidHostName.Malformed"),
                      (dict(description="x"), "InvalidDescription.Malformed"),
                      (dict(password="short"), "InvalidPassword.Malformed")):
        request = m.ModifyInstanceAttributeRequest(instance_id=iid, **bad)
        assert error_of(lambda: ecs.modify_instance_attribute(request)).code == code, bad

    attribute = ecs.describe_instance_attribute(m.DescribeInstanceAttributeRequest(instance_id=iid)).body
    assert (attribute.instance_name, attribute.host_name, attribute.description, attribute.status) == \
        ("legacy-b", "legacy-b", "renamed by a test", "Stopped")
    assert attribute.security_group_ids.security_group_id == [SG]
    assert len(attribute.creation_time) == len("2017-12-10T04:04Z")

    disks = ecs.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=iid)).body
    [disk] = disks.disks.disk
    assert (disk.instance_id, disk.type, disk.device, disk.status, disk.delete_with_instance) == \
        (iid, "system", "/dev/xvda", "In_use", True)
    assert disks.total_count == 1
    assert ecs.describe_disks(m.DescribeDisksRequest(region_id=REGION, instance_id=iid, disk_type="data")) \
        .body.disks.disk == []


def test_public_ip_security_groups_and_key_pairs(sb):
    ecs = sb.ecs()
    ids = run(ecs, 2)
    wait_running(ecs, ids)
    iid = ids[0]
    address = ecs.allocate_public_ip_address(m.AllocatePublicIpAddressRequest(instance_id=iid)).body.ip_address
    assert describe(ecs, [iid]).instances.instance[0].public_ip_address.ip_address == [address]
    again = error_of(lambda: ecs.allocate_public_ip_address(m.AllocatePublicIpAddressRequest(instance_id=iid)))
    assert (again.code, again.status_code) == ("AllocatedAlready", 403)

    def groups():
        return describe(ecs, [iid]).instances.instance[0].security_group_ids.security_group_id

    join = m.JoinSecurityGroupRequest(instance_id=iid, security_group_id=EXTRA_SG)
    leave = m.LeaveSecurityGroupRequest(instance_id=iid, security_group_id=SG)
    ecs.join_security_group(join)
    assert groups() == [SG, EXTRA_SG]
    assert error_of(lambda: ecs.join_security_group(join)).code == "InvalidInstanceId.AlreadyExists"
    other = m.JoinSecurityGroupRequest(instance_id=iid, security_group_id=OTHER_SG)
    assert error_of(lambda: ecs.join_security_group(other)).code == "InvalidInstanceId.Mismatch"
    ecs.leave_security_group(leave)
    assert groups() == [EXTRA_SG]
    assert error_of(lambda: ecs.leave_security_group(leave)).code == "InstanceNotInSecurityGroup"
    last = m.LeaveSecurityGroupRequest(instance_id=iid, security_group_id=EXTRA_SG)
    assert error_of(lambda: ecs.leave_security_group(last)).code == "InstanceLastSecurityGroup"

    attach = m.AttachKeyPairRequest(region_id=REGION, key_pair_name=KEY_PAIR,
                                    instance_ids=json.dumps(ids + ["i-doesnotexist"]))
    results = ecs.attach_key_pair(attach).body
    assert (results.total_count, results.fail_count) == ("3", "1")
    assert {i.key_pair_name for i in describe(ecs, ids).instances.instance} == {KEY_PAIR}
    ecs.detach_key_pair(m.DetachKeyPairRequest(region_id=REGION, key_pair_name=KEY_PAIR, instance_ids=json.dumps(ids)))
    assert {i.key_pair_name for i in describe(ecs, ids).instances.instance} == {""}
    unknown = m.AttachKeyPairRequest(region_id=REGION, key_pair_name="no-such-key", instance_ids=json.dumps(ids))
    assert error_of(lambda: ecs.attach_key_pair(unknown)).code == "InvalidKeyPairName.NotFound"
