# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what cs_cluster_node does - attach instances to a cluster, or remove them."""

from __future__ import annotations

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs, _ecs, _validate
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

JOINED = {"running", "initial"}  # node states that count as attached; initial means still joining
CLUSTER_TAG = "ack.aliyun.com"
NODEPOOL_EXCLUSIVE = ("key_pair", "image_id", "runtime", "tags", "user_data")


def problems(p):
    found = []
    ids = p["instance_ids"] or []
    if not ids:
        found.append(("instance_ids", "must list at least one instance"))
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        found.append(("instance_ids", f"lists {', '.join(twice)} more than once"))
    found += _validate.password("password", p["password"], forbid='\\"')
    found += _validate.tags("tags", p["tags"], limit=20, key_length=64)
    if p["nodepool_id"]:
        found += [(o, "cannot be combined with nodepool_id: ACK takes it from the node pool") for o in NODEPOOL_EXCLUSIVE
                  if p[o]]
    if p["wait_timeout"] < 1:
        found.append(("wait_timeout", "must be at least 1 second"))
    return found


def attach_body(p, instance_ids):
    body = {"instances": list(instance_ids), "password": p["password"], "key_pair": p["key_pair"],
            "format_disk": p["format_disk"], "keep_instance_name": p["keep_instance_name"],
            "nodepool_id": p["nodepool_id"], "image_id": p["image_id"], "runtime": p["runtime"],
            "user_data": p["user_data"], "is_edge_worker": False}
    if p["tags"]:
        body["tags"] = [{"key": k, "value": "" if v is None else str(v)} for k, v in sorted(p["tags"].items())]
    return {k: v for k, v in body.items() if v is not None}


def instance_problems(cluster, wanted, instances):
    """Why instances cannot join this cluster, each naming the instance."""
    found = []
    for iid in wanted:
        inst = instances.get(iid)
        if inst is None:
            found.append(("instance_ids", f"{iid} does not exist in {cluster['region_id']}"))
        elif inst["vpc_id"] != cluster["vpc_id"]:
            found.append(("instance_ids", f"{iid} is in {inst['vpc_id']}, not in the cluster's VPC "
                                          f"{cluster['vpc_id']}"))
        elif inst["status"] in ("Stopped", "Stopping"):
            found.append(("instance_ids", f"{iid} is {inst['status']}; start it first (ecs_instance state=running)"))
        elif inst["tags"].get(CLUSTER_TAG) not in (None, cluster["cluster_id"]):
            found.append(("instance_ids", f"{iid} is already a node of cluster {inst['tags'][CLUSTER_TAG]}"))
    return found


def outcomes(wanted, already, nodes, tasks):
    """Per-instance results after the attach tasks ended."""
    task_errors = "; ".join((t.get("error") or {}).get("message", "") for t in tasks.values() if t.get("error"))
    results = [{"instance_id": i, "outcome": "already_attached", "message": "already a node of the cluster"}
               for i in already]
    for iid in wanted:
        found = nodes.get(iid)
        if found and found["state"] == "running":
            results.append({"instance_id": iid, "outcome": "attached", "message": "joined the cluster"})
        else:
            reason = (found or {}).get("error_message") or task_errors or "not a node after the attach task ended"
            state = found["state"] if found else "absent"
            results.append({"instance_id": iid, "outcome": "failed", "message": f"node is {state}: {reason}"})
    return results


