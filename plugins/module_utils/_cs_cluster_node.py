# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what cs_cluster_node does - attach instances to a cluster, or remove them."""

from __future__ import annotations

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs, _ecs, _normalize, _validate
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import chunks
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cluster import JOINED, ClusterService, task_error
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import CLUSTER_TAG
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput, check_input
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import TASK_FAILED
# ack-facts §1.3, §1.4: AttachInstancesToNodePool takes none of these (the node pool sets them), and AttachInstances
# with nodepool_id refuses them; so does this module, before any call.
NODEPOOL_EXCLUSIVE = ("key_pair", "image_id", "runtime", "tags", "user_data")
DEFAULT_POOL = "default-nodepool"  # ack-facts §1.4: the ACK Edge cloud pool; it must keep one node


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
    pool_option = "nodepool_id" if p["nodepool_id"] else "nodepool_name" if p.get("nodepool_name") else None
    if pool_option:
        found += [(o, f"cannot be combined with {pool_option}: AttachInstancesToNodePool takes it from the node "
                      "pool, so set it on the node pool instead") for o in NODEPOOL_EXCLUSIVE if p[o]]
    if p.get("attach_batch_size") is not None and p["attach_batch_size"] < 1:
        found.append(("attach_batch_size", "must be at least 1"))
    if p["wait_timeout"] < 1:
        found.append(("wait_timeout", "must be at least 1 second"))
    return found


