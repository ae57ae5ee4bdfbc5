# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: thin ECS wrappers. Each batches and pages inside and returns plain dicts."""

from __future__ import annotations

import json

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _normalize
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import chunks
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, is_not_found
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import INSTANCE, describe_state

DESCRIBE_BATCH = 100  # InstanceIds per DescribeInstances call
CREATE_BATCH = 100  # Amount per RunInstances call
POWER_BATCH = 100  # InstanceId.N per Start/Stop/DeleteInstances call
TAG_BATCH = 50  # ResourceId.N per TagResources/UntagResources call


def describe_instances(api, ids=None, tags=None, vpc_id=None, vswitch_id=None, name=None, status=None):
    """Instances matching every given filter, oldest first. IDs go 100 per call; other filters page by 100."""
    base = {"Tag": _normalize.tag_pairs(tags), "VpcId": vpc_id, "VSwitchId": vswitch_id, "InstanceName": name,
            "Status": status}
    base = {k: v for k, v in base.items() if v}
    found = []
    if ids is not None:
        for chunk in chunks(sorted(set(ids)), DESCRIBE_BATCH):
            body = api.ecs("DescribeInstances", dict(base, InstanceIds=json.dumps(chunk), MaxResults=100),
                           attempted=f"Describing {len(chunk)} instances")
            found += body.get("Instances", {}).get("Instance", [])
    else:
        token = None
        while True:
            request = dict(base, MaxResults=100)
            if token:
                request["NextToken"] = token
            body = api.ecs("DescribeInstances", request, attempted="Listing instances")
            found += body.get("Instances", {}).get("Instance", [])
            token = body.get("NextToken")
            if not token:
                break
    instances = [_normalize.instance(raw) for raw in found]
    return sorted(instances, key=lambda i: (i.get("creation_time") or "", i["instance_id"]))


def run_instances(api, request, amount, client_token, dry_run=False):
    """Buy `amount` instances in one call. With a client token the call is safe to repeat after a lost response."""
    body = api.ecs("RunInstances", dict(request, Amount=amount, ClientToken=client_token, DryRun=dry_run),
                   repeatable=client_token is not None,
                   attempted=f"{'Validating' if dry_run else 'Buying'} {amount} instance(s) (RunInstances)")
    return body.get("InstanceIdSets", {}).get("InstanceIdSet", [])


def _each_batch(api, action, ids, size, extra, verb):
    for chunk in chunks(ids, size):
        api.ecs(action, dict(extra, InstanceId=chunk), attempted=f"{verb} {', '.join(chunk)}")


def start_instances(api, ids):
    _each_batch(api, "StartInstances", ids, POWER_BATCH, {}, "Starting")


def stop_instances(api, ids):
    _each_batch(api, "StopInstances", ids, POWER_BATCH, {}, "Stopping")


def delete_instances(api, ids):
    """Release instances (Force: running ones too). Instances that are already gone count as released."""
    for chunk in chunks(ids, POWER_BATCH):
        try:
            api.ecs("DeleteInstances", {"InstanceId": chunk, "Force": True}, attempted=f"Releasing {', '.join(chunk)}")
        except Exception as err:  # pylint: disable=broad-except
            if not is_not_found(err):
                raise
            still_there = [i["instance_id"] for i in describe_instances(api, ids=chunk)]
            if still_there:
                api.ecs("DeleteInstances", {"InstanceId": still_there, "Force": True},
                        attempted=f"Releasing {', '.join(still_there)}")


def tag_instances(api, ids, tags):
    pairs = _normalize.tag_pairs(tags)
    for chunk in chunks(ids, TAG_BATCH):
        api.ecs("TagResources", {"ResourceType": "instance", "ResourceId": chunk, "Tag": pairs},
                attempted=f"Tagging {', '.join(chunk)}")


def untag_instances(api, ids, keys):
    for chunk in chunks(ids, TAG_BATCH):
        api.ecs("UntagResources", {"ResourceType": "instance", "ResourceId": chunk, "TagKey": sorted(keys)},
                attempted=f"Untagging {', '.join(chunk)}")


def describe_vswitch(api, vswitch_id):
    body = api.ecs("DescribeVSwitches", {"VSwitchId": vswitch_id}, attempted=f"Looking up vSwitch {vswitch_id}")
    switches = body.get("VSwitches", {}).get("VSwitch", [])
    return _normalize.normalize(switches[0]) if switches else None


