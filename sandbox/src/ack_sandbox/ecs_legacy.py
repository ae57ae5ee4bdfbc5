"""Per-instance ECS actions that older clients call: footmark, and through it community.general.ali_instance.

Shapes follow the SDK 7.11.8 response models; codes and rules follow the ECS API reference pages in
AlibabaCloudDocs/ecs (`intl.en-US/API Reference/...`, the source reference/ecs-api.md draws on). Where neither says,
the behaviour is marked UNCONFIRMED. sandbox/README.md lists each one.
"""

import base64
import binascii

from .ecs import HOST_RE, NAME_RE, _dry_run, _region, _type_cpu, _type_mem, action, password_problem
from .errors import ApiError, invalid, missing
from .params import json_list, page, required
from .world import ecs_time, iso_time, schedule

USER_DATA_LIMIT = 32 * 1024  # raw bytes; as RunInstances (reference/ecs-api.md §1.1; the 2021 page said 16 KB)
GROUPS_PER_INSTANCE = 5  # UNCONFIRMED: the usual ECS quota; the page only names InstanceSecurityGroupLimitExceeded
KEY_PAIR_BATCH = 50  # AttachKeyPair/DetachKeyPair: "a JSON array of up to 50 instance IDs"


def _one(ctx, live_only=True):
    """The instance `InstanceId` names. The singular actions carry no RegionId in the SDK models
    (reference/ecs-api.md §3); when a client sends one (aliyunsdkcore adds it), it must match."""
    iid = required(ctx.params, "InstanceId")
    inst = ctx.world.get("instance", iid)
    region = ctx.params.get("RegionId")
    if inst is None or (region and inst["region_id"] != region):
        raise ApiError(404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
    if live_only and inst.get("releasing"):
        raise _status_error()
    return inst


def _status_error():
    return ApiError(403, "IncorrectInstanceStatus",
                    "The current status of the resource does not support this operation.")


def _require_status(inst, *statuses):
    if inst["status"] not in statuses or inst.get("releasing"):
        raise _status_error()


# -- reads ------------------------------------------------------------------------------------------------------
@action("DescribeUserData", read_only=True)
def describe_user_data(ctx):
    """Base64 user data, the empty string when there is none (DescribeUserData.md). UserData given to RunInstances
    is not kept yet; ModifyInstanceAttribute sets it."""
    region = _region(ctx)
    inst = _one(ctx, live_only=False)
    if inst["region_id"] != region:
        raise ApiError(404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
    return {"InstanceId": inst["id"], "RegionId": region, "UserData": inst.get("user_data", "")}


def _system_disk(inst):
    """Each instance has one system disk, `d-<instance id suffix>`, attached as /dev/xvda and deleted with it
    (DescribeDisks.md JSON sample). Data disks are not modelled."""
    disk = inst.get("system_disk") or {}
    created = iso_time(inst["created"])
    return {
        "DiskId": "d-" + inst["id"][2:], "DiskName": "", "Description": "", "RegionId": inst["region_id"],
        "ZoneId": inst["zone_id"], "Type": "system", "Category": disk.get("category", "cloud_efficiency"),
        "Size": disk.get("size", 40), "Status": "In_use", "InstanceId": inst["id"], "Device": "/dev/xvda",
        "DeleteWithInstance": True, "DeleteAutoSnapshot": True, "EnableAutoSnapshot": False, "Encrypted": False,
        "Portable": False, "ImageId": inst["image_id"], "SourceSnapshotId": "", "DiskChargeType": "PostPaid",
        "CreationTime": created, "AttachedTime": created, "DetachedTime": "", "ExpiredTime": "2999-09-08T16:00Z",
        "ResourceGroupId": "", "SerialNumber": inst["id"][2:], "PerformanceLevel": "", "IOPS": 0,
        "Attachments": {"Attachment": [{"InstanceId": inst["id"], "Device": "/dev/xvda", "AttachedTime": created}]},
        "OperationLocks": {"OperationLock": []}, "Tags": {"Tag": []},
    }


@action("DescribeDisks", read_only=True)
def describe_disks(ctx):
    """System disks only; filters InstanceId, DiskIds (JSON array, at most 100), ZoneId, DiskType; PageNumber and
    PageSize up to 100 (DescribeDisks.md). Times carry seconds, unlike instance times."""
    region = _region(ctx)
    p = ctx.params
    ids = json_list(p, "DiskIds", limit=100)
    kind = (p.get("DiskType") or "all").lower()
    if kind not in ("all", "system", "data"):
        raise invalid("DiskType", "It must be all, system or data.")
    disks = []
    for inst in sorted(ctx.world.all("instance"), key=lambda i: (i["created"], i["id"])):
        if inst["region_id"] != region or kind == "data":
            continue
        if p.get("InstanceId") and inst["id"] != p["InstanceId"]:
            continue
        if p.get("ZoneId") and inst["zone_id"] != p["ZoneId"]:
            continue
        disk = _system_disk(inst)
        if ids is not None and disk["DiskId"] not in ids:
            continue
        disks.append(disk)
    chunk, fields = page(p, disks, 10, 100)
    return dict(fields, Disks={"Disk": chunk})


@action("DescribeInstanceAttribute", read_only=True)
def describe_instance_attribute(ctx):
    """One instance's attributes, flat as the SDK model has them; times to the minute like DescribeInstances."""
    inst = _one(ctx, live_only=False)
    itype = inst["instance_type"]
    return {
        "InstanceId": inst["id"], "InstanceName": inst["name"], "HostName": inst["host_name"],
        "Description": inst.get("description", ""), "Status": inst["status"], "InstanceType": itype,
        "Cpu": _type_cpu(itype), "Memory": _type_mem(itype),
        "RegionId": inst["region_id"], "ZoneId": inst["zone_id"], "ImageId": inst["image_id"],
        "InstanceNetworkType": "vpc", "InstanceChargeType": inst.get("charge_type", "PostPaid"),
        "InternetChargeType": "PayByTraffic", "InternetMaxBandwidthOut": inst.get("bandwidth_out", 0),
        "InternetMaxBandwidthIn": 100, "IoOptimized": "optimized", "CreationTime": ecs_time(inst["created"]),
        "ExpiredTime": "2099-12-31T15:59Z", "SerialNumber": inst["id"][2:], "StoppedMode": "Not-applicable",
        "VlanId": "", "ClusterId": "", "CreditSpecification": "",
        "SecurityGroupIds": {"SecurityGroupId": list(inst["security_group_ids"])},
        "EipAddress": {"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "InternetChargeType": ""},
        "PublicIpAddress": {"IpAddress": [inst["public_ip"]] if inst.get("public_ip") else []},
        "InnerIpAddress": {"IpAddress": []},
        "VpcAttributes": {"VpcId": inst["vpc_id"], "VSwitchId": inst["vswitch_id"], "NatIpAddress": "",
                          "PrivateIpAddress": {"IpAddress": [inst["private_ip"]]}},
        "OperationLocks": {"LockReason": []},
    }


# -- ModifyInstanceAttribute ------------------------------------------------------------------------------------
@action("ModifyInstanceAttribute")
def modify_instance_attribute(ctx):
    """InstanceName, Description, HostName, Password and UserData, each checked as ModifyInstanceAttribute.md says
    and all checked before any is set. The password is checked and never stored. Changing UserData needs a Stopped
    instance (UNCONFIRMED: the current API page says so, the 2021 snapshot is silent)."""
    p = ctx.params
    inst = _one(ctx)
    changes = {}
    name = p.get("InstanceName")
    if name:
        if not NAME_RE.match(name) or name.startswith(("http://", "https://")):
            raise ApiError(400, "InvalidInstanceName.Malformed", 'The specified parameter "InstanceName" is not valid.')
        changes["name"] = name
    description = p.get("Description")
    if description:
        if not 2 <= len(description) <= 256 or description.startswith(("http://", "https://")):
            raise ApiError(400, "InvalidDescription.Malformed", 'The specified parameter "Description" is not valid.')
        changes["description"] = description
    host = p.get("HostName")
    if host:
        if (len(host) < 2 or not HOST_RE.match(host) or ".." in host or "--" in host or ".-" in host
                or "-." in host):
            raise ApiError(400, "InvalidHostName.Malformed", 'The specified parameter "HostName" is not valid.')
        changes["host_name"] = host
    if p.get("Password") and password_problem(p["Password"]):
        raise ApiError(400, "InvalidPassword.Malformed", 'The specified parameter "Password" is not valid.')
    user_data = p.get("UserData")
    if user_data is not None and user_data != inst.get("user_data", ""):
        try:
            raw = base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("UserData", "It must be Base64 encoded.")
        if len(raw) > USER_DATA_LIMIT:
            raise ApiError(400, "InvalidUserData.SizeExceeded", 'The specified parameter "UserData" exceeds the size.')
        _require_status(inst, "Stopped")
        changes["user_data"] = user_data
    _dry_run(ctx)
    inst.update(changes)
    ctx.world.put("instance", inst["id"], inst)
    return {}


# -- StartInstance, StopInstance, RebootInstance ----------------------------------------------------------------
def _power_one(ctx, from_status, now_status, *steps):
    """The singular power actions footmark calls, one instance each (StartInstance.md, StopInstance.md,
    RebootInstance.md): 404 InvalidInstanceId.NotFound, 403 IncorrectInstanceStatus outside `from_status`;
    then the instance moves through `steps` on the profile's clock. The response is only a RequestId."""
    inst = _one(ctx)
    _require_status(inst, from_status)
    _dry_run(ctx)
    world = ctx.world
    due = world.now()
    timeline = []
    for profile_key, fields in steps:
        due += world.profile.seconds(profile_key)
        timeline.append((due, dict(fields, started=due) if fields.get("status") == "Running" else fields))
    inst["status"] = now_status
    schedule(inst, *timeline)
    world.put("instance", inst["id"], inst)
    return {}


@action("StartInstance")
def start_instance(ctx):
    return _power_one(ctx, "Stopped", "Starting", ("instance_starting", {"status": "Running"}))


@action("StopInstance")
def stop_instance(ctx):
    return _power_one(ctx, "Running", "Stopping", ("instance_stopping", {"status": "Stopped"}))


@action("RebootInstance")
def reboot_instance(ctx):
    """Running -> Stopping -> Starting -> Running."""
    return _power_one(ctx, "Running", "Stopping", ("instance_stopping", {"status": "Starting"}),
                      ("instance_starting", {"status": "Running"}))


# -- public IP, security groups, key pairs ----------------------------------------------------------------------
@action("AllocatePublicIpAddress")
def allocate_public_ip_address(ctx):
    """A public IP for a Running or Stopped instance; 403 AllocatedAlready when it has one
    (AllocatePublicIpAddress.md). `IpAddress` and `VlanId` (classic network) are not modelled. Whether an
    instance with no outbound bandwidth may get one is UNCONFIRMED: the sandbox allows it."""
    inst = _one(ctx)
    _require_status(inst, "Running", "Stopped")
    if inst.get("public_ip"):
        raise ApiError(403, "AllocatedAlready", "There is an IpAddress allocated already for the specified instance.")
    _dry_run(ctx)
    number = int(inst["id"][-6:], 36) % (254 * 254)
    inst["public_ip"] = f"47.{98 + number // 64516 % 10}.{number // 254 % 254 + 1}.{number % 254 + 1}"
    ctx.world.put("instance", inst["id"], inst)
    return {"IpAddress": inst["public_ip"]}


def _group_and_instance(ctx):
    """JoinSecurityGroup.md / LeaveSecurityGroup.md: the group, then the instance (ENIs are not modelled), which
    must be Running or Stopped."""
    p = ctx.params
    gid = required(p, "SecurityGroupId")
    if not p.get("InstanceId"):
        raise missing("InstanceId")
    group = ctx.world.get("security_group", gid)
    inst = _one(ctx)
    if group is None or ctx.world.get("vpc", group["vpc_id"])["region_id"] != inst["region_id"]:
        raise ApiError(404, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
    _require_status(inst, "Running", "Stopped")
    return group, inst


@action("JoinSecurityGroup")
def join_security_group(ctx):
    group, inst = _group_and_instance(ctx)
    if group["vpc_id"] != inst["vpc_id"]:
        raise ApiError(400, "InvalidInstanceId.Mismatch", "Specified instance and security group are not in the "
                                                          "same VPC.")
    if group["id"] in inst["security_group_ids"]:
        raise ApiError(403, "InvalidInstanceId.AlreadyExists", "The specified instance already exists in the "
                                                               "specified security group.")
    if len(inst["security_group_ids"]) >= GROUPS_PER_INSTANCE:
        raise ApiError(400, "InstanceSecurityGroupLimitExceeded", "Exceeding the allowed amount of security groups "
                                                                  "that an instance can be in.")
    _dry_run(ctx)
    inst["security_group_ids"] = list(inst["security_group_ids"]) + [group["id"]]
    ctx.world.put("instance", inst["id"], inst)
    return {}


@action("LeaveSecurityGroup")
def leave_security_group(ctx):
    group, inst = _group_and_instance(ctx)
    if group["id"] not in inst["security_group_ids"]:
        raise ApiError(403, "InstanceNotInSecurityGroup", "The instance not in the group.")
    if len(inst["security_group_ids"]) == 1:
        raise ApiError(403, "InstanceLastSecurityGroup", "The specified security group is the last security group "
                                                         "for the instance.")
    _dry_run(ctx)
    inst["security_group_ids"] = [g for g in inst["security_group_ids"] if g != group["id"]]
    ctx.world.put("instance", inst["id"], inst)
    return {}


def _key_pair_call(ctx, attach):
    """AttachKeyPair.md / DetachKeyPair.md: RegionId, KeyPairName and InstanceIds (a JSON array of at most 50).
    An unknown key pair is 400 InvalidKeyPairName.NotFound (DetachKeyPair.md; AttachKeyPair.md lists no code, so
    the same one: UNCONFIRMED). Each instance gets its own result; an unknown one fails alone with
    InvalidInstanceId.NotFound (UNCONFIRMED). Detaching a key pair an instance does not carry succeeds
    (UNCONFIRMED)."""
    region = _region(ctx)
    p = ctx.params
    name = required(p, "KeyPairName")
    ids = json_list(p, "InstanceIds", limit=KEY_PAIR_BATCH)
    if not ids:
        raise missing("InstanceIds")
    if ctx.world.get("key_pair", f"{region}/{name}") is None:
        raise ApiError(400, "InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist in our records.")
    _dry_run(ctx)
    results = []
    for iid in ids:
        inst = ctx.world.get("instance", iid)
        if inst is None or inst["region_id"] != region or inst.get("releasing"):
            results.append({"InstanceId": iid, "Success": "false", "Code": "InvalidInstanceId.NotFound",
                            "Message": "The specified InstanceId does not exist."})
            continue
        if attach:
            inst["key_pair_name"] = name
        elif inst.get("key_pair_name") == name:
            inst["key_pair_name"] = None
        ctx.world.put("instance", iid, inst)
        results.append({"InstanceId": iid, "Success": "true", "Code": "200", "Message": "successful"})
    failed = sum(1 for r in results if r["Success"] != "true")
    return {"KeyPairName": name, "TotalCount": str(len(results)), "FailCount": str(failed),
            "Results": {"Result": results}}


@action("AttachKeyPair")
def attach_key_pair(ctx):
    return _key_pair_call(ctx, attach=True)


@action("DetachKeyPair")
def detach_key_pair(ctx):
    return _key_pair_call(ctx, attach=False)

