# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what ecs_instance does. `plan()` is pure; `ensure()` reads, plans, applies, waits."""

from __future__ import annotations

import hashlib
import json
import re

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs, _normalize, _validate
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import CLUSTER_TAG
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput, check_input

SYSTEM_TAG_PREFIXES = ("acs:", CLUSTER_TAG, "ack.alibabacloud.com/")
LAUNCH_OPTIONS = ("security_group_ids", "image_id", "instance_type")
NO_STOCK = ("OperationDenied.NoStock", "Zone.NotOnSale", "InvalidInstanceType.ZoneNotSupported")
REPLAY_ATTEMPTS = 3  # purchases under ever newer tokens before giving up on a cloud that keeps replaying
LISTING_GRACE_POLLS = 3  # lookups, 2 s apart, before an instance RunInstances returned counts as gone
TARGET_STATUS = {"present": None, "running": "Running", "stopped": "Stopped", "absent": None}
UNCHECKED = object()  # a guard read RAM denied: its check is skipped


def problems(p):
    """Every input rule ecs_instance can check without calling the cloud."""
    found = []
    if not p["match_tags"]:
        found.append(("match_tags", "must hold at least one tag: it is how the module finds its instances"))
    found += _validate.tags("match_tags", p["match_tags"])
    found += _validate.tags("tags", p["tags"])
    clash = [k for k, v in (p["tags"] or {}).items() if k in p["match_tags"] and str(v) != str(p["match_tags"][k])]
    if clash:
        found.append(("tags", f"must not give other values to the match_tags keys {', '.join(sorted(clash))}"))
    if len(desired_tags(p)) > 20:
        found.append(("tags", "match_tags and tags together may hold at most 20 tags"))
    if p["state"] != "absent":
        if p["exact_count"] is None:
            found.append(("exact_count", f"is required when state is {p['state']}"))
        elif p["exact_count"] < 0:
            found.append(("exact_count", f"must be 0 or more (got {p['exact_count']})"))
    if p["max_create"] is not None and p["max_create"] < 0:
        found.append(("max_create", f"must be 0 or more (got {p['max_create']})"))
    if p["max_release"] is not None and p["max_release"] < 0:
        found.append(("max_release", f"must be 0 or more (got {p['max_release']})"))
    if p["wait_timeout"] is not None and p["wait_timeout"] < 1:
        found.append(("wait_timeout", "must be at least 1 second"))
    if p["expected_release"] is not None and p["state"] == "absent":
        found.append(("expected_release", "is for lowering exact_count; state=absent releases the whole set"))
    found += _validate.password("password", p["password"])
    found += _validate.instance_name("instance_name", p["instance_name"])
    found += _validate.host_name("host_name", p["host_name"])
    found += _validate.user_data("user_data", p["user_data"])
    found += _validate.in_range("internet_max_bandwidth_out", p["internet_max_bandwidth_out"], 0, 100)
    disk = p["system_disk"] or {}
    found += _validate.in_range("system_disk.size", disk.get("size"), 20, 500)
    if p["security_group_ids"] is not None and not 1 <= len(p["security_group_ids"]) <= 5:
        found.append(("security_group_ids", "must list 1 to 5 security groups"))
    return found


def missing_launch_options(p):
    found = [(o, "is required to buy instances") for o in LAUNCH_OPTIONS if not p[o]]
    if not vswitches(p):
        found.insert(0, ("vswitch_id", "(or vswitch_ids) is required to buy instances"))
    return found


def vswitches(p):
    """The vSwitches to buy in, in order of preference."""
    return list(p["vswitch_ids"] or ([p["vswitch_id"]] if p["vswitch_id"] else []))