def describe_instance_type(api, type_id):
    """The type's spec (cpu_core_count, memory_size...), or None when ECS does not offer it.

    Whether real ECS lists an unknown InstanceTypes.N as nothing or answers InvalidInstanceType.* is UNCONFIRMED;
    both mean "no such type" here.
    """
    try:
        body = api.ecs("DescribeInstanceTypes", {"InstanceTypes": [type_id]},
                       attempted=f"Looking up instance type {type_id} (DescribeInstanceTypes)")
    except AlicloudError as err:
        if (err.code or "").startswith("InvalidInstanceType"):
            return None
        raise
    found = [t for t in body.get("InstanceTypes", {}).get("InstanceType", []) if t.get("InstanceTypeId") == type_id]
    return _normalize.normalize(found[0]) if found else None


def describe_image(api, image_id):
    """The image, or None when it does not exist in the region (empty list, or InvalidImageId.*).

    Without ImageOwnerAlias, DescribeImages lists system, own and shared images only (the SDK's request model), so
    a marketplace image is looked for by that alias second.
    """
    for owner in ({}, {"ImageOwnerAlias": "marketplace"}):
        try:
            body = api.ecs("DescribeImages", dict({"ImageId": image_id, "PageSize": 10}, **owner),
                           attempted=f"Looking up image {image_id} (DescribeImages)")
        except AlicloudError as err:
            if (err.code or "").startswith("InvalidImageId"):
                return None
            raise
        found = [i for i in body.get("Images", {}).get("Image", []) if i.get("ImageId") == image_id]
        if found:
            return _normalize.normalize(found[0])
    return None


VCPU_ATTRIBUTES = ("max-postpaid-instance-vcpu-count", "used-postpaid-instance-vcpu-count")


def vcpu_quota(api):
    """(limit, used) of the account's pay-as-you-go vCPUs in the region, or None when ECS does not say.

    The attribute names come from the ECS SDK's DescribeAccountAttributes model. A value that is missing or not a
    number gives None: RunInstances then remains the judge (QuotaExceed.ElasticQuota).
    """
    body = api.ecs("DescribeAccountAttributes", {"AttributeName": list(VCPU_ATTRIBUTES)},
                   attempted="Reading the account's vCPU quota (DescribeAccountAttributes)")
    values = {}
    for item in body.get("AccountAttributeItems", {}).get("AccountAttributeItem", []):
        found = item.get("AttributeValues", {}).get("ValueItem", [])
        try:
            # One item is what the SDK's example shows; several (per zone, UNCONFIRMED) must not add up.
            values[item.get("AttributeName")] = max(int(v.get("Value")) for v in found) if found else None
        except (TypeError, ValueError):
            values[item.get("AttributeName")] = None
    limit, used = (values.get(name) for name in VCPU_ATTRIBUTES)
    return None if limit is None or used is None else (limit, used)


def is_denied(err):
    """RAM does not allow the call (a least-privilege policy): a check that needs it is skipped, not fatal."""
    return isinstance(err, AlicloudError) and (err.http_status == 403 or (err.code or "").startswith(
        ("Forbidden", "NoPermission")))


def describe_security_groups(api, group_ids):
    body = api.ecs("DescribeSecurityGroups", {"SecurityGroupIds": json.dumps(sorted(group_ids)), "MaxResults": 100},
                   attempted="Looking up security groups")
    return [_normalize.normalize(g) for g in body.get("SecurityGroups", {}).get("SecurityGroup", [])]


def wait_instances(ctx, ids, state, what=None):
    """Wait, on the task's deadline, until every instance is in `state` (a key of INSTANCE); return them by ID.

    An instance that disappears while it should reach a live state can never get there: the wait fails at once.
    """
    ids = sorted(set(ids))

    def fetch():
        found = {i["instance_id"]: i for i in describe_instances(ctx.api, ids=ids)}
        return {iid: found.get(iid) for iid in ids}

    def failed(iid, item):
        if item is None and state != "absent":
            return "it disappeared (released outside this task?)"
        return None

    return ctx.until(what or f"{len(ids)} instance(s) to be {state}", fetch, INSTANCE[state],
                     lambda item: describe_state(item, "status"), failed)
