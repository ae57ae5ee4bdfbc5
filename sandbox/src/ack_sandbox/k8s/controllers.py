"""What the control plane does between requests: nodes from the cloud side, add-on workloads, the workload
controllers, garbage collection, the scheduler and the kubelets. Each step returns whether it changed anything;
`reconcile` runs them until nothing changes and reports when time alone will change something next."""

import copy
import hashlib
import ipaddress
import json

from .objects import (DAEMONSETS, DEPLOYMENTS, EVENTS, JOBS, LEASES, NAMESPACES, NODES, PDBS, PODS, REPLICASETS,
                      SERVICEACCOUNTS, SERVICES, STATEFULSETS, controller_of, deleting, name_of, node_ready,
                      owned_by, owner_ref, pod_defaults, requests, selects_node, suffix, untolerated,
                      workload_defaults)
from .selectors import matches_labels, parse_labels
from .store import micro, parse_time, rfc3339

ADDON_LABEL = "ack.sandbox/addon"
NOT_READY_TAINT = {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}
CLOUD_PLACEMENT = {  # what DESIGN.md §1 prescribes for management apps
    "nodeSelector": {"alibabacloud.com/is-edge-worker": "false", "beta.kubernetes.io/arch": "amd64",
                     "beta.kubernetes.io/os": "linux"},
    "tolerations": [{"key": "node-role.alibabacloud.com/addon", "operator": "Exists", "effect": "NoSchedule"}],
}
EVERYWHERE = {"tolerations": [{"operator": "Exists"}]}
# What each ACK add-on runs in kube-system: (kind, replicas, placement).
ADDON_WORKLOADS = {
    "metrics-server": ("Deployment", 1, CLOUD_PLACEMENT),
    "yurt-app-manager": ("Deployment", 1, CLOUD_PLACEMENT),
    "alibaba-log-controller": ("Deployment", 1, CLOUD_PLACEMENT),
    "alicloud-monitor-controller": ("Deployment", 1, CLOUD_PLACEMENT),
    "raven-agent-ds": ("DaemonSet", None, EVERYWHERE),
    "ack-node-problem-detector": ("DaemonSet", None, EVERYWHERE),
    "logtail-ds": ("DaemonSet", None, EVERYWHERE),
}
NODE_SIZES = {"ecs.g6.large": ("2", "8Gi"), "ecs.g6.xlarge": ("4", "16Gi"), "ecs.c6.large": ("2", "4Gi"),
              "ecs.g7.large": ("2", "8Gi")}
EDGE_SIZE = ("4", "8Gi")


def template_hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


def _conditions(*entries, now):
    stamp = rfc3339(now)
    return [{"type": t, "status": s, "reason": r, "message": m, "lastTransitionTime": stamp,
             "lastUpdateTime": stamp} for t, s, r, m in entries]