class ClusterNodes:
    """One cs_cluster_node run."""

    def __init__(self, module):
        self.module = module
        self.api = module.api
        self.p = module.params
        self.cid = self.p["cluster_id"]

    # -- shared ---------------------------------------------------------------------------------------------
    def cluster(self):
        found = _cs.describe_cluster(self.api, self.cid)
        if not found["is_edge"] and not self.p["allow_non_edge"]:
            self.module.fail_on_bad_input([("cluster_id", (
                f"{self.cid} is a {found['cluster_type']} cluster with profile {found['profile']}, not an ACK Edge "
                "cluster; set allow_non_edge: true to use it anyway"))])
        if found["state"] != "running" and found["state"] not in _cs.BUSY_STATES:
            raise AlicloudError(f"Cluster {self.cid} is {found['state']}; nodes can only change while it is running.",
                                code="ErrorClusterState")
        return found

    def _diff(self, before, after):
        return {"before": {"nodes": sorted(before)}, "after": {"nodes": sorted(after)}}

    def _wait(self, fetch, done, what, describe):
        return self.module.waiter.wait(fetch, done, self.p["wait_timeout"], what, describe=describe)

    # -- present --------------------------------------------------------------------------------------------
    def present(self):
        p, api = self.p, self.api
        ids = p["instance_ids"]
        cluster = self.cluster()
        pools = _cs.node_pools(api, self.cid)
        nodes = {n["instance_id"]: n for n in _cs.describe_nodes(api, self.cid, pools, instance_ids=ids)}
        removing = [i for i in ids if nodes.get(i, {}).get("state") == "removing"]
        if removing:
            raise AlicloudError(f"{', '.join(removing)} are being removed from cluster {self.cid}; rerun once the "
                                "removal has finished.", code="NodeRemoving")
        already = [i for i in ids if nodes.get(i, {}).get("state") in JOINED]
        todo = [i for i in ids if i not in already]
        result = {"changed": bool(todo), "cluster_id": self.cid, "attached_instance_ids": [], "task_id": None,
                  "task_ids": [], "results": [], "nodes": [nodes[i] for i in already]}
        if self.module.diff_mode:
            result["diff"] = self._diff(already, ids)
        if not todo:
            result["results"] = outcomes([], already, nodes, {})
            return result
        if not p["password"] and not p["key_pair"] and not p["nodepool_id"]:
            self.module.fail_on_bad_input([("password", "set password or key_pair to attach "
                                                        + ", ".join(todo))])
        instances = {i["instance_id"]: i for i in _ecs.describe_instances(api, ids=todo)}
        self.module.fail_on_bad_input(instance_problems(cluster, todo, instances))
        if self.module.check_mode:
            result["attached_instance_ids"] = todo
            result["results"] = outcomes([], already, nodes, {}) + [
                {"instance_id": i, "outcome": "would_attach", "message": "would join the cluster"} for i in todo]
            return result

        booting = [i for i in todo if instances[i]["status"] != "Running"]
        if booting:
            self._wait(lambda: _ecs.describe_instances(api, ids=booting),
                       lambda found: all(i["status"] == "Running" for i in found) and len(found) == len(booting),
                       f"instances {', '.join(booting)} to be Running",
                       lambda found: {i["instance_id"]: i["status"] for i in found})
        if cluster["state"] != "running":
            _cs.wait_cluster_running(api, self.module.waiter, self.cid, p["wait_timeout"])
        tasks = [self._attach(batch, pools) for batch in _ecs.chunks(todo, _cs.ATTACH_BATCH)]
        result.update(task_ids=[t for t in tasks if t], task_id=next((t for t in tasks if t), None))
        if not p["wait"]:
            result["attached_instance_ids"] = todo
            result["nodes"] = _cs.describe_nodes(api, self.cid, pools, instance_ids=ids)
            result["results"] = outcomes([], already, nodes, {}) + [
                {"instance_id": i, "outcome": "attaching", "message": "joining; wait is false"} for i in todo]
            return result

        ended = self._follow_tasks(result["task_ids"])
        final = {n["instance_id"]: n for n in self._wait(
            lambda: _cs.describe_nodes(api, self.cid, pools, instance_ids=ids),
            lambda found: not any(n["state"] == "initial" for n in found if n["instance_id"] in todo),
            f"instances to join cluster {self.cid}",
            lambda found: {n["instance_id"]: n["state"] for n in found})}
        result["results"] = outcomes(todo, already, final, ended)
        result["nodes"] = [final[i] for i in ids if i in final]
        result["attached_instance_ids"] = [r["instance_id"] for r in result["results"] if r["outcome"] == "attached"]
        failed = [r for r in result["results"] if r["outcome"] == "failed"]
        if failed:
            error = next(((t.get("error") or {}) for t in ended.values() if t.get("error")), {})
            details = dict(result)
            details["changed"] = bool(result["attached_instance_ids"])
            raise AlicloudError(
                f"Attaching to cluster {self.cid} failed for {len(failed)} of {len(todo)} instance(s): "
                + "; ".join(f"{r['instance_id']}: {r['message']}" for r in failed)
                + ". The others joined. Rerun the task to retry only the failed instances.",
                code=error.get("code") or "NodeAttachFailed", **details)
        return result

    def _attach(self, batch, pools):
        """Attach one batch; wait out a busy cluster; after an ambiguous failure, look before giving up."""
        p, api = self.p, self.api
        while True:
            try:
                return _cs.attach_instances(api, self.cid, attach_body(p, batch))["task_id"]
            except AlicloudError as err:
                if err.code == "ErrorClusterState":
                    _cs.wait_cluster_running(api, self.module.waiter, self.cid, p["wait_timeout"])
                    continue
                if err.network or (err.http_status or 0) >= 500:
                    seen = _cs.describe_nodes(api, self.cid, pools, instance_ids=batch)
                    if len(seen) == len(batch) and all(n["state"] in JOINED | {"failed"} for n in seen):
                        return None  # the call went through; follow the nodes instead of the task
                raise

    def _follow_tasks(self, task_ids):
        """Poll each unfinished task once per round until all have ended."""
        ended = {}

        def fetch():
            for task_id in task_ids:
                if task_id not in ended or ended[task_id]["state"] not in _cs.TASK_DONE | _cs.TASK_FAILED:
                    ended[task_id] = _cs.describe_task(self.api, task_id)
            return ended

        self._wait(fetch, lambda found: all(t["state"] in _cs.TASK_DONE | _cs.TASK_FAILED for t in found.values()),
                   f"task(s) {', '.join(task_ids)} to end", lambda found: {k: v["state"] for k, v in found.items()})
        return ended

    # -- absent ---------------------------------------------------------------------------------------------
    def absent(self):
        p, api = self.p, self.api
        ids = p["instance_ids"]
        self.cluster()
        pools = _cs.node_pools(api, self.cid)
        everyone = _cs.describe_nodes(api, self.cid, pools)
        targets = [n for n in everyone if n["instance_id"] in ids]
        result = {"changed": bool(targets), "cluster_id": self.cid, "task_id": None,
                  "removed_instance_ids": [n["instance_id"] for n in targets], "nodes": []}
        if self.module.diff_mode:
            result["diff"] = self._diff([n["instance_id"] for n in targets], [])
        if not targets:
            return result
        cloud_left = [n for n in everyone if n["role"] == "cloud" and n["state"] in JOINED and n not in targets]
        if any(n["role"] == "cloud" for n in targets) and not cloud_left:
            self.module.fail_on_bad_input([("instance_ids", (
                f"removing {', '.join(n['instance_id'] for n in targets)} would leave cluster {self.cid} without a "
                "cloud node; an ACK Edge cluster needs at least one, so nothing was removed"))])
        if self.module.check_mode:
            return result
        to_remove = [n["node_name"] for n in targets if n["state"] != "removing"]
        if to_remove:
            while True:
                try:
                    result["task_id"] = _cs.delete_nodes(api, self.cid, to_remove, p["drain"],
                                                         p["release_instances"])["task_id"]
                    break
                except AlicloudError as err:
                    if err.code != "ErrorClusterState":
                        raise
                    _cs.wait_cluster_running(api, self.module.waiter, self.cid, p["wait_timeout"])
        if p["wait"]:
            if result["task_id"]:
                ended = self._follow_tasks([result["task_id"]])
                task = ended[result["task_id"]]
                if task["state"] in _cs.TASK_FAILED:
                    raise AlicloudError(f"Removing nodes from cluster {self.cid} failed: "
                                        f"{(task.get('error') or {}).get('message', 'task ' + task['state'])}.",
                                        code=(task.get("error") or {}).get("code") or "NodeRemoveFailed", **result)
            self._wait(lambda: _cs.describe_nodes(api, self.cid, pools, instance_ids=ids), lambda found: not found,
                       f"nodes to leave cluster {self.cid}", lambda found: {n["instance_id"]: n["state"] for n in found})
        return result