def distribute(current, candidates, count, spread, room=None):
    """How many new instances go to each vSwitch: balanced over the zones, or all in the first one.

    Balancing counts the instances already in each vSwitch, so a set grows evenly across reruns. `room` (free IPs
    per vSwitch, when known) caps each share; a vSwitch that is full hands the rest to the next.
    """
    placed = {}
    load = {v: sum(1 for i in current if i.get("vswitch_id") == v) for v in candidates}
    for dummy in range(max(0, count)):
        open_ = [v for v in candidates if room is None or room.get(v) is None or placed.get(v, 0) < room[v]]
        if not open_:
            break
        target = min(open_, key=lambda v: (load[v], candidates.index(v))) if spread else open_[0]
        load[target] += 1
        placed[target] = placed.get(target, 0) + 1
    return placed


def desired_tags(p):
    merged = {k: "" if v is None else str(v) for k, v in (p["tags"] or {}).items()}
    merged.update({k: "" if v is None else str(v) for k, v in p["match_tags"].items()})
    return merged


def launch_request(p, vswitch_id=None):
    """RunInstances parameters for one vSwitch, without Amount and ClientToken."""
    request = {
        "VSwitchId": vswitch_id or (vswitches(p) or [None])[0], "SecurityGroupIds": list(p["security_group_ids"] or []),
        "ImageId": p["image_id"], "InstanceType": p["instance_type"], "InstanceName": p["instance_name"],
        "HostName": p["host_name"], "InternetMaxBandwidthOut": p["internet_max_bandwidth_out"],
        "KeyPairName": p["key_pair_name"], "Password": p["password"],
        "UserData": _validate.b64_or_text(p["user_data"]) if p["user_data"] else None,
        "Tag": _normalize.tag_pairs(desired_tags(p)),
    }
    disk = {"Category": (p["system_disk"] or {}).get("category"), "Size": (p["system_disk"] or {}).get("size")}
    disk = {k: str(v) for k, v in disk.items() if v is not None}
    if disk:
        request["SystemDisk"] = disk
    return {k: v for k, v in request.items() if v not in (None, "", [])}


SECRET_FIELDS = ("Password", "UserData")


def client_token(region, match_tags, existing_ids, exact_count, request, spent=()):
    """The same intent gives the same token, so a rerun after a lost response gets the same instances back.

    An intent can recur: grow to 2, shrink to 1, grow to 2 again. ECS keeps a token for an undocumented time and
    replays its old answer (ack-facts 4.1), so `spent` names what a replay of this intent already gave and what is
    gone: the released instances, or the failed attempt. That makes a new token, still stable across retries.

    Secrets stay out of the material: a token is sent in clear text and must not reveal a password digest. They do
    not need to be in it either, because once the first call's instances exist they are found by their tags.
    """
    material = json.dumps({
        "region": region, "match": sorted(match_tags.items()), "have": sorted(existing_ids), "want": exact_count,
        "spec": {k: v for k, v in request.items() if k not in SECRET_FIELDS},
        **({"spent": sorted(spent)} if spent else {}),
    }, sort_keys=True, default=str)
    return "ackedge-" + hashlib.sha256(material.encode()).hexdigest()[:56]


def name_index(instance):
    """The number at the end of an instance's name (`cloud-node-003` -> 3), or -1: the order within one purchase."""
    found = re.search(r"(\d+)$", instance.get("instance_name") or "")
    return int(found.group(1)) if found else -1


def release_order(instances):
    """The one rule for which instances leave first, used by ecs_instance and, through it, by decommission.

    Instances that are not cluster nodes go first, then those that are not Running, then the newest. ECS gives
    `CreationTime` to the minute, so instances bought together tie; the higher name index goes first (ECS numbers
    the instances of one purchase in order), then the higher instance ID, so the order never depends on the listing.
    """
    newest_first = sorted(instances, key=lambda i: (i.get("creation_time") or "", name_index(i), i["instance_id"]),
                          reverse=True)
    return sorted(newest_first, key=lambda i: (CLUSTER_TAG in i["tags"], i["status"] == "Running"))


