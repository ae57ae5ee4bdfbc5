# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: thin CS (ACK) wrappers. Each pages or batches inside and returns plain dicts."""

from __future__ import annotations

import json

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _normalize
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._ecs import chunks
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

# reference/cs-api.md: the per-call limit of AttachInstances is undocumented; 100 matches the node-pool API.
ATTACH_BATCH = 100
NODE_FILTER_BATCH = 100  # instance IDs per DescribeClusterNodes call
NODE_PAGE = 100
TASK_DONE = {"success"}
TASK_FAILED = {"fail", "failed"}
BUSY_STATES = {"scaling", "updating", "upgrading", "removing", "draining", "waiting", "initial"}
EDGE = ("ManagedKubernetes", "Edge")


def cluster(raw):
    found = _normalize.normalize(raw)
    found["is_edge"] = (found.get("cluster_type"), found.get("profile")) == EDGE
    try:
        found["api_server_endpoint"] = json.loads(found.get("master_url") or "{}").get("api_server_endpoint")
    except ValueError:
        found["api_server_endpoint"] = None
    return found


def _on_cluster(api, action, cluster_id, *path, **kwargs):
    """A call about one cluster; an unknown cluster gets a message that names cluster_id."""
    try:
        return api.cs(action, cluster_id, *path, **kwargs)
    except AlicloudError as err:
        if err.code == "ErrorClusterNotFound":
            err.msg = (f"cluster_id: cluster {cluster_id} does not exist in region {api.region} for this account "
                       f"(error {err.code}, request {err.request_id}). Check the ID with "
                       "ack_edge.cloud_nodes.cs_cluster_info.")
        raise


def describe_cluster(api, cluster_id):
    return cluster(_on_cluster(api, "DescribeClusterDetail", cluster_id, attempted=f"Reading cluster {cluster_id}"))


def list_clusters(api, name=None, cluster_type=None, profile=None):
    found, page = [], 1
    while True:
        request = {"name": name, "cluster_type": cluster_type, "profile": profile, "region_id": api.region,
                   "page_size": 100, "page_number": page}
        body = api.cs("DescribeClustersV1", request={k: v for k, v in request.items() if v is not None},
                      attempted="Listing clusters")
        found += [cluster(c) for c in body.get("clusters") or []]
        total = (body.get("page_info") or {}).get("total_count") or 0
        if not body.get("clusters") or len(found) >= total:
            return found
        page += 1


def node_pools(api, cluster_id):
    body = _on_cluster(api, "DescribeClusterNodePools", cluster_id, request={},
                       attempted=f"Reading the node pools of cluster {cluster_id}")
    pools = {}
    for pool in body.get("nodepools") or []:
        info = pool.get("nodepool_info") or {}
        pools[info.get("nodepool_id")] = {"nodepool_id": info.get("nodepool_id"), "name": info.get("name"),
                                          "type": info.get("type"), "is_default": bool(info.get("is_default"))}
    return pools


def node(raw, pools):
    """A cluster node with its role: `cloud` for ECS node pools (type ess), `edge` for edge node pools."""
    found = _normalize.normalize(raw)
    pool = pools.get(found.get("nodepool_id")) or {}
    if pool.get("type"):
        found["role"] = "edge" if pool["type"] == "edge" else "cloud"
    else:
        found["role"] = "cloud" if found.get("is_aliyun_node") else "edge"
    found["ip_addresses"] = found.get("ip_address") or []
    found["ip_address"] = found["ip_addresses"][0] if found["ip_addresses"] else None
    found["nodepool_name"] = pool.get("name")
    return found


def describe_nodes(api, cluster_id, pools, instance_ids=None, state=None):
    """Nodes of a cluster, paged 100 at a time; instance IDs are filtered 100 per call."""
    groups = [None] if instance_ids is None else chunks(sorted(set(instance_ids)), NODE_FILTER_BATCH)
    found = []
    for group in groups:
        page = 1
        while True:
            request = {"pageSize": str(NODE_PAGE), "pageNumber": str(page)}
            if group:
                request["instanceIds"] = ",".join(group)
            if state:
                request["state"] = state
            body = _on_cluster(api, "DescribeClusterNodes", cluster_id, request=request,
                               attempted=f"Listing the nodes of cluster {cluster_id}")
            nodes = body.get("nodes") or []
            found += [node(n, pools) for n in nodes]
            total = (body.get("page") or {}).get("total_count") or 0
            if not nodes or page * NODE_PAGE >= total:
                break
            page += 1
    return found


def attach_instances(api, cluster_id, body):
    """One AttachInstances call. It has no client token, so it is never blindly repeated."""
    return _on_cluster(api, "AttachInstances", cluster_id, request=body, repeatable=False,
                       attempted=f"Attaching {', '.join(body['instances'])} to cluster {cluster_id}")


def delete_nodes(api, cluster_id, node_names, drain, release):
    body = {"nodes": list(node_names), "drain_node": drain, "release_node": release}
    return _on_cluster(api, "DeleteClusterNodes", cluster_id, request=body, repeatable=False,
                       attempted=f"Removing {', '.join(node_names)} from cluster {cluster_id}")


def describe_task(api, task_id):
    return _normalize.normalize(api.cs("DescribeTaskInfo", task_id, attempted=f"Reading task {task_id}"))


def user_kubeconfig(api, cluster_id, private_ip=False, minutes=None):
    request = {"PrivateIpAddress": private_ip}
    if minutes:
        request["TemporaryDurationMinutes"] = minutes
    return _on_cluster(api, "DescribeClusterUserKubeconfig", cluster_id, request=request,
                       attempted=f"Reading the kubeconfig of cluster {cluster_id}")


def wait_cluster_running(api, waiter, cluster_id, timeout):
    """A busy cluster (scaling, updating...) is waited out; a broken one fails at once."""
    def failed(found):
        state = found["state"]
        if state in ("running",) or state in BUSY_STATES:
            return None
        return f"cluster {cluster_id} is {state}"

    return waiter.wait(lambda: describe_cluster(api, cluster_id), lambda c: c["state"] == "running", timeout,
                       f"cluster {cluster_id} to be running", failed=failed, describe=lambda c: c["state"])
