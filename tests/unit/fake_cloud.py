"""An in-memory stand-in for the collection's `Api` (its `ecs`, `cs` and `call` methods), for unit tests.

It keeps state the way the cloud does, on a fake clock: instances go Pending -> Running after `boot` seconds and
disappear when released; an attach task runs for `attach` seconds, then the nodes join; removal takes `remove`
seconds and takes ACK's node tag off the instance; a busy cluster refuses changes until `busy_until`. Every call is
logged, so tests count calls and check what was changed, never what the code under test said it did.
"""

import itertools

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._context import RunContext
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

READS = ("Describe", "List", "Get")


class Clock:
    def __init__(self):
        self.now = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeCloud:
    region = "cn-hangzhou"
    retries = 0

    def __init__(self, clock=None, boot=3.0, attach=5.0, remove=2.0, busy_until=0.0):
        self.clock = clock or Clock()
        self.boot, self.attach_time, self.remove_time, self.busy_until = boot, attach, remove, busy_until
        self.instances = {}  # id -> dict with status, created, ready_at, name, tags, vswitch
        self.nodes = {}  # instance id -> dict with state, joins_at, name
        self.tasks = {}
        self.addons = {}  # name -> dict with version, state, config
        self.calls = []
        self.tokens = {}  # ClientToken -> the response it gave; ECS replays it for as long as it keeps the token
        self._ids = itertools.count(1)
        self.vswitches = {"vsw-1": ("vpc-a", "cn-hangzhou-h"), "vsw-2": ("vpc-a", "cn-hangzhou-i"),
                          "vsw-9": ("vpc-b", "cn-hangzhou-h")}
        self.free_ips = {"vsw-1": 200, "vsw-2": 200, "vsw-9": 200}
        self.sold_out = set()  # vSwitches whose zone has no stock
        self.instance_types = {"ecs.g6.large": 2, "ecs.g6.xlarge": 4}  # type -> vCPUs
        self.images = {"img"}
        self.vcpu_limit = 2000  # None: DescribeAccountAttributes gives no vCPU figures
        self.cluster = {"cluster_id": "c1", "cluster_type": "ManagedKubernetes", "profile": "Edge",
                        "region_id": self.region, "vpc_id": "vpc-a", "name": "edge"}

    # -- the world -----------------------------------------------------------------------------------------
    def add_instance(self, iid=None, status="Running", minute=0, name=None, tags=None, node=False):
        iid = iid or f"i-{next(self._ids):04d}"
        self.instances[iid] = {"status": status, "created": minute, "ready_at": 0.0, "name": name or iid,
                               "tags": dict(tags or {}), "vswitch": "vsw-1"}
        if node:
            self.nodes[iid] = {"state": "running", "joins_at": 0.0, "name": f"node-{iid}"}
            self.instances[iid]["tags"]["ack.aliyun.com"] = "c1"
        return iid

    def _tick(self):
        now = self.clock.now
        for inst in self.instances.values():
            if inst["status"] in ("Pending", "Starting") and now >= inst["ready_at"]:
                inst["status"] = "Running"
        for task in self.tasks.values():
            if task["state"] == "running" and now >= task["due"]:
                task["state"] = "success"
                for name in task.get("addons", []):
                    self.addons[name]["state"] = "active"
                for iid in task["instances"]:
                    if task["kind"] == "attach":
                        self.nodes[iid]["state"] = "running"
                        self.instances[iid]["tags"]["ack.aliyun.com"] = "c1"
                    else:
                        self.nodes.pop(iid, None)
                        self.instances[iid]["tags"].pop("ack.aliyun.com", None)

    def mutating(self):
        return [c for c in self.calls if not c[0].startswith(READS)]

    # -- the Api interface -----------------------------------------------------------------------------------
    def ecs(self, action, request=None, **kwargs):
        return self.call("ecs", action, request=request, **kwargs)

    def cs(self, action, *path, request=None, **kwargs):
        return self.call("cs", action, *path, request=request, **kwargs)

    def call(self, service, action, *path, request=None, repeatable=True, attempted=None):
        self._tick()
        self.calls.append((action, path, request))
        return getattr(self, "_" + action)(*path, **(request or {}))

    # ECS
    def _instance(self, iid):
        inst = self.instances[iid]
        vpc, zone = self.vswitches[inst["vswitch"]]
        return {"InstanceId": iid, "Status": inst["status"], "InstanceName": inst["name"], "ZoneId": zone,
                "CreationTime": f"2026-12-01T10:{inst['created']:02d}Z",
                "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in inst["tags"].items()]},
                "VpcAttributes": {"VpcId": vpc, "VSwitchId": inst["vswitch"], "PrivateIpAddress": {"IpAddress": []}}}

    def _DescribeInstances(self, RegionId=None, InstanceIds=None, Tag=(), MaxResults=100, NextToken=None, **dummy):
        import json
        ids = json.loads(InstanceIds) if InstanceIds else list(self.instances)
        found = [i for i in ids if i in self.instances
                 and all(self.instances[i]["tags"].get(t["Key"]) == t["Value"] for t in Tag or [])]
        return {"Instances": {"Instance": [self._instance(i) for i in found]}, "NextToken": ""}

    def _DescribeVSwitches(self, VSwitchId, **dummy):
        if VSwitchId not in self.vswitches:
            return {"VSwitches": {"VSwitch": []}}
        vpc, zone = self.vswitches[VSwitchId]
        used = sum(1 for i in self.instances.values() if i["vswitch"] == VSwitchId)
        return {"VSwitches": {"VSwitch": [{"VSwitchId": VSwitchId, "VpcId": vpc, "ZoneId": zone,
                                           "AvailableIpAddressCount": self.free_ips[VSwitchId] - used}]}}

    def _DescribeInstanceTypes(self, InstanceTypes=(), **dummy):
        return {"InstanceTypes": {"InstanceType": [{"InstanceTypeId": t, "CpuCoreCount": self.instance_types[t]}
                                                   for t in InstanceTypes if t in self.instance_types]}}

    def _DescribeImages(self, ImageId, **dummy):
        return {"Images": {"Image": [{"ImageId": ImageId}] if ImageId in self.images else []}}

    def _DescribeAccountAttributes(self, AttributeName=(), **dummy):
        if self.vcpu_limit is None:
            return {"AccountAttributeItems": {"AccountAttributeItem": []}}
        used = 2 * len(self.instances)
        values = {"max-postpaid-instance-vcpu-count": self.vcpu_limit, "used-postpaid-instance-vcpu-count": used}
        return {"AccountAttributeItems": {"AccountAttributeItem": [
            {"AttributeName": n, "AttributeValues": {"ValueItem": [{"Value": str(values[n])}]}} for n in AttributeName]}}

    def _DescribeSecurityGroups(self, SecurityGroupIds, **dummy):
        import json
        return {"SecurityGroups": {"SecurityGroup": [{"SecurityGroupId": g, "VpcId": "vpc-a"}
                                                     for g in json.loads(SecurityGroupIds)]}}

    def _RunInstances(self, Amount, ClientToken=None, DryRun=False, VSwitchId="vsw-1", Tag=(), InstanceName=None,
                      **dummy):
        if DryRun:
            raise AlicloudError("dry run", code="DryRunOperation")
        if ClientToken in self.tokens:
            return self.tokens[ClientToken]
        if VSwitchId in self.sold_out:
            raise AlicloudError("sold out", code="OperationDenied.NoStock", http_status=403)
        minute = int(self.clock.now // 60)
        bought = []
        for index in range(Amount):
            iid = self.add_instance(status="Pending", minute=minute, tags={t["Key"]: t["Value"] for t in Tag},
                                    name=f"{InstanceName or 'node'}-{index + 1:03d}")
            self.instances[iid].update(ready_at=self.clock.now + self.boot, vswitch=VSwitchId)
            bought.append(iid)
        response = {"InstanceIdSets": {"InstanceIdSet": bought}}
        if ClientToken:
            self.tokens[ClientToken] = response
        return response

    def _DeleteInstances(self, InstanceId, Force=False, **dummy):
        for iid in InstanceId:
            if "ack.aliyun.com" in self.instances[iid]["tags"]:
                raise AssertionError(f"released {iid} while it is a node of a cluster")
            del self.instances[iid]
        return {}

    # CS
    def _busy(self):
        if self.clock.now < self.busy_until:
            raise AlicloudError("cannot operate cluster where state is scaling", code="InvalidStatus.Forbidden",
                                http_status=400)

    def _DescribeClusterDetail(self, cluster_id):
        return dict(self.cluster, state="scaling" if self.clock.now < self.busy_until else "running")

    def _DescribeClusterNodePools(self, cluster_id):
        return {"nodepools": [{"nodepool_info": {"nodepool_id": "np-cloud", "name": "default-nodepool",
                                                 "type": "ess", "is_default": True}}]}

    def _DescribeClusterNodes(self, cluster_id, pageSize="100", pageNumber="1", instanceIds=None, state=None):
        wanted = instanceIds.split(",") if instanceIds else list(self.nodes)
        nodes = [{"instance_id": i, "node_name": self.nodes[i]["name"], "state": self.nodes[i]["state"],
                  "nodepool_id": "np-cloud", "ip_address": [], "node_status": "Ready"}
                 for i in wanted if i in self.nodes]
        return {"nodes": nodes, "page": {"total_count": len(nodes)}}

    def _task(self, kind, instances, due):
        task_id = f"T-{next(self._ids)}"
        self.tasks[task_id] = {"kind": kind, "instances": list(instances), "state": "running", "due": due}
        return task_id

    def _AttachInstances(self, cluster_id, instances=(), **dummy):
        self._busy()
        taken = [i for i in instances if self.nodes.get(i, {}).get("state") not in (None, "failed")]
        if taken:
            raise AlicloudError(f"{', '.join(taken)} is already a node of cluster {cluster_id}",
                                code="ErrorInstanceAlreadyAttached", http_status=400)
        for iid in instances:
            self.nodes[iid] = {"state": "initial", "name": f"node-{iid}"}
        return {"task_id": self._task("attach", instances, self.clock.now + self.attach_time)}

    def _DescribeClusterTasks(self, cluster_id, page_size=20, page_number=1):
        kinds = {"attach": "cluster_scaleout", "remove": "cluster_scalein", "addon": "addon_install"}
        return {"tasks": [{"task_id": t, "task_type": kinds.get(v["kind"], v["kind"]), "state": v["state"],
                           "created": f"2026-12-01T10:{int(v['due']) % 60:02d}:00+08:00"}
                          for t, v in reversed(self.tasks.items())]}

    def _DeleteClusterNodes(self, cluster_id, nodes=(), drain_node=True, release_node=False):
        self._busy()
        by_name = {n["name"]: i for i, n in self.nodes.items()}
        ids = [by_name[name] for name in nodes]
        for iid in ids:
            self.nodes[iid]["state"] = "removing"
        return {"task_id": self._task("remove", ids, self.clock.now + self.remove_time)}

    def _DescribeClusterUserKubeconfig(self, cluster_id, PrivateIpAddress=False, TemporaryDurationMinutes=None):
        return {"config": "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: secret-token\n",
                "expiration": "2026-12-02T10:00:00Z"}

    def _GetClusterAddonInstance(self, cluster_id, name):
        if name not in self.addons:
            raise AlicloudError("no such add-on", code="AddonNotFound", http_status=404)
        return dict(self.addons[name], name=name)

    def _ListAddons(self, cluster_id=None):
        return {"addons": [{"name": "metrics-server", "version": "v2"}]}

    def _InstallClusterAddons(self, cluster_id, body=()):
        self._busy()
        for item in body:
            self.addons[item["name"]] = {"version": item["version"], "state": "installing", "config": "{}"}
        task_id = self._task("addon", [], self.clock.now + self.remove_time)
        self.tasks[task_id]["addons"] = [item["name"] for item in body]
        return {"task_id": task_id}

    def _DescribeTaskInfo(self, task_id):
        task = self.tasks[task_id]
        return {"task_id": task_id, "state": task["state"],
                "task_result": [{"data": i, "status": "initial" if task["state"] == "running" else task["state"]}
                                for i in task["instances"]]}


def context(cloud, timeout=600, check_mode=False):
    """A run context around the fake cloud, on its clock."""
    return RunContext(api=cloud, timeout=timeout, check_mode=check_mode, sleep=cloud.clock.sleep,
                      clock=cloud.clock.time)