def surplus(instances, count):
    """The instances that leave when the set goes down to `count`, in release order. The decommission playbook
    drains exactly these (through the release_plan filter) before ecs_instance releases them."""
    return release_order(instances)[:max(0, len(instances) - count)]


def plan(current, p):
    """What to change: counts and instance IDs only, so check mode can report it as is."""
    want = 0 if p["state"] == "absent" else p["exact_count"]
    release = surplus(current, want)
    released = {i["instance_id"] for i in release}
    kept = [i for i in current if i["instance_id"] not in released]
    target = TARGET_STATUS.get(p["state"])
    tags = desired_tags(p)
    retag, untag = [], {}
    for inst in kept:
        if p["tags"] is not None and any(inst["tags"].get(k) != v for k, v in tags.items()):
            retag.append(inst["instance_id"])
        if p["purge_tags"] and p["tags"] is not None:
            extra = sorted(k for k in inst["tags"] if k not in tags and not k.startswith(SYSTEM_TAG_PREFIXES))
            if extra:
                untag[inst["instance_id"]] = extra
    return {
        "create": max(0, want - len(current)),
        "release": [i["instance_id"] for i in release],
        "start": [i["instance_id"] for i in kept if target == "Running" and i["status"] in ("Stopped", "Stopping")],
        "stop": [i["instance_id"] for i in kept if target == "Stopped" and i["status"] != "Stopped"],
        "tag": retag,
        "untag": untag,
    }


def release_refusal(to_release, p, check_mode=False):
    """Why these releases may not happen, or None.

    A node is never released. In check mode, though, nodes named in expected_release pass: the decommission
    playbook removes them from the cluster in the task before, which check mode only predicted, so refusing here
    would hide the release the real run makes.
    """
    ids = [i["instance_id"] for i in to_release]
    if p.get("expected_release") is not None and sorted(p["expected_release"]) != sorted(ids):
        return ("expected_release", f"the plan is to release {', '.join(sorted(ids)) or 'nothing'}, not "
                                    f"{', '.join(sorted(p['expected_release'])) or 'nothing'}: the set changed since "
                                    "that plan was made, so nothing was released; plan again")
    if not to_release:
        return None
    nodes = [i["instance_id"] for i in to_release if CLUSTER_TAG in i["tags"]
             and not (check_mode and i["instance_id"] in (p.get("expected_release") or []))]
    if nodes:
        return ("allow_release", f"{', '.join(nodes)} would be released but are nodes of a cluster (tag "
                                 f"{CLUSTER_TAG}); remove them from the cluster first with "
                                 "ack_edge.cloud_nodes.cs_cluster_node state=absent")
    ids = ", ".join(ids)
    if p["state"] != "absent" and not p["allow_release"]:
        return ("allow_release", f"lowering the count to {p['exact_count']} would release {len(to_release)} "
                                 f"instance(s) ({ids}); set allow_release: true (and max_release: "
                                 f"{len(to_release)} or more) to allow it")
    cap = 1 if p["max_release"] is None else p["max_release"]
    if len(to_release) > cap:
        return ("max_release", f"{len(to_release)} instance(s) would be released ({ids}) but max_release is {cap}")
    return None


def still_moving(instances, p):
    """Instances on their way to the state this run wants, for example still booting after an earlier run timed
    out: a rerun waits for them, without counting that as a change."""
    target = TARGET_STATUS.get(p["state"]) or "Running"
    passing = ("Pending", "Starting") if target == "Running" else ("Stopping",)
    return [i["instance_id"] for i in instances if i["status"] in passing]


def _snapshot(instances):
    return {i["instance_id"]: {"status": i["status"], "tags": dict(i["tags"])} for i in instances}


def _predicted(p, placement):
    tags = desired_tags(p)
    return [{"instance_id": None, "status": "Pending", "instance_type": p["instance_type"],
             "image_id": p["image_id"], "vswitch_id": vswitch, "tags": dict(tags)}
            for vswitch, count in placement.items() for dummy in range(count)]