class Controllers:
    def __init__(self, state):
        self.state = state
        self.store = state.store
        self.world = state.world
        self.cid = state.cid
        self.profile = state.world.profile

    # -- helpers --------------------------------------------------------------------------------------------
    def pods(self, namespace=None):
        return self.store.list(PODS, namespace)

    def event(self, obj, reason, message, kind="Normal", now=0.0):
        namespace = obj["metadata"].get("namespace") or "default"
        self.store.create(EVENTS, {"metadata": {"name": f"{name_of(obj)}.{suffix(16)}", "namespace": namespace},
                                   "involvedObject": {"kind": obj["kind"], "name": name_of(obj),
                                                      "namespace": obj["metadata"].get("namespace", ""),
                                                      "uid": obj["metadata"]["uid"],
                                                      "apiVersion": obj["apiVersion"]},
                                   "reason": reason, "message": message, "type": kind, "count": 1,
                                   "firstTimestamp": rfc3339(now), "lastTimestamp": rfc3339(now),
                                   "source": {"component": "default-scheduler" if "Schedul" in reason else "kubelet"},
                                   "reportingComponent": "", "reportingInstance": ""}, now)

    def update(self, resource, obj, old):
        return self.store.update(resource, obj, old) is not old

    def delete_pod(self, pod, now, immediately=False):
        if deleting(pod):
            return False
        if immediately or not pod["spec"].get("nodeName"):
            self.store.remove(PODS, pod)
            return True
        new = copy.deepcopy(pod)
        new["metadata"]["deletionTimestamp"] = rfc3339(now + self.profile.seconds("pod_stop"))
        new["metadata"]["deletionGracePeriodSeconds"] = pod["spec"].get("terminationGracePeriodSeconds", 30)
        self.store.update(PODS, new, pod)
        return True

    def delete_object(self, resource, obj, now):
        if resource is PODS:
            return self.delete_pod(obj, now)
        if obj["metadata"].get("finalizers"):
            if deleting(obj):
                return False
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = rfc3339(now)
            self.store.update(resource, new, obj)
            return True
        self.store.remove(resource, obj)
        return True

    # -- the loop -------------------------------------------------------------------------------------------
    def reconcile(self, now):
        due = []
        steps = (self.seed, self.sync_nodes, self.addon_workloads, self.namespaces, self.garbage_collect,
                 self.deployments, self.statefulsets, self.daemonsets, self.jobs, self.replicasets, self.schedule,
                 self.pod_lifecycle, self.workload_status)
        for _round in range(8):
            changed = False
            for step in steps:
                changed = step(now, due) or changed
            if not changed:
                break
        return min(due) if due else None

    # -- seed -----------------------------------------------------------------------------------------------
    def seed(self, now, due):
        if self.store.get(NAMESPACES, None, "kube-system") is not None:
            return False
        for namespace in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.store.create(NAMESPACES, {"metadata": {"name": namespace, "labels": {
                "kubernetes.io/metadata.name": namespace}}, "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"}}, now)
            self.store.create(SERVICEACCOUNTS, {"metadata": {"name": "default", "namespace": namespace}}, now)
        self.store.create(SERVICES, {"metadata": {"name": "kubernetes", "namespace": "default",
                                                  "labels": {"component": "apiserver", "provider": "kubernetes"}},
                                     "spec": {"type": "ClusterIP", "clusterIP": "172.21.0.1",
                                              "clusterIPs": ["172.21.0.1"],
                                              "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                                         "targetPort": 6443}], "sessionAffinity": "None"},
                                     "status": {"loadBalancer": {}}}, now)
        self.store.create(DAEMONSETS, workload_defaults({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "kube-proxy-worker", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
            "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                     "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                                  "spec": dict(EVERYWHERE, priorityClassName="system-node-critical", containers=[
                                      {"name": "kube-proxy-worker",
                                       "image": "registry-cn-hangzhou.ack.aliyuncs.com/acs/kube-proxy:v1.30.1-aliyun.1",
                                       "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}}}])}}}), now)
        return True

    # -- nodes from the cloud side --------------------------------------------------------------------------
    def _node_object(self, record, index, now):
        instance = self.world.get("instance", record["instance_id"])
        cpu, memory = NODE_SIZES.get((instance or {}).get("instance_type"), EDGE_SIZE) if instance else EDGE_SIZE
        ready = record["node_status"] == "Ready"
        cluster = self.world.get("cluster", self.cid)
        version = "v" + cluster["current_version"]
        taints = [dict(t) for t in record.get("taints") or []]
        if not ready:
            taints.append(dict(NOT_READY_TAINT))
        cidr = f"172.20.{index}.0/24"
        spec = {"podCIDR": cidr, "podCIDRs": [cidr]}
        if record["role"] == "cloud":
            spec["providerID"] = f"{cluster['region_id']}.{record['instance_id']}"
        if taints:
            spec["taints"] = taints
        os_image = ("Alibaba Cloud Linux 3.2104 U10 (OpenAnolis Edition)" if record["role"] == "cloud"
                    else "Ubuntu 22.04.4 LTS")
        addresses = [{"type": "InternalIP", "address": record["ip"]}, {"type": "Hostname", "address": record["node_name"]}]
        resources = {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "40Gi"}
        return {
            "metadata": {"name": record["node_name"], "labels": dict(record["labels"]),
                         "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": spec,
            "status": {
                "capacity": dict(resources), "allocatable": dict(resources),
                "conditions": self._node_conditions(ready, now), "addresses": addresses,
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": hashlib.md5(record["node_name"].encode()).hexdigest(),
                             "systemUUID": hashlib.md5(record["instance_id"].encode()).hexdigest(),
                             "bootID": hashlib.md5((record["node_name"] + "boot").encode()).hexdigest(),
                             "kernelVersion": "5.10.134-16.3.al8.x86_64" if record["role"] == "cloud"
                             else "5.15.0-105-generic", "osImage": os_image,
                             "containerRuntimeVersion": "containerd://1.6.28", "kubeletVersion": version,
                             "kubeProxyVersion": version, "operatingSystem": "linux", "architecture": "amd64"},
            },
        }

    @staticmethod
    def _node_conditions(ready, now):
        stamp = rfc3339(now)
        pressure = [{"type": t, "status": "False", "reason": f"KubeletHas{r}", "message": m,
                     "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}
                    for t, r, m in (("MemoryPressure", "SufficientMemory", "kubelet has sufficient memory available"),
                                    ("DiskPressure", "NoDiskPressure", "kubelet has no disk pressure"),
                                    ("PIDPressure", "SufficientPID", "kubelet has sufficient PID available"))]
        return pressure + [{"type": "Ready", "status": "True" if ready else "False",
                            "reason": "KubeletReady" if ready else "KubeletNotReady",
                            "message": "kubelet is posting ready status" if ready
                            else "container runtime network not ready: NetworkReady=false",
                            "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}]

    def sync_nodes(self, now, due):
        records = {n["node_name"]: n for n in self.world.all("node")
                   if n["cluster_id"] == self.cid and n["state"] in ("running", "removing")}
        existing = {name_of(n): n for n in self.store.list(NODES)}
        changed = False
        for index, (name, record) in enumerate(sorted(records.items(), key=lambda kv: kv[1]["created"])):
            node = existing.get(name)
            ready = record["node_status"] == "Ready"
            if node is None:
                node = self.store.create(NODES, self._node_object(record, index + 1, now), now)
                self.store.create(LEASES, {"metadata": {"name": name, "namespace": "kube-node-lease",
                                                        "ownerReferences": [dict(owner_ref(node), controller=False)]},
                                           "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                                                    "renewTime": micro(now), "acquireTime": micro(now)}}, now)
                changed = True
            elif node_ready(node) != ready:
                new = copy.deepcopy(node)
                for cond in new["status"]["conditions"]:
                    if cond["type"] == "Ready":
                        cond.update(status="True" if ready else "False",
                                    reason="KubeletReady" if ready else "KubeletNotReady",
                                    message="kubelet is posting ready status" if ready else "kubelet stopped posting",
                                    lastTransitionTime=rfc3339(now), lastHeartbeatTime=rfc3339(now))
                taints = [t for t in new["spec"].get("taints") or [] if t.get("key") != NOT_READY_TAINT["key"]]
                if not ready:
                    taints.append(dict(NOT_READY_TAINT))
                if taints:
                    new["spec"]["taints"] = taints
                else:
                    new["spec"].pop("taints", None)
                changed = self.update(NODES, new, node) or changed
                node = new
            if record["state"] == "removing":
                changed = self._drain(node, record, now) or changed
        for name, node in existing.items():
            if name not in records:
                for pod in self.pods():
                    if pod["spec"].get("nodeName") == name:
                        self.store.remove(PODS, pod)
                lease = self.store.get(LEASES, "kube-node-lease", name)
                if lease is not None:
                    self.store.remove(LEASES, lease)
                self.store.remove(NODES, node)
                changed = True
        return changed

    def _drain(self, node, record, now):
        task = self.world.get("task", record.get("task_id") or "")
        if not task or not task.get("drain") or node["metadata"].get("annotations", {}).get("ack.sandbox/drained"):
            return False
        new = copy.deepcopy(node)
        new["spec"]["unschedulable"] = True
        new["metadata"].setdefault("annotations", {})["ack.sandbox/drained"] = rfc3339(now)
        self.store.update(NODES, new, node)
        for pod in self.pods():
            ref = controller_of(pod)
            if pod["spec"].get("nodeName") == name_of(node) and not (ref and ref.get("kind") == "DaemonSet"):
                self.delete_pod(pod, now)
        return True

    # -- add-on workloads -----------------------------------------------------------------------------------
    def addon_workloads(self, now, due):
        wanted = {a["name"]: a for a in self.world.all("addon")
                  if a["cluster_id"] == self.cid and a["state"] != "deleting" and a["name"] in ADDON_WORKLOADS}
        changed = False
        present = {}
        for resource in (DEPLOYMENTS, DAEMONSETS):
            for obj in self.store.list(resource, "kube-system"):
                addon = obj["metadata"].get("labels", {}).get(ADDON_LABEL)
                if addon:
                    present[addon] = (resource, obj)
        for name, addon in wanted.items():
            kind, replicas, placement = ADDON_WORKLOADS[name]
            resource = DEPLOYMENTS if kind == "Deployment" else DAEMONSETS
            image = f"registry-cn-hangzhou.ack.aliyuncs.com/acs/{name}:{addon['version']}"
            labels = {"k8s-app": name, ADDON_LABEL: name}
            spec = {"selector": {"matchLabels": {"k8s-app": name}},
                    "template": {"metadata": {"labels": {"k8s-app": name}},
                                 "spec": dict(copy.deepcopy(placement), priorityClassName="system-cluster-critical",
                                              containers=[{"name": name, "image": image, "resources": {
                                                  "requests": {"cpu": "50m", "memory": "64Mi"}}}])}}
            if replicas is not None:
                spec["replicas"] = replicas
            if name not in present:
                self.store.create(resource, workload_defaults({
                    "apiVersion": resource.api_version, "kind": kind,
                    "metadata": {"name": name, "namespace": "kube-system", "labels": labels},
                    "spec": spec}), now)
                changed = True
                continue
            _resource, obj = present[name]
            containers = obj["spec"]["template"]["spec"].get("containers") or []
            if containers and containers[0].get("image") != image:
                new = copy.deepcopy(obj)
                new["spec"]["template"]["spec"]["containers"][0]["image"] = image
                changed = self.update(resource, new, obj) or changed
        for name, (resource, obj) in present.items():
            if name not in wanted:
                self.store.remove(resource, obj)
                changed = True
        return changed

    # -- namespaces and garbage collection ------------------------------------------------------------------
    def namespaces(self, now, due):
        changed = False
        for namespace in self.store.list(NAMESPACES):
            if not deleting(namespace):
                continue
            ns = name_of(namespace)
            leftovers = False
            for (api_version, kind), objects in list(self.store.objects.items()):
                for (obj_ns, _name), obj in list(objects.items()):
                    if obj_ns == ns:
                        from . import catalog  # pylint: disable=import-outside-toplevel
                        resource = catalog.BY_KIND[(api_version, kind)]
                        if resource is PODS:
                            changed = self.delete_pod(obj, now, immediately=True) or changed
                        else:
                            self.store.remove(resource, obj)
                            changed = True
                        leftovers = True
            if not leftovers:
                self.store.remove(NAMESPACES, namespace)
                changed = True
        return changed

    def garbage_collect(self, now, due):
        uids = set()
        for objects in self.store.objects.values():
            uids.update(o["metadata"]["uid"] for o in objects.values())
        changed = False
        from . import catalog  # pylint: disable=import-outside-toplevel
        for (api_version, kind), objects in list(self.store.objects.items()):
            resource = catalog.BY_KIND.get((api_version, kind))
            for obj in list(objects.values()):
                refs = obj["metadata"].get("ownerReferences") or []
                if refs and not any(ref.get("uid") in uids for ref in refs) and not deleting(obj):
                    if resource is PODS:
                        changed = self.delete_pod(obj, now) or changed
                    elif resource is not None:
                        changed = self.delete_object(resource, obj, now) or changed
                elif deleting(obj) and resource is not PODS and not obj["metadata"].get("finalizers") \
                        and resource is not NAMESPACES:
                    self.store.remove(resource, obj)
                    changed = True
        return changed

    # -- workload controllers -------------------------------------------------------------------------------
    def deployments(self, now, due):
        changed = False
        for deploy in self.store.list(DEPLOYMENTS):
            if deleting(deploy):
                continue
            spec = deploy["spec"]
            template = copy.deepcopy(spec.get("template") or {})
            digest = template_hash(template)
            name = f"{name_of(deploy)}-{digest}"
            owned = [rs for rs in self.store.list(REPLICASETS, deploy["metadata"]["namespace"])
                     if owned_by(rs, deploy)]
            current = next((rs for rs in owned if name_of(rs) == name), None)
            replicas = spec.get("replicas", 1)
            if current is None:
                labels = dict((template.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": digest})
                template.setdefault("metadata", {})["labels"] = labels
                selector = copy.deepcopy(spec.get("selector") or {})
                selector.setdefault("matchLabels", {})["pod-template-hash"] = digest
                revision = 1 + max([int(rs["metadata"].get("annotations", {}).get(
                    "deployment.kubernetes.io/revision", "0")) for rs in owned] or [0])
                self.store.create(REPLICASETS, workload_defaults({
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": name, "namespace": deploy["metadata"]["namespace"], "labels": labels,
                                 "annotations": {"deployment.kubernetes.io/revision": str(revision),
                                                 "deployment.kubernetes.io/desired-replicas": str(replicas)},
                                 "ownerReferences": [owner_ref(deploy)]},
                    "spec": {"replicas": replicas, "selector": selector, "template": template}}), now)
                changed = True
            elif current["spec"].get("replicas") != replicas:
                new = copy.deepcopy(current)
                new["spec"]["replicas"] = replicas
                changed = self.update(REPLICASETS, new, current) or changed
            for rs in owned:
                if name_of(rs) != name and rs["spec"].get("replicas", 1) != 0:
                    new = copy.deepcopy(rs)
                    new["spec"]["replicas"] = 0
                    changed = self.update(REPLICASETS, new, rs) or changed
        return changed

    def _new_pod(self, owner, template, name, now, node=None, extra_labels=None):
        labels = dict((template.get("metadata") or {}).get("labels") or {}, **(extra_labels or {}))
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": owner["metadata"]["namespace"], "labels": labels,
                            "annotations": dict((template.get("metadata") or {}).get("annotations") or {}),
                            "ownerReferences": [owner_ref(owner)]},
               "spec": copy.deepcopy(template.get("spec") or {})}
        if node:
            pod["spec"]["nodeName"] = node
        return self.store.create(PODS, pod_defaults(pod), now)

    def replicasets(self, now, due):
        changed = False
        for rs in self.store.list(REPLICASETS):
            if deleting(rs):
                continue
            pods = [p for p in self.pods(rs["metadata"]["namespace"]) if owned_by(p, rs) and not deleting(p)
                    and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]
            wanted = rs["spec"].get("replicas", 1)
            for _n in range(wanted - len(pods)):
                self._new_pod(rs, rs["spec"]["template"], f"{name_of(rs)}-{suffix()}", now)
                changed = True
            if len(pods) > wanted:
                ranked = sorted(pods, key=lambda p: (bool(p["spec"].get("nodeName")),
                                                     p["status"].get("phase") == "Running",
                                                     p["metadata"]["creationTimestamp"]))
                for pod in ranked[:len(pods) - wanted]:
                    changed = self.delete_pod(pod, now) or changed
        return changed

    def statefulsets(self, now, due):
        changed = False
        for sts in self.store.list(STATEFULSETS):
            if deleting(sts):
                continue
            revision = f"{name_of(sts)}-{template_hash(sts['spec'].get('template') or {})}"
            namespace = sts["metadata"]["namespace"]
            wanted = sts["spec"].get("replicas", 1)
            ordered = sts["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady"
            for pod in self.pods(namespace):
                if owned_by(pod, sts) and not deleting(pod):
                    ordinal = int(name_of(pod).rsplit("-", 1)[1])
                    if ordinal >= wanted or pod["metadata"]["labels"].get("controller-revision-hash") != revision:
                        changed = self.delete_pod(pod, now) or changed
            for ordinal in range(wanted):
                name = f"{name_of(sts)}-{ordinal}"
                if self.store.get(PODS, namespace, name) is None:
                    self._new_pod(sts, sts["spec"]["template"], name, now, extra_labels={
                        "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": name,
                        "apps.kubernetes.io/pod-index": str(ordinal)})
                    changed = True
                    if ordered:
                        break
                pod = self.store.get(PODS, namespace, name)
                if ordered and not self._pod_ready(pod):
                    break
        return changed

    def _eligible(self, node, template_spec):
        tolerations = list(template_spec.get("tolerations") or []) + [
            {"key": k, "operator": "Exists", "effect": e} for k, e in (
                ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
                ("node.kubernetes.io/not-ready", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
                ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                ("node.kubernetes.io/pid-pressure", "NoSchedule"))]
        return selects_node(template_spec, node) and not untolerated(node["spec"].get("taints"), tolerations)

    def daemonsets(self, now, due):
        changed = False
        nodes = {name_of(n): n for n in self.store.list(NODES)}
        for ds in self.store.list(DAEMONSETS):
            if deleting(ds):
                continue
            template = ds["spec"].get("template") or {}
            revision = template_hash(template)
            eligible = {name for name, node in nodes.items() if self._eligible(node, template.get("spec") or {})}
            covered = set()
            for pod in self.pods(ds["metadata"]["namespace"]):
                if not owned_by(pod, ds) or deleting(pod):
                    continue
                node = pod["spec"].get("nodeName")
                if node not in eligible or node in covered or \
                        pod["metadata"]["labels"].get("controller-revision-hash") != revision:
                    changed = self.delete_pod(pod, now) or changed
                else:
                    covered.add(node)
            for node in sorted(eligible - covered):
                if any(owned_by(p, ds) and p["spec"].get("nodeName") == node for p in self.pods(ds["metadata"]["namespace"])):
                    continue  # the old pod is still terminating
                self._new_pod(ds, template, f"{name_of(ds)}-{suffix()}", now, node=node,
                              extra_labels={"controller-revision-hash": revision, "pod-template-generation":
                                            str(ds["metadata"].get("generation", 1))})
                changed = True
        return changed

    def jobs(self, now, due):
        changed = False
        for job in self.store.list(JOBS):
            if deleting(job):
                continue
            spec = job["spec"]
            pods = [p for p in self.pods(job["metadata"]["namespace"]) if owned_by(p, job)]
            succeeded = sum(p["status"].get("phase") == "Succeeded" for p in pods)
            active = [p for p in pods if p["status"].get("phase") in ("Pending", "Running") and not deleting(p)]
            completions, parallelism = spec.get("completions", 1), spec.get("parallelism", 1)
            if succeeded < completions and not spec.get("suspend"):
                for _n in range(min(parallelism, completions - succeeded) - len(active)):
                    self._new_pod(job, spec["template"], f"{name_of(job)}-{suffix()}", now,
                                  extra_labels={"batch.kubernetes.io/job-name": name_of(job),
                                                "job-name": name_of(job)})
                    changed = True
            status = {"active": len(active)} if active else {}
            status["startTime"] = job.get("status", {}).get("startTime") or rfc3339(now)
            if succeeded:
                status["succeeded"] = succeeded
            status["ready"] = sum(self._pod_ready(p) for p in active)
            status["terminating"] = 0
            status["uncountedTerminatedPods"] = {}
            if succeeded >= completions:
                status["completionTime"] = job.get("status", {}).get("completionTime") or rfc3339(now)
                status["conditions"] = job.get("status", {}).get("conditions") or _conditions(
                    ("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
                    ("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"), now=now)
            if status != job.get("status"):
                new = copy.deepcopy(job)
                new["status"] = status
                changed = self.update(JOBS, new, job) or changed
        return changed

    # -- the scheduler --------------------------------------------------------------------------------------
    def schedule(self, now, due):
        changed = False
        nodes = self.store.list(NODES)
        pods = self.pods()
        for pod in pods:
            if pod["spec"].get("nodeName") or deleting(pod) or pod["status"].get("phase") not in (None, "Pending"):
                continue
            node, message = self._place(pod, nodes, pods)
            new = copy.deepcopy(pod)
            if node is None:
                conditions = [c for c in new["status"].get("conditions") or [] if c["type"] != "PodScheduled"]
                old = next((c for c in pod["status"].get("conditions") or [] if c["type"] == "PodScheduled"), {})
                if old.get("message") == message:
                    continue
                conditions.append({"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                   "message": message, "lastProbeTime": None, "lastTransitionTime": rfc3339(now)})
                new["status"].update(phase="Pending", conditions=conditions)
                self.store.update(PODS, new, pod)
                self.event(pod, "FailedScheduling", message, "Warning", now)
                changed = True
                continue
            new["spec"]["nodeName"] = name_of(node)
            self.store.update(PODS, new, pod)
            self.event(new, "Scheduled", f"Successfully assigned {new['metadata']['namespace']}/{name_of(new)} to "
                                         f"{name_of(node)}", now=now)
            pods = self.pods()
            changed = True
        return changed

    def _place(self, pod, nodes, pods):
        """The node the scheduler picks, or None and the FailedScheduling message."""
        reasons = {}
        feasible = []
        cpu, memory = requests(pod)
        for node in nodes:
            spec = pod["spec"]
            taints = untolerated(node["spec"].get("taints"), spec.get("tolerations"), ("NoSchedule", "NoExecute"))
            if node["spec"].get("unschedulable"):
                why = "1 node(s) were unschedulable"
            elif taints:
                taint = taints[0]
                why = f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"
            elif not selects_node(spec, node):
                why = "node(s) didn't match Pod's node affinity/selector"
            else:
                mine = [p for p in pods if p["spec"].get("nodeName") == name_of(node) and not deleting(p)
                        and p["status"].get("phase") not in ("Succeeded", "Failed")]
                allocatable = node["status"]["allocatable"]
                used_cpu = sum(requests(p)[0] for p in mine)
                used_memory = sum(requests(p)[1] for p in mine)
                if len(mine) + 1 > int(allocatable.get("pods", 110)):
                    why = "Too many pods"
                elif used_cpu + cpu > _q(allocatable.get("cpu")):
                    why = "Insufficient cpu"
                elif used_memory + memory > _q(allocatable.get("memory")):
                    why = "Insufficient memory"
                else:
                    feasible.append((len(mine), used_cpu / max(_q(allocatable.get("cpu")), 0.001), name_of(node), node))
                    continue
            reasons[why] = reasons.get(why, 0) + 1
        if feasible:
            return min(feasible, key=lambda f: f[:3])[3], None
        parts = [f"{count} {why}" if why.startswith("node(s)") else f"{count} {why}" for why, count in sorted(reasons.items())]
        total = len(nodes)
        message = f"0/{total} nodes are available: {', '.join(parts) or 'no nodes available to schedule pods'}. " \
                  f"preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
        return None, message

    def _pod_ready(self, pod):
        for cond in (pod or {}).get("status", {}).get("conditions") or []:
            if cond.get("type") == "Ready":
                return cond.get("status") == "True"
        return False

    # -- kubelets -------------------------------------------------------------------------------------------
    def pod_lifecycle(self, now, due):
        changed = False
        nodes = {name_of(n): n for n in self.store.list(NODES)}
        for pod in self.pods():
            if deleting(pod):
                when = parse_time(pod["metadata"]["deletionTimestamp"])
                if when is None or when <= now:
                    self.store.remove(PODS, pod)
                    changed = True
                else:
                    due.append(when)
                continue
            node = nodes.get(pod["spec"].get("nodeName"))
            if node is None:
                continue
            if untolerated(node["spec"].get("taints"), pod["spec"].get("tolerations"), ("NoExecute",)):
                changed = self.delete_pod(pod, now) or changed  # the taint manager evicts it
                continue
            status = pod["status"]
            new = copy.deepcopy(pod)
            if not status.get("startTime"):
                new["status"] = self._started(pod, node, now)
            elif status.get("phase") == "Pending":
                ready_at = parse_time(status["startTime"]) + self.profile.seconds("pod_start")
                if ready_at <= now:
                    new["status"] = self._running(pod, node_ready(node), now)
                else:
                    due.append(ready_at)
            elif status.get("phase") == "Running":
                if pod["spec"].get("restartPolicy") in ("Never", "OnFailure") and controller_of(pod) and \
                        controller_of(pod).get("kind") == "Job":
                    done_at = parse_time(status.get("startTime")) + self.profile.seconds("pod_start") + \
                        self.profile.seconds("job_run")
                    if done_at <= now:
                        new["status"] = self._succeeded(pod, now)
                    else:
                        due.append(done_at)
                elif self._pod_ready(pod) != node_ready(node):
                    new["status"] = self._running(pod, node_ready(node), now)
            changed = self.update(PODS, new, pod) or changed
        return changed

    def _container_statuses(self, pod, state, ready):
        return [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": ready, "restartCount": 0,
                 "started": ready, "state": state, "lastState": {},
                 "containerID": f"containerd://{hashlib.sha256((pod['metadata']['uid'] + c['name']).encode()).hexdigest()}"
                 if "running" in state or "terminated" in state else None}
                for c in pod["spec"].get("containers") or []]

    def _pod_ip(self, pod, node):
        network = ipaddress.ip_network(node["spec"].get("podCIDR") or "172.20.0.0/24")
        offset = 2 + int(hashlib.md5(pod["metadata"]["uid"].encode()).hexdigest(), 16) % 250
        return str(network[offset])

    def _started(self, pod, node, now):
        address = next((a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP"), "")
        stamp = rfc3339(now)
        return {"phase": "Pending", "hostIP": address, "hostIPs": [{"ip": address}], "podIP": self._pod_ip(pod, node),
                "podIPs": [{"ip": self._pod_ip(pod, node)}], "startTime": stamp, "qosClass": "BestEffort",
                "conditions": [{"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": stamp},
                               {"type": "Initialized", "status": "True", "lastProbeTime": None,
                                "lastTransitionTime": stamp},
                               {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                                "lastProbeTime": None, "lastTransitionTime": stamp},
                               {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
                                "lastProbeTime": None, "lastTransitionTime": stamp}],
                "containerStatuses": self._container_statuses(pod, {"waiting": {"reason": "ContainerCreating"}},
                                                              False)}

    def _running(self, pod, ready, now):
        status = copy.deepcopy(pod["status"])
        stamp = rfc3339(now)
        status["phase"] = "Running"
        for cond in status.get("conditions") or []:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond.update(status="True" if ready else "False", lastTransitionTime=stamp)
                cond.pop("reason", None)
                if not ready:
                    cond["reason"] = "ContainersNotReady" if cond["type"] == "ContainersReady" else "NodeNotReady"
        status["containerStatuses"] = self._container_statuses(pod, {"running": {"startedAt": status["startTime"]}},
                                                               ready)
        return status

    def _succeeded(self, pod, now):
        status = copy.deepcopy(pod["status"])
        status["phase"] = "Succeeded"
        for cond in status.get("conditions") or []:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond.update(status="False", reason="PodCompleted", lastTransitionTime=rfc3339(now))
        status["containerStatuses"] = self._container_statuses(pod, {"terminated": {
            "exitCode": 0, "reason": "Completed", "startedAt": status["startTime"], "finishedAt": rfc3339(now)}},
            False)
        return status

    # -- status of workloads --------------------------------------------------------------------------------
    def workload_status(self, now, due):
        changed = False
        for rs in self.store.list(REPLICASETS):
            pods = [p for p in self.pods(rs["metadata"]["namespace"]) if owned_by(p, rs) and not deleting(p)]
            ready = sum(self._pod_ready(p) for p in pods)
            status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods),
                      "observedGeneration": rs["metadata"].get("generation", 1)}
            if ready:
                status.update(readyReplicas=ready, availableReplicas=ready)
            changed = self._set_status(REPLICASETS, rs, status) or changed
        for deploy in self.store.list(DEPLOYMENTS):
            changed = self._deployment_status(deploy, now) or changed
        for ds in self.store.list(DAEMONSETS):
            nodes = self.store.list(NODES)
            template = ds["spec"].get("template") or {}
            desired = sum(self._eligible(n, template.get("spec") or {}) for n in nodes)
            pods = [p for p in self.pods(ds["metadata"]["namespace"]) if owned_by(p, ds) and not deleting(p)]
            ready = sum(self._pod_ready(p) for p in pods)
            changed = self._set_status(DAEMONSETS, ds, {
                "desiredNumberScheduled": desired, "currentNumberScheduled": len(pods), "numberReady": ready,
                "numberAvailable": ready, "updatedNumberScheduled": len(pods), "numberMisscheduled": 0,
                "observedGeneration": ds["metadata"].get("generation", 1),
                **({"numberUnavailable": desired - ready} if desired > ready else {})}) or changed
        for sts in self.store.list(STATEFULSETS):
            revision = f"{name_of(sts)}-{template_hash(sts['spec'].get('template') or {})}"
            pods = [p for p in self.pods(sts["metadata"]["namespace"]) if owned_by(p, sts) and not deleting(p)]
            ready = sum(self._pod_ready(p) for p in pods)
            current = sum(p["metadata"]["labels"].get("controller-revision-hash") == revision for p in pods)
            changed = self._set_status(STATEFULSETS, sts, {
                "replicas": len(pods), "readyReplicas": ready, "availableReplicas": ready, "currentReplicas": current,
                "updatedReplicas": current, "currentRevision": revision, "updateRevision": revision,
                "observedGeneration": sts["metadata"].get("generation", 1), "collisionCount": 0}) or changed
        for pdb in self.store.list(PDBS):
            selector = parse_labels(",".join(f"{k}={v}" for k, v in
                                             ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels", {}).items()))
            pods = [p for p in self.pods(pdb["metadata"]["namespace"]) if matches_labels(selector, p) and not deleting(p)]
            healthy = sum(self._pod_ready(p) for p in pods)
            spec = pdb.get("spec") or {}
            if "minAvailable" in spec:
                desired = _count(spec["minAvailable"], len(pods))
            else:
                desired = len(pods) - _count(spec.get("maxUnavailable", 0), len(pods))
            changed = self._set_status(PDBS, pdb, {
                "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": len(pods),
                "disruptionsAllowed": max(0, healthy - desired),
                "observedGeneration": pdb["metadata"].get("generation", 1)}) or changed
        return changed

    def _deployment_status(self, deploy, now):
        spec = deploy["spec"]
        owned = [rs for rs in self.store.list(REPLICASETS, deploy["metadata"]["namespace"]) if owned_by(rs, deploy)]
        digest = template_hash(spec.get("template") or {})
        current = next((rs for rs in owned if name_of(rs) == f"{name_of(deploy)}-{digest}"), None)
        total = sum(rs.get("status", {}).get("replicas", 0) for rs in owned)
        updated = (current or {}).get("status", {}).get("replicas", 0)
        ready = sum(rs.get("status", {}).get("readyReplicas", 0) for rs in owned)
        replicas = spec.get("replicas", 1)
        unavailable_allowed = _count(((spec.get("strategy") or {}).get("rollingUpdate") or {})
                                     .get("maxUnavailable", "25%"), replicas)
        available = ready >= replicas - unavailable_allowed
        complete = updated == replicas and ready == replicas and total == replicas
        old = {c["type"]: c for c in (deploy.get("status") or {}).get("conditions") or []}
        conditions = []
        for kind, status, reason, message in (
                ("Available", "True" if available else "False",
                 "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                 "Deployment has minimum availability." if available
                 else "Deployment does not have minimum availability."),
                ("Progressing", "True", "NewReplicaSetAvailable" if complete else "ReplicaSetUpdated",
                 f'ReplicaSet "{name_of(current) if current else ""}" '
                 + ("has successfully progressed." if complete else "is progressing."))):
            previous = old.get(kind)
            if previous and (previous["status"], previous["reason"]) == (status, reason):
                conditions.append(previous)
            else:
                conditions.append(_conditions((kind, status, reason, message), now=now)[0])
        status = {"observedGeneration": deploy["metadata"].get("generation", 1), "replicas": total,
                  "updatedReplicas": updated, "conditions": conditions}
        if ready:
            status.update(readyReplicas=ready, availableReplicas=ready)
        if total - ready > 0:
            status["unavailableReplicas"] = total - ready
        return self._set_status(DEPLOYMENTS, deploy, status)

    def _set_status(self, resource, obj, status):
        if obj.get("status") == status:
            return False
        new = copy.deepcopy(obj)
        new["status"] = status
        return self.update(resource, new, obj)


def _q(value):
    from .objects import quantity  # pylint: disable=import-outside-toplevel
    return quantity(value)


def _count(value, total):
    """An int or a percentage of `total`, rounded down (maxUnavailable rounds down, as Kubernetes does)."""
    if isinstance(value, str) and value.endswith("%"):
        return int(total * int(value[:-1]) / 100)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0