def attach_body(p, instance_ids, nodepool_id=None):
    body = {"instances": list(instance_ids), "password": p["password"], "key_pair": p["key_pair"],
            "format_disk": p["format_disk"], "keep_instance_name": p["keep_instance_name"],
            "nodepool_id": nodepool_id or p["nodepool_id"], "image_id": p["image_id"], "runtime": p["runtime"],
            "user_data": p["user_data"], "is_edge_worker": False}
    if p["tags"]:
        body["tags"] = _normalize.tag_pairs(p["tags"], "key", "value")
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
                                          f"{cluster['vpc_id']}, so it can never join; release it"))
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

    def __init__(self, ctx, params):
        self.ctx = ctx
        self.p = params
        self.cid = params["cluster_id"]
        self.cluster = ClusterService(ctx, self.cid)
        self.pool_id = None

    def ensure(self):
        return self.present() if self.p["state"] == "present" else self.absent()

    def checked_cluster(self):
        found = self.cluster.detail()
        if not found["is_edge"] and not self.p["allow_non_edge"]:
            raise InvalidInput([("cluster_id", (
                f"{self.cid} is a {found['cluster_type']} cluster with profile {found['profile']}, not an ACK Edge "
                "cluster; set allow_non_edge: true to use it anyway"))])
        if found["state"] != "running" and found["state"] not in _cs.BUSY_STATES:
            raise AlicloudError(f"Cluster {self.cid} is {found['state']}; nodes can only change while it is running.",
                                code="ClusterNotRunning")
        return found

    @staticmethod
    def _diff(before, after):
        return {"before": {"nodes": sorted(before)}, "after": {"nodes": sorted(after)}}

    def target_pool(self):
        """The node pool named by nodepool_id or nodepool_name, checked before any change: it must exist and be a
        cloud (ECS) pool. Sets self.pool_id; None means AttachInstances into the default pool."""
        p = self.p
        option = "nodepool_id" if p["nodepool_id"] else "nodepool_name" if p.get("nodepool_name") else None
        self.pool_id = None
        if option is None:
            return None
        pools = self.cluster.pools().values()
        found = [x for x in pools if x["nodepool_id" if option == "nodepool_id" else "name"] == p[option]]
        if not found:
            raise InvalidInput([(option, f"cluster {self.cid} has no node pool {p[option]}; it has "
                                         + ", ".join(f"{x['name']} ({x['nodepool_id']}, {x['type']})" for x in pools))])
        if found[0]["type"] == "edge":
            raise InvalidInput([(option, f"{p[option]} is an edge node pool; ECS instances join a cloud node pool "
                                         f"such as {DEFAULT_POOL}")])
        self.pool_id = found[0]["nodepool_id"]
        return found[0]

    # -- present --------------------------------------------------------------------------------------------
    def present(self):
        p, ctx = self.p, self.ctx
        ids = p["instance_ids"]
        cluster = self.checked_cluster()
        nodes = {n["instance_id"]: n for n in self.cluster.nodes(ids)}
        removing = [i for i in ids if nodes.get(i, {}).get("state") == "removing"]
        if removing:
            raise AlicloudError(f"{', '.join(removing)} are being removed from cluster {self.cid}; rerun once the "
                                "removal has finished.", code="NodeRemoving")
        joining = [i for i in ids if nodes.get(i, {}).get("state") == "initial"]
        if joining and p["wait"] and not ctx.check_mode:
            # A rerun after a timeout: the attach is under way, so wait for it instead of reporting it done.
            settled = self.cluster.wait_nodes(joining, "settled", f"{', '.join(joining)} to finish joining "
                                                                  f"cluster {self.cid}")
            for iid, node in settled.items():
                if node is None:
                    nodes.pop(iid, None)
                else:
                    nodes[iid] = node
        already = [i for i in ids if nodes.get(i, {}).get("state") in JOINED]
        todo = [i for i in ids if i not in already]
        result = {"changed": bool(todo), "cluster_id": self.cid, "attached_instance_ids": [], "task_id": None,
                  "task_ids": [], "results": [], "nodes": [nodes[i] for i in already]}
        if ctx.diff_mode:
            result["diff"] = self._diff(already, ids)
        if not todo:
            result["results"] = outcomes([], already, nodes, {})
            return result
        self.target_pool()
        if not p["password"] and not p["key_pair"] and not self.pool_id:
            raise InvalidInput([("password", "set password or key_pair to attach " + ", ".join(todo))])
        instances = {i["instance_id"]: i for i in _ecs.describe_instances(ctx.api, ids=todo)}
        check_input(instance_problems(cluster, todo, instances))
        if ctx.check_mode:
            result["attached_instance_ids"] = todo
            result["results"] = outcomes([], already, nodes, {}) + [
                {"instance_id": i, "outcome": "would_attach", "message": "would join the cluster"} for i in todo]
            return result
        try:
            return self._attach_all(result, ids, todo, already, nodes, instances)
        except AlicloudError as err:
            for key in ("task_id", "task_ids", "attached_instance_ids"):
                err.details.setdefault(key, result[key])
            err.details.setdefault("changed", bool(result["task_ids"]))
            err.details.setdefault("pending_instance_ids", [i for i in todo if i not in result["attached_instance_ids"]])
            raise

    def _attach_all(self, result, ids, todo, already, nodes, instances):
        p = self.p
        booting = [i for i in todo if instances[i]["status"] != "Running"]
        if booting:
            _ecs.wait_instances(self.ctx, booting, "Running", f"instances {', '.join(booting)} to be Running")
        if self.cluster.detail()["state"] != "running":
            self.cluster.wait_accepting()
        sizes = {}
        for batch in chunks(todo, p.get("attach_batch_size") or _cs.ATTACH_BATCH):
            task_id = self.cluster.attach(attach_body(p, batch, self.pool_id))
            if task_id:
                result["task_ids"].append(task_id)
                sizes[task_id] = len(batch)
        result["task_id"] = next(iter(result["task_ids"]), None)
        if not p["wait"]:
            result["attached_instance_ids"] = todo
            result["nodes"] = self.cluster.nodes(ids)
            result["results"] = outcomes([], already, nodes, {}) + [
                {"instance_id": i, "outcome": "attaching", "message": "joining; wait is false"} for i in todo]
            return result

        ended = self.cluster.follow_tasks(result["task_ids"], sizes) if result["task_ids"] else {}
        final = self.cluster.wait_nodes(todo, "settled", f"instances to join cluster {self.cid}")
        final.update({n["instance_id"]: n for n in result["nodes"]})
        result["results"] = outcomes(todo, already, final, ended)
        result["nodes"] = [final[i] for i in ids if final.get(i)]
        result["attached_instance_ids"] = [r["instance_id"] for r in result["results"] if r["outcome"] == "attached"]
        failed = [r for r in result["results"] if r["outcome"] == "failed"]
        if failed:
            details = dict(result)
            details["changed"] = bool(result["attached_instance_ids"])
            raise AlicloudError(
                f"Attaching to cluster {self.cid} failed for {len(failed)} of {len(todo)} instance(s): "
                + "; ".join(f"{r['instance_id']}: {r['message']}" for r in failed)
                + ". The others joined. Rerun the task to retry only the failed instances.",
                code=task_error(ended).get("code") or "NodeAttachFailed", **details)
        return result

    def keep_default_pool_node(self, everyone, targets):
        """ack-facts §1.4: default-nodepool must keep at least one node, or the ACK Edge cluster stops working."""
        default = {x["nodepool_id"] for x in self.cluster.pools().values()
                   if x["is_default"] or x["name"] == DEFAULT_POOL}
        if not default or not any(n.get("nodepool_id") in default for n in targets):
            return
        if not any(n.get("nodepool_id") in default and n["state"] in JOINED and n not in targets for n in everyone):
            raise InvalidInput([("instance_ids", (
                f"removing {', '.join(n['instance_id'] for n in targets)} would leave {DEFAULT_POOL} of cluster "
                f"{self.cid} without a node; ACK Edge needs at least one there, so nothing was removed"))])

    # -- absent ---------------------------------------------------------------------------------------------
    def absent(self):
        p, ctx = self.p, self.ctx
        ids = p["instance_ids"]
        self.checked_cluster()
        everyone = self.cluster.nodes()
        targets = [n for n in everyone if n["instance_id"] in ids]
        to_remove = [n["node_name"] for n in targets if n["state"] != "removing"]  # the others are on their way
        result = {"changed": bool(to_remove), "cluster_id": self.cid, "task_id": None,
                  "removed_instance_ids": [n["instance_id"] for n in targets], "nodes": []}
        if ctx.diff_mode:
            result["diff"] = self._diff([n["instance_id"] for n in targets], [])
        if not targets:
            return result
        cloud_left = [n for n in everyone if n["role"] == "cloud" and n["state"] in JOINED and n not in targets]
        if any(n["role"] == "cloud" for n in targets) and not cloud_left:
            raise InvalidInput([("instance_ids", (
                f"removing {', '.join(n['instance_id'] for n in targets)} would leave cluster {self.cid} without a "
                "cloud node; an ACK Edge cluster needs at least one, so nothing was removed"))])
        self.keep_default_pool_node(everyone, targets)
        if ctx.check_mode:
            return result
        try:
            if to_remove:
                result["task_id"] = self.cluster.remove(to_remove, p["drain"], p["release_instances"])
            if p["wait"]:
                if result["task_id"]:
                    ended = self.cluster.follow_tasks([result["task_id"]])
                    if ended[result["task_id"]]["state"] in TASK_FAILED:
                        error = task_error(ended)
                        raise AlicloudError(f"Removing nodes from cluster {self.cid} failed: "
                                            f"{error.get('message') or 'task ' + ended[result['task_id']]['state']}.",
                                            code=error.get("code") or "NodeRemoveFailed")
                self.cluster.wait_nodes([n["instance_id"] for n in targets], "absent",
                                        f"nodes to leave cluster {self.cid}")
        except AlicloudError as err:
            for key, value in result.items():
                err.details.setdefault(key, value)
            err.details["changed"] = bool(result["task_id"])
            raise
        return result