class InstanceSet:
    """One ecs_instance run: read, plan, check references, apply, wait, report."""

    def __init__(self, ctx, params):
        self.ctx = ctx
        self.p = params
        self.created = []
        self.free_ips = {}  # vSwitch -> free IPs, read with the references before a purchase
        self.mutated = False  # whether any change went through, for the failure payload

    def current(self):
        return _ecs.describe_instances(self.ctx.api, tags=self.p["match_tags"])

    def split_by_vpc(self, instances):
        """With vpc_id: the instances inside it, which the count is about, and those outside, which can never join
        the cluster and are only reported (bought by hand, or before vpc_id existed); decommission releases them."""
        outside = [i for i in instances if self.p["vpc_id"] and i.get("vpc_id") != self.p["vpc_id"]]
        if outside:
            self.ctx.warn(f"{len(outside)} instance(s) with match_tags are outside vpc_id {self.p['vpc_id']} and do not "
                          f"count: {', '.join(i['instance_id'] for i in outside)}. They can never join the cluster; "
                          "release them (the decommission playbook releases kept instances that are not nodes first).")
        return [i for i in instances if i not in outside], [i["instance_id"] for i in outside]

    def check_references(self):
        """Reads that turn a bad vSwitch or security group into an error naming the option, before any purchase."""
        p, api = self.p, self.ctx.api
        option = "vswitch_ids" if p["vswitch_ids"] else "vswitch_id"
        found, vpcs, switches = [], {}, {}
        for vswitch_id in vswitches(p):
            vswitch = _ecs.describe_vswitch(api, vswitch_id)
            if vswitch is None:
                found.append((option, f"{vswitch_id} does not exist in {p['alicloud_region']}"))
            else:
                vpcs[vswitch_id], switches[vswitch_id] = vswitch["vpc_id"], vswitch
        if len(set(vpcs.values())) > 1:
            found.append((option, "all vSwitches must be in one VPC, but they span " + ", ".join(sorted(set(vpcs.values())))))
        wanted = p["vpc_id"]
        found += [(option, f"{v} is in {vpc}, not in vpc_id {wanted}: instances there could never join")
                  for v, vpc in vpcs.items() if wanted and vpc != wanted]
        if found:
            return found
        self.free_ips = {v: sw.get("available_ip_address_count") for v, sw in switches.items()}
        vpc = next(iter(vpcs.values()))
        groups = {g["security_group_id"]: g for g in _ecs.describe_security_groups(api, p["security_group_ids"])}
        for gid in p["security_group_ids"]:
            if gid not in groups:
                found.append(("security_group_ids", f"{gid} does not exist in {p['alicloud_region']}"))
            elif groups[gid]["vpc_id"] != vpc:
                found.append(("security_group_ids", f"{gid} is in {groups[gid]['vpc_id']}, but {option} "
                                                    f"{', '.join(vpcs)} is in {vpc}; they must share a VPC"))
        return found

    def check_purchase(self, count):
        """The purchase guard: what ECS would refuse, or the caller did not mean, found by reads before any purchase.

        The per-run ceiling, an instance type or image that does not exist, too few free IPs in the vSwitches, and
        the account's pay-as-you-go vCPU quota. Without it a count of 100000 buys until the quota runs out.
        """
        p, api, region = self.p, self.ctx.api, self.p["alicloud_region"]
        found = []
        if p["max_create"] is not None and count > p["max_create"]:
            found.append(("max_create", f"this run would buy {count} instance(s), more than max_create "
                                        f"{p['max_create']}; raise max_create to {count} if you mean it"))
        itype = self._read_or_skip("DescribeInstanceTypes", "the instance type and the vCPU quota",
                                   lambda: _ecs.describe_instance_type(api, p["instance_type"]))
        if itype is None:
            found.append(("instance_type", f"{p['instance_type']} is not an instance type ECS offers in {region}"))
        image = self._read_or_skip("DescribeImages", "the image", lambda: _ecs.describe_image(api, p["image_id"]))
        if image is None:
            found.append(("image_id", f"{p['image_id']} is not an image available in {region}"))
        known = [n for n in self.free_ips.values() if n is not None]
        if len(known) == len(self.free_ips) and count > sum(known):
            found.append(("vswitch_ids" if p["vswitch_ids"] else "vswitch_id",
                          f"{', '.join(self.free_ips)} have {sum(known)} free IP address(es), fewer than the {count} "
                          "instance(s) to buy"))
        if itype not in (None, UNCHECKED):
            found += self._vcpu_quota_problems(count, itype)
        return found

    def _read_or_skip(self, action, what, read):
        """A guard read that RAM denies skips its check with a warning (RunInstances stays the judge): a
        least-privilege policy written before the guard existed must not stop every purchase."""
        try:
            return read()
        except AlicloudError as err:
            if not _ecs.is_denied(err):
                raise
            self.ctx.warn(f"{what[0].upper() + what[1:]} could not be checked before buying: RAM denies ecs:{action} "
                          f"({err.code}); allow it to have the purchase checked first.")
            return UNCHECKED

    def _vcpu_quota_problems(self, count, itype):
        p = self.p
        quota = self._read_or_skip("DescribeAccountAttributes", "the account's vCPU quota",
                                   lambda: _ecs.vcpu_quota(self.ctx.api))
        if quota in (None, UNCHECKED):
            return []
        limit, used = quota
        cpus = int(itype.get("cpu_core_count") or 0)
        if count * cpus <= limit - used:
            return []
        return [("exact_count", f"buying {count} x {p['instance_type']} ({cpus} vCPUs each) needs {count * cpus} "
                                f"vCPUs, but only {max(0, limit - used)} of the account's {limit} pay-as-you-go vCPUs "
                                f"are free in {p['alicloud_region']}; raise the quota in Quota Center, or ask for fewer")]

    def ensure(self):
        p, ctx = self.p, self.ctx
        current, outside = self.split_by_vpc(self.current())
        todo = plan(current, p)
        if todo["create"]:
            check_input(missing_launch_options(p) or self.check_references() or self.check_purchase(todo["create"]))
        to_release = [i for i in current if i["instance_id"] in todo["release"]]
        refusal = release_refusal(to_release, p, ctx.check_mode)
        if refusal:
            raise InvalidInput([refusal])
        still_nodes = [i["instance_id"] for i in to_release if CLUSTER_TAG in i["tags"]]
        if still_nodes:
            ctx.warn(f"Check mode: still a node of the cluster: {', '.join(still_nodes)}; the real run releases it "
                     "only once it is removed from the cluster, which decommission does first.")
        placement = distribute(current, vswitches(p), todo["create"], p["spread"], self.free_ips)
        if todo["create"] and p["validate"]:
            placement = self._dry_run(current, placement)
        todo["create_in"] = placement
        changed = any(todo[k] for k in ("create", "release", "start", "stop", "tag", "untag"))
        before = _snapshot(current)

        kept = [i for i in current if i["instance_id"] not in todo["release"]]
        if ctx.check_mode:
            instances = kept + _predicted(p, placement)
        else:
            try:
                self._apply(todo, current)
                underway = still_moving(kept, p)
                instances = self._settle([i["instance_id"] for i in kept] + self.created, todo, underway) \
                    if changed or (underway and p["wait"]) else kept
            except AlicloudError as err:
                err.details.update(changed=self.mutated, created_instance_ids=list(self.created),
                                   released_instance_ids=list(todo["release"]) if self.mutated else [], plan=todo)
                raise
        result = {
            "changed": changed,
            "instances": instances,
            "instance_ids": [i["instance_id"] for i in instances if i["instance_id"]],
            "created_instance_ids": list(self.created),
            "released_instance_ids": [] if ctx.check_mode else list(todo["release"]),
            "outside_vpc_instance_ids": outside,
            "plan": todo,
        }
        if ctx.diff_mode:
            after = _snapshot(i for i in instances if i["instance_id"])
            for n in range(sum(1 for i in instances if not i["instance_id"])):
                after[f"(new instance {n + 1})"] = {"status": "Pending", "tags": desired_tags(p)}
            result["diff"] = {"before": {"count": len(before), "instances": before},
                              "after": {"count": len(after), "instances": after}}
        return result

    def _dry_run(self, current, placement):
        """Validate each purchase with DryRun; a sold-out zone hands its share to the others, as a real run would."""
        def attempt(vswitch_id, count):
            try:
                _ecs.run_instances(self.ctx.api, launch_request(self.p, vswitch_id), min(count, _ecs.CREATE_BATCH), None,
                                   dry_run=True)
            except AlicloudError as err:
                if err.code != "DryRunOperation":
                    err.msg = "validate: " + err.msg
                    raise
            return [None] * count

        return self._buy(current, placement, attempt)

    def _buy(self, current, placement, attempt):
        """Buy per vSwitch; on no stock, move that vSwitch's share to the vSwitches that are left.

        Returns where the instances went. Fails only when every vSwitch is out of stock, naming each.
        """
        left = list(vswitches(self.p))
        done, sold_out = {}, {}
        queue = dict(placement)
        while queue:
            vswitch_id, count = next(iter(queue.items()))
            del queue[vswitch_id]
            try:
                attempt(vswitch_id, count)
                done[vswitch_id] = done.get(vswitch_id, 0) + count
            except AlicloudError as err:
                if err.code not in NO_STOCK:
                    raise
                bought = err.details.pop("bought", 0)  # batches of this share that went through before the error
                if bought:
                    done[vswitch_id] = done.get(vswitch_id, 0) + bought
                count -= bought
                sold_out[vswitch_id] = err.msg
                left.remove(vswitch_id)
                if not left:
                    raise AlicloudError("No vSwitch has stock for " + f"{self.p['instance_type']}: "
                                        + "; ".join(f"{v}: {m}" for v, m in sold_out.items()),
                                        code=err.code, request_id=err.request_id, http_status=err.http_status)
                others = current + [{"vswitch_id": v} for v, n in done.items() for dummy in range(n)]
                room = {v: None if self.free_ips.get(v) is None else
                        max(0, self.free_ips[v] - done.get(v, 0) - queue.get(v, 0)) for v in left}
                moved = distribute(others, left, count, self.p["spread"], room)
                if sum(moved.values()) < count:
                    raise AlicloudError(f"Out of stock in {', '.join(sold_out)}, and {', '.join(left)} lack the free IPs "
                                        f"for the other {count} instance(s).", code=err.code,
                                        request_id=err.request_id, http_status=err.http_status)
                for target, extra in moved.items():
                    queue[target] = queue.get(target, 0) + extra
        if sold_out:
            self.ctx.warn("Out of stock in " + ", ".join(sold_out) + "; bought in " + ", ".join(done) + " instead.")
        return done

    def _apply(self, todo, current):
        p, api = self.p, self.ctx.api
        if todo["release"]:
            _ecs.delete_instances(api, todo["release"])
            self.mutated = True
        have = [i["instance_id"] for i in current if i["instance_id"] not in todo["release"]]
        kept = [i for i in current if i["instance_id"] not in todo["release"]]

        def buy(vswitch_id, count):
            request = launch_request(p, vswitch_id)
            bought = 0
            while bought < count:
                amount = min(count - bought, _ecs.CREATE_BATCH)
                try:
                    got = self._run_fresh(request, amount, have)
                except AlicloudError as err:
                    err.details["bought"] = bought
                    raise
                self.created += got
                self.mutated = True
                bought += len(got)

        todo["create_in"] = self._buy(kept, todo["create_in"], buy)
        if todo["tag"]:
            _ecs.tag_instances(api, todo["tag"], desired_tags(p))
            self.mutated = True
        for keys in sorted({tuple(v) for v in todo["untag"].values()}):
            _ecs.untag_instances(api, [i for i, v in todo["untag"].items() if tuple(v) == keys], keys)
            self.mutated = True
        to_stop = todo["stop"] + (self.created if TARGET_STATUS[p["state"]] == "Stopped" else [])
        for ids, action in ((todo["start"], _ecs.start_instances), (to_stop, _ecs.stop_instances)):
            if ids:
                self._wait_settled(ids)
                action(api, ids)
                self.mutated = True

    def _run_fresh(self, request, amount, have):
        """Buy `amount` instances, never settling for a replay of an old purchase whose instances are gone.

        The instances a call returns are looked up once. Any that do not exist are a replay of an earlier intent
        (or, rarely, not listed yet: a short grace covers that - how soon ECS lists a new instance is UNCONFIRMED);
        they go into the token material and the rest is bought under the new token. `IdempotentFailed` (ack-facts
        4.1: the token's earlier request failed) also asks for a new token.
        """
        p, api = self.p, self.ctx.api
        spent, got = [], []
        for dummy in range(REPLAY_ATTEMPTS):
            token = client_token(p["alicloud_region"], p["match_tags"], have + self.created + got, p["exact_count"],
                                 request, spent)
            try:
                ids = _ecs.run_instances(api, request, amount - len(got), token)
            except AlicloudError as err:
                if err.code == "IdempotentParameterMismatch":
                    err.msg += (" The client token is derived from everything this purchase asks for except the secrets "
                                "and the number per call, so what changed since the first request with it is password, "
                                "user_data, or how many instances went to this vSwitch (its free IPs). Put the secrets "
                                "back, or change instance_name or tags to make a new purchase.")
                if err.code != "IdempotentFailed":
                    raise
                spent.append(token)
                continue
            gone = self._gone(ids)
            got += [i for i in ids if i not in gone]
            if not gone:
                return got
            spent += gone
        raise AlicloudError(f"RunInstances kept answering with instances that no longer exist ({', '.join(spent)}); "
                            "rerun the task, or change instance_name or tags to make a new purchase.",
                            code="IdempotentReplay", created_instance_ids=got)

    def _gone(self, ids):
        """Those of `ids` that do not exist, after a short grace for a listing that lags a purchase."""
        gone = list(ids)
        for attempt in range(LISTING_GRACE_POLLS):
            if attempt:
                self.ctx.waiter.pause(2.0)
            listed = {i["instance_id"] for i in _ecs.describe_instances(self.ctx.api, ids=gone)}
            gone = [i for i in gone if i not in listed]
            if not gone:
                break
        return gone

    def _wait_settled(self, ids):
        """Start and stop need a stable state: let Pending/Starting/Stopping instances finish first."""
        _ecs.wait_instances(self.ctx, ids, "settled", f"{len(ids)} instance(s) to settle before the power change")

    def _settle(self, ids, todo, underway):
        """The set as it ends up; with `wait`, once every new, started or stopped instance, and every one still on
        its way from an earlier run, is in its target state and every released one is gone, all on the task's one
        deadline."""
        target = TARGET_STATUS.get(self.p["state"]) or "Running"
        moving = sorted(set(self.created) | set(todo["start"]) | set(todo["stop"]) | set(underway))
        if self.p["wait"] and moving:
            _ecs.wait_instances(self.ctx, moving, target, f"instances to be {target}")
        if self.p["wait"] and todo["release"]:
            _ecs.wait_instances(self.ctx, todo["release"], "absent", "released instances to be gone")
        return _ecs.describe_instances(self.ctx.api, ids=ids) if ids else []
