"""ECS 2014-05-26 RPC actions, with the request checks, response shapes and error codes of reference/ecs-api.md."""

import base64
import binascii
import hashlib
import json
import re

from . import fixture
from .errors import ApiError, invalid, missing
from .params import boolean, indexed, integer, json_list, page, required, tags
from .world import ecs_time, new_id, schedule

ACTIONS = {}
READ_ONLY = set()


def action(name, read_only=False):
    def register(func):
        ACTIONS[name] = func
        if read_only:
            READ_ONLY.add(name)
        return func
    return register


# -- validation rules -----------------------------------------------------------------------------------------
PASSWORD_SPECIALS = set("()`~!@#$%^&*-_+=|{}[]:;'<>,.?/")
NAME_RE = re.compile(r"^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5:_.\-]{1,127}$")
HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,62}[A-Za-z0-9])?$")
SEQUENCE_RE = re.compile(r"^(.+?)\[(\d*)(?:,(\d*))?\](.*)$")
DISK_CATEGORIES = {"cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "ephemeral_ssd", "cloud_auto",
                   "cloud_essd_entry"}
STATUSES = {"Pending", "Running", "Starting", "Stopping", "Stopped"}


def password_problem(password):
    """The ECS/ACK login password rule; returns what is wrong, or None. Never echoes the password."""
    if not 8 <= len(password) <= 30:
        return "it must be 8 to 30 characters long"
    if any(not (c.isascii() and (c.isalnum() or c in PASSWORD_SPECIALS)) for c in password):
        return "it may only contain letters, digits and ()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
    classes = sum([any(c.isupper() for c in password), any(c.islower() for c in password),
                   any(c.isdigit() for c in password), any(c in PASSWORD_SPECIALS for c in password)])
    if classes < 3:
        return "it must contain at least three of: upper case, lower case, digits, special characters"
    return None


def check_tags(pairs, limit=20):
    if len(pairs) > limit:
        raise ApiError(400, "InvalidTagCount", f"The number of tags exceeds the limit of {limit}.")
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ApiError(400, "Duplicate.TagKey", "The Tag.N.Key contain duplicate key.")
    for key, value in pairs:
        if not key or len(key) > 128 or key.startswith(("acs:", "aliyun")) or "http://" in key or "https://" in key:
            raise ApiError(400, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid.")
        if len(value) > 128 or value.startswith("acs:") or "http://" in value or "https://" in value:
            raise ApiError(400, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid.")


def expand_names(pattern, amount, unique_suffix, default):
    """ECS names: `prefix[begin,bits]suffix` numbers each instance; UniqueSuffix appends 001, 002 ..."""
    if not pattern:
        return [None] * amount
    match = SEQUENCE_RE.match(pattern)
    if match:
        prefix, begin, bits, suffix = match.groups()
        start = int(begin) if begin else 0
        width = int(bits) if bits else 6
        if width < 1 or width > 6 or len(str(start)) > width:
            width = 6
        return [f"{prefix}{str(start + i).zfill(width)}{suffix}" for i in range(amount)]
    if unique_suffix and amount > 1:
        return [f"{pattern}{i + 1:03d}" for i in range(amount)]
    return [pattern] * amount


def _living(world, region):
    return [i for i in world.all("instance") if i["region_id"] == region]


def used_vcpus(world, region):
    """The pay-as-you-go vCPUs the region's living instances hold: what the quota counts."""
    return sum((world.get("instance_type", i["instance_type"]) or {"cpu": 0})["cpu"] for i in _living(world, region))


def _instance(world, region, iid):
    inst = world.get("instance", iid)
    if inst is None or inst["region_id"] != region:
        raise ApiError(404, "InvalidInstanceId.NotFound", f"The specified InstanceId does not exist: {iid}.")
    return inst


def _region(ctx):
    region = required(ctx.params, "RegionId")
    if ctx.world.get("region", region) is None:
        raise ApiError(404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")
    return region


def _dry_run(ctx):
    if boolean(ctx.params.get("DryRun")):
        raise ApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")


# -- RunInstances ---------------------------------------------------------------------------------------------
TOKEN_EXEMPT = {"ClientToken", "DryRun"}


def _fingerprint(params):
    material = json.dumps(sorted((k, v) for k, v in params.items() if k not in TOKEN_EXEMPT))
    return hashlib.sha256(material.encode()).hexdigest()


def _token_failed(ctx, token, dry_run):
    """A request that failed spends its token: the same token again is answered IdempotentFailed, and the client
    must change it (ack-facts §4.1, the zh idempotency doc and the bosh CPI's handling). Whether ECS answers that
    code, or replays the first failure, is UNCONFIRMED; both mean "change the token"."""
    if token and not dry_run:
        ctx.world.put("token", f"RunInstances/{token}", {"id": f"RunInstances/{token}", "failed": True,
                                                          "fingerprint": _fingerprint(ctx.params),
                                                          "created": ctx.world.now()})


@action("RunInstances")
def run_instances(ctx):
    world, p = ctx.world, ctx.params
    region = _region(ctx)
    token = p.get("ClientToken")
    dry_run = boolean(p.get("DryRun"))
    if token is not None:
        if not token or len(token) > 64 or not token.isascii():
            raise ApiError(400, "InvalidClientToken.ValueNotSupported", "The ClientToken provided is invalid.")
        seen = world.get("token", f"RunInstances/{token}")
        if not dry_run and ctx.faults.token_processing():
            raise ApiError(400, "IdempotentProcessing", "The previous idempotent request(s) is still processing.")
        if seen is not None and not dry_run and seen.get("response") and world.setting("token_after_release") == \
                "forget" and not any(world.get("instance", i) for i in seen["response"]["InstanceIdSets"]["InstanceIdSet"]):
            seen = None  # forgotten: every instance it bought is gone
        if seen is not None and not dry_run:
            if seen["fingerprint"] != _fingerprint(p):
                raise ApiError(400, "IdempotentParameterMismatch", "The request is retried with updated parameters.")
            if seen.get("failed"):
                raise ApiError(400, "IdempotentFailed", "The previous idempotent request(s) has failed due to some "
                                                        "unknown error, exception or failure.")
            return seen["response"]

    image_id = required(p, "ImageId")
    type_id = required(p, "InstanceType")
    vswitch_id = p.get("VSwitchId")
    amount = integer(p, "Amount", 1, 1, 100,
                     code=ApiError(403, "InvalidParam.Amount", "The specified parameter Amount is not valid (1-100)."))
    min_amount = integer(p, "MinAmount", None, 1, 100,
                         code=ApiError(400, "InvalidMinAmount.Malformed", "The specified MinAmount is not valid."))
    if min_amount is not None and min_amount > amount:
        raise ApiError(400, "InvalidMinAmount.Malformed", "The MinAmount must not be greater than Amount.")

    groups = indexed(p, "SecurityGroupIds")
    if p.get("SecurityGroupId"):
        if groups:
            raise invalid("SecurityGroupIds", "SecurityGroupId and SecurityGroupIds.N are mutually exclusive.")
        groups = [p["SecurityGroupId"]]
    if not groups:
        raise missing("SecurityGroupId")
    if not vswitch_id:
        raise missing("VSwitchId")

    image = world.get("image", image_id)
    if image is None:
        raise ApiError(404, "InvalidImageId.NotFound", "The specified ImageId does not exist.")
    itype = world.get("instance_type", type_id)
    if itype is None:
        raise ApiError(400, "InvalidInstanceType.ValueNotSupported",
                       "The specified InstanceType does not exist or beyond the permitted range.")
    vswitch = world.get("vswitch", vswitch_id)
    if vswitch is None or world.get("vpc", vswitch["vpc_id"])["region_id"] != region:
        raise ApiError(404, "InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.")
    for gid in groups:
        group = world.get("security_group", gid)
        if group is None or world.get("vpc", group["vpc_id"])["region_id"] != region:
            raise ApiError(404, "InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
        if group["vpc_id"] != vswitch["vpc_id"]:
            raise ApiError(400, "InvalidParameter.Mismatch",
                           "Specified security group and virtual switch are not in the same VPC.")
    zone = p.get("ZoneId") or vswitch["zone_id"]
    if world.get("zone", zone) is None:
        raise ApiError(404, "InvalidZoneId.NotFound", "The specified zoneId does not exist.")
    if zone != vswitch["zone_id"]:
        raise ApiError(400, "InvalidParameter.Mismatch", "Specified virtual switch is not in the specified zone.")

    unique = boolean(p.get("UniqueSuffix"))
    names = expand_names(p.get("InstanceName"), amount, unique, None)
    for name in names:
        if name is not None and (not NAME_RE.match(name) or name.startswith(("http://", "https://"))):
            raise ApiError(400, "InvalidInstanceName.Malformed", "The specified parameter InstanceName is not valid.")
    if unique and p.get("InstanceName") and any(n and len(n) > 128 for n in names):
        raise ApiError(403, "InvalidParams.InstanceNameExceed", "The InstanceName is too long for UniqueSuffix.")
    hosts = expand_names(p.get("HostName"), amount, unique, None)
    for host in hosts:
        if host is not None and (len(host) < 2 or not HOST_RE.match(host) or ".." in host or "--" in host
                                 or ".-" in host or "-." in host):
            raise ApiError(400, "InvalidHostName.Malformed", "The specified parameter HostName is not valid.")
    if p.get("Password") is not None and p.get("Password") != "":
        if password_problem(p["Password"]):
            raise ApiError(400, "InvalidPassword.Malformed", "The specified parameter Password is not valid.")
    user_data = p.get("UserData")
    if user_data:
        try:
            raw = base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("UserData", "It must be Base64 encoded.")
        if len(raw) > 32 * 1024:
            raise ApiError(400, "InvalidUserData.SizeExceeded", "The specified UserData exceeds the size limit.")
    pairs = tags(p)
    check_tags(pairs)
    category = p.get("SystemDisk.Category") or "cloud_efficiency"
    if category not in DISK_CATEGORIES:
        raise ApiError(400, "InvalidSystemDiskCategory.ValueNotSupported",
                       "The specified SystemDisk.Category is not supported.")
    size = integer(p, "SystemDisk.Size", max(40, image["size"]), 1, 2048,
                   code=ApiError(400, "InvalidSystemDiskSize.ValueNotSupported",
                                 "The specified SystemDisk.Size is not supported."))
    if size < image["size"]:
        raise ApiError(404, "InvalidSystemDiskSize.LessThanImageSize",
                       "The specified SystemDisk.Size is less than the image size.")
    if size > 500:
        raise ApiError(400, "InvalidSystemDiskSize.ValueNotSupported", "The specified SystemDisk.Size is not supported.")
    bandwidth = integer(p, "InternetMaxBandwidthOut", 0, 0, 100)

    available = itype["stock"].get(zone, 0)
    if ctx.faults.no_stock(zone, type_id):
        available = 0
    wanted = amount
    if available < amount:
        if min_amount is None or available < min_amount:
            _token_failed(ctx, token, dry_run)
            raise ApiError(403, "OperationDenied.NoStock",
                           "The requested resource is sold out in the specified zone; try other types of resources "
                           "or other regions and zones.")
        wanted = available
    if used_vcpus(world, region) + wanted * itype["cpu"] > world.get("region", region)["vcpu_quota"]:
        _token_failed(ctx, token, dry_run)
        raise ApiError(403, "QuotaExceed.ElasticQuota", "The number of vCPUs assigned to the ECS instances has "
                                                         "exceeded the quota in the zone.")
    _dry_run(ctx)

    now = world.now()
    delay = ctx.faults.slow_boot()
    ids = []
    for index in range(wanted):
        iid = new_id("i-" + world.get("region", region).get("id_prefix", "bp1"), 17)
        ids.append(iid)
        ip = fixture.allocate_ip(vswitch)
        instance = {
            "id": iid, "name": names[index] or iid, "host_name": hosts[index] or f"iZ{iid[2:]}Z",
            "region_id": region, "zone_id": zone, "vpc_id": vswitch["vpc_id"], "vswitch_id": vswitch_id,
            "security_group_ids": groups, "image_id": image_id, "instance_type": type_id, "status": "Pending",
            "created": now + index * 1e-6, "started": None, "private_ip": ip,
            "public_ip": f"47.{96 + vswitch['next_host'] // 65536}.{vswitch['next_host'] // 256 % 256}."
                         f"{vswitch['next_host'] % 256}" if bandwidth else None,
            "bandwidth_out": bandwidth, "tags": dict(pairs),
            "system_disk": {"category": category, "size": size},
            "key_pair_name": p.get("KeyPairName") or None, "description": p.get("Description", ""),
            "charge_type": p.get("InstanceChargeType") or "PostPaid",
        }
        boot = now + world.profile.seconds("instance_pending")
        running = boot + world.profile.seconds("instance_starting") + delay
        schedule(instance, (boot, {"status": "Starting"}), (running, {"status": "Running", "started": running}))
        world.put("instance", iid, instance)
    world.put("vswitch", vswitch_id, vswitch)
    itype["stock"][zone] = itype["stock"].get(zone, 0) - wanted
    world.put("instance_type", type_id, itype)
    response = {"InstanceIdSets": {"InstanceIdSet": ids}, "TradePrice": round(0.165 * wanted, 3)}
    if token is not None:
        world.put("token", f"RunInstances/{token}", {"id": f"RunInstances/{token}", "fingerprint": _fingerprint(p),
                                                    "response": response, "created": now})
    return response


# -- DescribeInstances ----------------------------------------------------------------------------------------
def render_instance(inst):
    """One instance of DescribeInstances, its keys in the order of the real response.

    The order is that of the JSON sample in the DescribeInstances reference (AlibabaCloudDocs/ecs, `intl.en-US/API
    Reference/Instances/DescribeInstances.md`; reference/ecs-api.md §2 lists it as a source). JSON objects are
    unordered, but footmark is not: it sets the fields one by one, nested objects first, and setting
    `PublicIpAddress` reads `eip_address`; if that is not set yet, the AttributeError it raises formats the
    instance's repr, which reads `instance_id`, which is not set either, and so on until RecursionError
    (footmark 1.26.0 `ecs/instance.py` lines 18, 22, 49, 62). In the real order `EipAddress` comes first.
    """
    itype = inst["instance_type"]
    started = ecs_time(inst["started"]) if inst.get("started") else ""
    return {
        "ResourceGroupId": "", "Memory": _type_mem(itype), "InstanceChargeType": inst.get("charge_type", "PostPaid"),
        "Cpu": _type_cpu(itype), "OSName": inst["image_id"], "InstanceNetworkType": "vpc",
        "InnerIpAddress": {"IpAddress": []}, "ExpiredTime": "2099-12-31T15:59Z", "ImageId": inst["image_id"],
        "EipAddress": {"AllocationId": "", "IpAddress": "", "Bandwidth": 0, "InternetChargeType": ""},
        "HostName": inst["host_name"],
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in sorted(inst["tags"].items())]},
        "VlanId": "", "Status": inst["status"],
        "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "optional"},
        "InstanceId": inst["id"], "StoppedMode": "Not-applicable",
        "CpuOptions": {"CoreCount": _type_cpu(itype) // 2 or 1, "ThreadsPerCore": 2, "Numa": ""},
        "StartTime": started, "DeletionProtection": False,
        "SecurityGroupIds": {"SecurityGroupId": list(inst["security_group_ids"])},
        "VpcAttributes": {"PrivateIpAddress": {"IpAddress": [inst["private_ip"]]}, "VpcId": inst["vpc_id"],
                          "VSwitchId": inst["vswitch_id"], "NatIpAddress": ""},
        "InternetChargeType": "PayByTraffic", "InstanceName": inst["name"], "DeploymentSetId": "",
        "InternetMaxBandwidthOut": inst.get("bandwidth_out", 0), "SerialNumber": inst["id"][2:], "OSType": "linux",
        "CreationTime": ecs_time(inst["created"]), "AutoReleaseTime": "", "Description": inst.get("description", ""),
        "InstanceTypeFamily": ".".join(itype.split(".")[:2]),
        "DedicatedInstanceAttribute": {"Tenancy": "", "Affinity": ""},
        "PublicIpAddress": {"IpAddress": [inst["public_ip"]] if inst.get("public_ip") else []},
        "GPUSpec": "",
        "NetworkInterfaces": {"NetworkInterface": [{
            "Type": "Primary", "PrimaryIpAddress": inst["private_ip"], "NetworkInterfaceId": "eni-" + inst["id"][2:],
            "MacAddress": "00:16:3e:00:00:01",
            "PrivateIpSets": {"PrivateIpSet": [{"PrivateIpAddress": inst["private_ip"], "Primary": True}]},
        }]},
        "SpotPriceLimit": 0.0, "DeviceAvailable": True, "SaleCycle": "", "InstanceType": itype,
        "OSNameEn": inst["image_id"], "SpotStrategy": "NoSpot", "IoOptimized": True, "ZoneId": inst["zone_id"],
        "ClusterId": "",
        "EcsCapacityReservationAttr": {"CapacityReservationPreference": "", "CapacityReservationId": ""},
        "DedicatedHostAttribute": {"DedicatedHostId": "", "DedicatedHostName": "", "DedicatedHostClusterId": ""},
        "GPUAmount": 0, "OperationLocks": {"LockReason": []}, "InternetMaxBandwidthIn": 100, "Recyclable": False,
        "RegionId": inst["region_id"], "CreditSpecification": "",
        "KeyPairName": inst.get("key_pair_name") or "",
    }


_TYPES = {"ecs.g6.large": (2, 8192), "ecs.g6.xlarge": (4, 16384), "ecs.c6.large": (2, 4096),
          "ecs.g7.large": (2, 8192)}


def _type_cpu(itype):
    return _TYPES.get(itype, (2, 8192))[0]


def _type_mem(itype):
    return _TYPES.get(itype, (2, 8192))[1]


def _wildcard(pattern):
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


@action("DescribeInstances", read_only=True)
def describe_instances(ctx):
    world, p = ctx.world, ctx.params
    region = _region(ctx)
    ids = json_list(p, "InstanceIds", limit=100)
    status = p.get("Status")
    if status and status not in STATUSES:
        raise ApiError(404, "InvalidStatus.NotFound", "The specified Status is not found.")
    wanted_tags = tags(p)
    name = _wildcard(p["InstanceName"]) if p.get("InstanceName") else None
    found = []
    for inst in _living(world, region):
        if ids is not None and inst["id"] not in ids:
            continue
        if status and inst["status"] != status:
            continue
        if name and not name.match(inst["name"]):
            continue
        if any(p.get(field) and inst[key] != p[field] for field, key in (
                ("VpcId", "vpc_id"), ("VSwitchId", "vswitch_id"), ("ZoneId", "zone_id"),
                ("InstanceType", "instance_type"), ("ImageId", "image_id"), ("KeyPairName", "key_pair_name"))):
            continue
        if p.get("SecurityGroupId") and p["SecurityGroupId"] not in inst["security_group_ids"]:
            continue
        if any(k not in inst["tags"] or (v and inst["tags"][k] != v) for k, v in wanted_tags):
            continue
        found.append(inst)
    found.sort(key=lambda i: (i["created"], i["id"]))
    if p.get("NextToken") or p.get("MaxResults"):
        size = integer(p, "MaxResults", 10, 1, 100)
        size = max(size, 10)
        start = _decode_token(p.get("NextToken"))
        chunk = found[start:start + size]
        nxt = start + size
        fields = {"NextToken": _encode_token(nxt) if nxt < len(found) else "", "TotalCount": len(found)}
    else:
        chunk, fields = page(p, found)
    return dict(fields, Instances={"Instance": [render_instance(i) for i in chunk]})


def _encode_token(offset):
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _decode_token(token):
    if not token:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "o":
            return int(value)
    except (ValueError, binascii.Error):
        pass
    raise ApiError(400, "InvalidNextToken.Malformed", "The specified NextToken is not valid.")


@action("DescribeInstanceStatus", read_only=True)
def describe_instance_status(ctx):
    region = _region(ctx)
    ids = indexed(ctx.params, "InstanceId")
    found = [i for i in _living(ctx.world, region) if not ids or i["id"] in ids]
    found.sort(key=lambda i: (i["created"], i["id"]))
    chunk, fields = page(ctx.params, found, 10, 50)
    return dict(fields, InstanceStatuses={"InstanceStatus": [{"InstanceId": i["id"], "Status": i["status"]}
                                                               for i in chunk]})


# -- start, stop, delete ----------------------------------------------------------------------------------------
def _instance_ids(p, limit=100):
    ids = indexed(p, "InstanceId")
    if not ids:
        raise missing("InstanceId.1")
    if len(ids) > limit:
        raise invalid("InstanceId", f"At most {limit} instances are allowed.")
    return ids


def _power(ctx, from_status, via, to, seconds_key):
    world, p = ctx.world, ctx.params
    region = _region(ctx)
    ids = _instance_ids(p)
    success_first = p.get("BatchOptimization") == "SuccessFirst"
    responses, todo = [], []
    for iid in ids:
        inst = world.get("instance", iid)
        if inst is None or inst["region_id"] != region:
            if not success_first:
                raise ApiError(404, "InvalidInstanceId.NotFound", f"The specified InstanceId does not exist: {iid}.")
            responses.append({"InstanceId": iid, "Code": "InvalidInstanceId.NotFound",
                              "Message": "The specified InstanceId does not exist."})
            continue
        if inst["status"] != from_status or inst.get("releasing"):
            if not success_first:
                raise ApiError(403, "IncorrectInstanceStatus",
                               f"The current status of the resource does not support this operation: {iid} is "
                               f"{inst['status']}.")
            responses.append({"InstanceId": iid, "Code": "IncorrectInstanceStatus",
                              "Message": "The current status of the resource does not support this operation."})
            continue
        todo.append(inst)
    if boolean(p.get("DryRun")):
        raise ApiError(400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")
    now = world.now()
    for inst in todo:
        responses.append({"InstanceId": inst["id"], "Code": "200", "Message": "success",
                          "PreviousStatus": inst["status"], "CurrentStatus": via})
        inst["status"] = via
        done = now + world.profile.seconds(seconds_key)
        fields = {"status": to}
        if to == "Running":
            fields["started"] = done
        schedule(inst, (done, fields))
        world.put("instance", inst["id"], inst)
    return {"InstanceResponses": {"InstanceResponse": responses}}


@action("StartInstances")
def start_instances(ctx):
    return _power(ctx, "Stopped", "Starting", "Running", "instance_starting")


@action("StopInstances")
def stop_instances(ctx):
    return _power(ctx, "Running", "Stopping", "Stopped", "instance_stopping")


def release(world, inst):
    """Release an instance: stock comes back, and ACK's cloud controller drops any node it backed."""
    world.delete("instance", inst["id"])
    itype = world.get("instance_type", inst["instance_type"])
    if itype is not None:
        itype["stock"][inst["zone_id"]] = itype["stock"].get(inst["zone_id"], 0) + 1
        world.put("instance_type", itype["id"], itype)
    for node in world.all("node"):
        if node["instance_id"] == inst["id"]:
            world.delete("node", node["id"])
            cluster = world.get("cluster", node["cluster_id"])
            if cluster is not None:
                cluster["size"] = max(0, cluster.get("size", 1) - 1)
                world.put("cluster", cluster["id"], cluster)


def _delete(ctx, ids):
    world, p = ctx.world, ctx.params
    force = boolean(p.get("Force"))
    instances = []
    for iid in ids:
        inst = world.get("instance", iid)
        if inst is None:
            raise ApiError(404, "InvalidInstanceId.NotFound", f"The specified InstanceId does not exist: {iid}.")
        if not force and inst["status"] != "Stopped":
            raise ApiError(403, "IncorrectInstanceStatus",
                           f"The current status of the resource does not support this operation: {iid} is "
                           f"{inst['status']}; stop it first or set Force.")
        instances.append(inst)
    _dry_run(ctx)
    for inst in instances:
        begin_release(world, inst)
    return {}


def begin_release(world, inst):
    """DeleteInstance(s) takes time: a live instance shows `Stopping` (a stopped one stays `Stopped`) for the
    profile's `instance_releasing`, then it is gone. A second delete while that runs changes nothing.

    UNCONFIRMED: ECS documents no release duration (reference/ecs-api.md §2.3) and names no state for an instance
    being released; `Stopping` is what a forced release (power-off, §3 DeleteInstances) looks like from outside.
    Clients poll until DescribeInstances stops listing it (footmark's delete_instances, §2.3)."""
    if inst.get("releasing"):
        return
    inst["releasing"] = True
    if inst["status"] != "Stopped":
        inst["status"] = "Stopping"
    schedule(inst, (world.later("instance_releasing"), {"released": True}))
    world.put("instance", inst["id"], inst)


def reap_released(world, now):
    """After each tick: instances whose release time has come leave the world (see begin_release)."""
    for inst in world.all("instance"):
        if inst.get("released"):
            release(world, inst)


@action("DeleteInstances")
def delete_instances(ctx):
    region = _region(ctx)
    ids = _instance_ids(ctx.params)
    for iid in ids:
        _instance(ctx.world, region, iid)
    return _delete(ctx, ids)


@action("DeleteInstance")
def delete_instance(ctx):
    return _delete(ctx, [required(ctx.params, "InstanceId")])


# -- tags -----------------------------------------------------------------------------------------------------
def _tag_targets(ctx):
    region = _region(ctx)
    rtype = required(ctx.params, "ResourceType")
    if rtype.lower() != "instance":
        raise ApiError(404, "InvalidResourceType.NotFound", f"The sandbox tags instances only, not {rtype}.")
    ids = indexed(ctx.params, "ResourceId")
    if not ids:
        raise missing("ResourceId.1")
    if len(ids) > 50:
        raise ApiError(400, "NumberExceed.ResourceIds", "The maximum number of ResourceIds is exceeded. Valid : 50")
    found = []
    for iid in ids:
        inst = ctx.world.get("instance", iid)
        if inst is None or inst["region_id"] != region:
            raise ApiError(404, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
        found.append(inst)
    return found


@action("TagResources")
def tag_resources(ctx):
    instances = _tag_targets(ctx)
    pairs = tags(ctx.params)
    if not pairs:
        raise ApiError(404, "MissingParameter.Tags", "The parameter Tags is required.")
    check_tags(pairs)
    for inst in instances:
        merged = dict(inst["tags"], **dict(pairs))
        if len(merged) > 20:
            raise ApiError(400, "NumberExceed.Tags", "The maximum number of Tags is exceeded. Valid : 20")
    for inst in instances:
        inst["tags"].update(dict(pairs))
        ctx.world.put("instance", inst["id"], inst)
    return {}


@action("UntagResources")
def untag_resources(ctx):
    instances = _tag_targets(ctx)
    keys = indexed(ctx.params, "TagKey")
    remove_all = boolean(ctx.params.get("All"))
    for inst in instances:
        for key in list(inst["tags"]):
            if remove_all or key in keys:
                del inst["tags"][key]
        ctx.world.put("instance", inst["id"], inst)
    return {}


@action("ListTagResources", read_only=True)
def list_tag_resources(ctx):
    region = _region(ctx)
    p = ctx.params
    if required(p, "ResourceType").lower() != "instance":
        raise ApiError(404, "InvalidResourceType.NotFound", "The sandbox tags instances only.")
    ids = indexed(p, "ResourceId")
    wanted = tags(p)
    if not ids and not wanted:
        raise missing("ResourceId.N or Tag.N")
    rows = []
    for inst in sorted(_living(ctx.world, region), key=lambda i: (i["created"], i["id"])):
        if ids and inst["id"] not in ids:
            continue
        if any(k not in inst["tags"] or (v and inst["tags"][k] != v) for k, v in wanted):
            continue
        rows.extend({"ResourceId": inst["id"], "ResourceType": "instance", "TagKey": k, "TagValue": v}
                    for k, v in sorted(inst["tags"].items()))
    start = _decode_token(p.get("NextToken"))
    chunk = rows[start:start + 50]
    nxt = start + 50
    return {"NextToken": _encode_token(nxt) if nxt < len(rows) else "", "TagResources": {"TagResource": chunk}}


# -- network, images, zones -----------------------------------------------------------------------------------
@action("DescribeRegions", read_only=True)
def describe_regions(ctx):
    return {"Regions": {"Region": [
        {"RegionId": r["id"], "LocalName": r["local_name"], "RegionEndpoint": f"ecs.{r['id']}.aliyuncs.com",
         "Status": "available"} for r in ctx.world.all("region")]}}


@action("DescribeZones", read_only=True)
def describe_zones(ctx):
    region = _region(ctx)
    zones = []
    for zone in sorted(ctx.world.all("zone"), key=lambda z: z["id"]):
        if zone["region_id"] != region:
            continue
        types = sorted(t["id"] for t in ctx.world.all("instance_type") if zone["id"] in t["stock"])
        zones.append({"ZoneId": zone["id"], "LocalName": zone["local_name"], "ZoneType": "AvailabilityZone",
                      "AvailableInstanceTypes": {"InstanceTypes": types},
                      "AvailableResourceCreation": {"ResourceTypes": ["Instance", "Disk", "VSwitch"]},
                      "AvailableDiskCategories": {"DiskCategories": ["cloud_efficiency", "cloud_essd"]},
                      "AvailableResources": {"ResourcesInfo": [{
                          "IoOptimized": True, "InstanceTypes": {"supportedInstanceType": types},
                          "SystemDiskCategories": {"supportedSystemDiskCategory": ["cloud_efficiency", "cloud_essd"]},
                          "NetworkTypes": {"supportedNetworkCategory": ["vpc"]}}]}})
    return {"Zones": {"Zone": zones}}


@action("DescribeVpcs", read_only=True)
def describe_vpcs(ctx):
    region = _region(ctx)
    vpcs = sorted((v for v in ctx.world.all("vpc") if v["region_id"] == region
                   and (not ctx.params.get("VpcId") or v["id"] == ctx.params["VpcId"])), key=lambda v: v["id"])
    chunk, fields = page(ctx.params, vpcs, 10, 50)
    rows = []
    for vpc in chunk:
        switches = sorted(s["id"] for s in ctx.world.all("vswitch") if s["vpc_id"] == vpc["id"])
        rows.append({"VpcId": vpc["id"], "VpcName": vpc["name"], "RegionId": region, "Status": "Available",
                     "CidrBlock": vpc["cidr"], "VRouterId": vpc["vrouter_id"], "IsDefault": False,
                     "CreationTime": ecs_time(vpc["created"]), "Description": "",
                     "VSwitchIds": {"VSwitchId": switches}, "UserCidrs": {"UserCidr": []}})
    return dict(fields, Vpcs={"Vpc": rows})


@action("DescribeVSwitches", read_only=True)
def describe_vswitches(ctx):
    region = _region(ctx)
    p = ctx.params
    rows = []
    for s in sorted(ctx.world.all("vswitch"), key=lambda s: s["id"]):
        if ctx.world.get("vpc", s["vpc_id"])["region_id"] != region:
            continue
        if any(p.get(f) and s[k] != p[f] for f, k in (("VpcId", "vpc_id"), ("VSwitchId", "id"), ("ZoneId", "zone_id"))):
            continue
        rows.append(s)
    chunk, fields = page(p, rows, 10, 50)
    return dict(fields, VSwitches={"VSwitch": [
        {"VSwitchId": s["id"], "VSwitchName": s["name"], "VpcId": s["vpc_id"], "ZoneId": s["zone_id"],
         "CidrBlock": s["cidr"], "AvailableIpAddressCount": 4000 - s["next_host"], "Status": "Available",
         "IsDefault": False, "CreationTime": ecs_time(s["created"]), "Description": "", "ResourceGroupId": ""}
        for s in chunk]})


@action("DescribeSecurityGroups", read_only=True)
def describe_security_groups(ctx):
    region = _region(ctx)
    p = ctx.params
    ids = json_list(p, "SecurityGroupIds", limit=100)
    rows = []
    for g in sorted(ctx.world.all("security_group"), key=lambda g: g["id"]):
        if ctx.world.get("vpc", g["vpc_id"])["region_id"] != region:
            continue
        if p.get("VpcId") and g["vpc_id"] != p["VpcId"]:
            continue
        if p.get("SecurityGroupId") and g["id"] != p["SecurityGroupId"]:
            continue
        if ids is not None and g["id"] not in ids:
            continue
        rows.append(g)
    chunk, fields = page(p, rows, 10, 100)
    return dict(fields, RegionId=p["RegionId"], SecurityGroups={"SecurityGroup": [
        {"SecurityGroupId": g["id"], "SecurityGroupName": g["name"], "SecurityGroupType": "normal",
         "VpcId": g["vpc_id"], "Description": "", "CreationTime": ecs_time(g["created"]), "ResourceGroupId": "",
         "EcsCount": sum(1 for i in ctx.world.all("instance") if g["id"] in i["security_group_ids"]),
         "ServiceManaged": False, "Tags": {"Tag": []}} for g in chunk]})


@action("DescribeImages", read_only=True)
def describe_images(ctx):
    """Images by ID, name, family and owner, newest first. `ImageFamily` and `ImageOwnerAlias` (system, self, others,
    marketplace) are DescribeImages parameters of the ECS SDK's request model; that a family lookup answers newest
    first is how ECS documents a family ("the latest available image"), the order of other lookups UNCONFIRMED."""
    region = _region(ctx)
    p = ctx.params
    ids = [i for i in (p.get("ImageId") or "").split(",") if i]
    name = _wildcard(p["ImageName"]) if p.get("ImageName") else None
    owner = p.get("ImageOwnerAlias")
    if owner and owner not in ("system", "self", "others", "marketplace"):
        raise invalid("ImageOwnerAlias", "It must be system, self, others or marketplace.")
    rows = [img for img in sorted(ctx.world.all("image"), key=lambda i: (i.get("created") or "", i["id"]),
                                  reverse=True)
            if (not ids or img["id"] in ids) and (not name or name.match(img["name"]))
            and (not p.get("OSType") or p["OSType"].lower() == "linux")
            and (not p.get("ImageFamily") or img.get("family") == p["ImageFamily"])
            and (not owner or img.get("owner", "system") == owner)]
    chunk, fields = page(p, rows, 10, 100)
    return dict(fields, RegionId=region, Images={"Image": [
        {"ImageId": img["id"], "ImageName": img["name"], "OSName": img["os_name"], "OSNameEn": img["os_name_en"],
         "OSType": "linux", "Platform": img["platform"], "Architecture": "x86_64", "Size": img["size"],
         "Status": "Available", "ImageOwnerAlias": img.get("owner", "system"), "IsSupportCloudinit": True,
         "Usage": "instance", "ImageFamily": img.get("family", ""),
         "CreationTime": img.get("created") or "2024-12-18T00:00:00Z", "DiskDeviceMappings": {"DiskDeviceMapping": []},
         "Tags": {"Tag": []}} for img in chunk]})


# -- DescribeAccountAttributes --------------------------------------------------------------------------------
# Attribute names and the response shape (AccountAttributeItems.AccountAttributeItem[].AttributeValues.ValueItem[]
# with Value, Count, ...) follow the alibabacloud-ecs20140526 models. That Value is the number as a string is
# UNCONFIRMED; an unknown attribute name is answered with no item (UNCONFIRMED).
@action("DescribeAccountAttributes", read_only=True)
def describe_account_attributes(ctx):
    region = _region(ctx)
    values = {"max-postpaid-instance-vcpu-count": ctx.world.get("region", region)["vcpu_quota"],
              "used-postpaid-instance-vcpu-count": used_vcpus(ctx.world, region)}
    wanted = indexed(ctx.params, "AttributeName") or sorted(values)
    return {"AccountAttributeItems": {"AccountAttributeItem": [
        {"AttributeName": name, "AttributeValues": {"ValueItem": [
            {"Value": str(values[name]), "Count": 1, "InstanceChargeType": "PostPaid", "ZoneId": "",
             "InstanceType": "", "DiskCategory": "", "ExpiredTime": ""}]}}
        for name in wanted if name in values]}}


# -- DescribeInstanceTypes ------------------------------------------------------------------------------------
# InstanceTypes.N filters (fields per the alibabacloud-ecs20140526 models); a type ECS does not offer is simply not
# listed (UNCONFIRMED: whether real ECS answers an unknown InstanceTypes.N with an empty list or an error).
@action("DescribeInstanceTypes", read_only=True)
def describe_instance_types(ctx):
    p = ctx.params
    wanted = indexed(p, "InstanceTypes")
    rows = [t for t in sorted(ctx.world.all("instance_type"), key=lambda t: t["id"])
            if (not wanted or t["id"] in wanted)
            and (not p.get("InstanceTypeFamily") or t["family"] == p["InstanceTypeFamily"])]
    return {"InstanceTypes": {"InstanceType": [
        {"InstanceTypeId": t["id"], "InstanceTypeFamily": t["family"], "CpuCoreCount": t["cpu"],
         "MemorySize": t["memory"] / 1024, "InstanceCategory": "General-purpose", "CpuArchitecture": "X86"}
        for t in rows]}}
