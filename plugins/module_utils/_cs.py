# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: thin CS (ACK) wrappers. Each pages or batches inside and returns plain dicts."""

from __future__ import annotations

import json

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _normalize
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import chunks
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

# ack-facts §1.2: the per-call limit of AttachInstances is undocumented; ESS, under the node pools, takes 20.
ATTACH_BATCH = 20
NODE_FILTER_BATCH = 100  # instance IDs per DescribeClusterNodes call
NODE_PAGE = 100
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
                       f"(error {err.code}, request {err.request_id}). Check the ID (for a host of the collection's "
                       "playbooks, cloud_nodes_cluster_id) with ack_edge.cloud_nodes.cs_cluster_info, and the region: CS finds a cluster only in its own "
                       "region, so set alicloud_region (for a host of the collection's playbooks, cloud_nodes_region) "
                       "to the cluster's region.")
        raise


def describe_cluster(api, cluster_id):
    found = cluster(_on_cluster(api, "DescribeClusterDetail", cluster_id, attempted=f"Reading cluster {cluster_id}"))
    check_region(api, found)
    return found


def check_region(api, found):
    """A cluster from another region than the one in use (a cs_endpoint of another region answers for its own) would
    send every ECS call of the task to the wrong region: refuse it, naming both."""
    if api.region and found.get("region_id") and found["region_id"] != api.region:
        raise AlicloudError(
            f"cluster_id: cluster {found.get('cluster_id')} is in region {found['region_id']}, but the region in use is "
            f"{api.region}. Set alicloud_region (for a host of the collection's playbooks, cloud_nodes_region) to "
            f"{found['region_id']}, and make sure cs_endpoint, if set, is an endpoint of that region.",
            code="RegionMismatch")


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
        group = pool.get("scaling_group") or {}
        status = pool.get("status") or {}
        pools[info.get("nodepool_id")] = {
            "nodepool_id": info.get("nodepool_id"), "name": info.get("name"), "type": info.get("type"),
            "is_default": bool(info.get("is_default")),
            # ack-facts §1.4: a pool's data-plane vSwitches; the cluster's own vswitch_ids are the control plane's.
            "vswitch_ids": list(group.get("vswitch_ids") or []),
            "security_group_ids": list(group.get("security_group_ids") or
                                       ([group["security_group_id"]] if group.get("security_group_id") else [])),
            "image_id": group.get("image_id") or None, "image_type": group.get("image_type") or None,
            "instance_types": list(group.get("instance_types") or []),
            "runtime": (pool.get("kubernetes_config") or {}).get("runtime"),
            "total_nodes": status.get("total_nodes") or 0, "healthy_nodes": status.get("healthy_nodes") or 0,
            "state": status.get("state")}
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
    """One AttachInstances call, or AttachInstancesToNodePool when the body names a node pool (ack-facts §1.3: the
    call ACK recommends; it takes only instances, password, format_disk and keep_instance_name). Neither has a
    client token, so it is never blindly repeated."""
    pool = body.get("nodepool_id")
    if pool:
        request = {k: v for k, v in body.items() if k in POOL_ATTACH_FIELDS}
        return _on_cluster(api, "AttachInstancesToNodePool", cluster_id, pool, request=request, repeatable=False,
                           attempted=f"Attaching {', '.join(body['instances'])} to node pool {pool} of cluster "
                                     f"{cluster_id}")
    return _on_cluster(api, "AttachInstances", cluster_id, request=body, repeatable=False,
                       attempted=f"Attaching {', '.join(body['instances'])} to cluster {cluster_id}")


POOL_ATTACH_FIELDS = ("instances", "password", "format_disk", "keep_instance_name")


def describe_cluster_tasks(api, cluster_id, page_size=20):
    """The cluster's newest tasks (first page): how a lost AttachInstances response is recovered (ack-facts §2)."""
    body = api.cs("DescribeClusterTasks", cluster_id, request={"page_size": page_size, "page_number": 1},
                  attempted=f"Listing the tasks of cluster {cluster_id}")
    return [_normalize.normalize(t) for t in body.get("tasks") or []]


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


# -- add-ons ----------------------------------------------------------------------------------------------------
def addon(api, cluster_id, name):
    """An installed add-on with its config as a dict, or None."""
    try:
        found = _on_cluster(api, "GetClusterAddonInstance", cluster_id, name,
                            attempted=f"Reading add-on {name} of cluster {cluster_id}")
    except AlicloudError as err:
        if err.code == "AddonNotFound":
            return None
        raise
    found = dict(found)
    try:
        found["config"] = json.loads(found.get("config") or "{}")
    except ValueError:
        pass
    return found


def addons(api, cluster_id):
    body = _on_cluster(api, "ListClusterAddonInstances", cluster_id,
                       attempted=f"Listing the add-ons of cluster {cluster_id}")
    return sorted((dict(a) for a in body.get("addons") or []), key=lambda a: a["name"])


def addon_catalog(api, cluster_id):
    """{name: newest version} of the add-ons ACK offers this cluster."""
    body = api.cs("ListAddons", request={"cluster_id": cluster_id}, attempted="Listing the add-ons ACK offers")
    return {a["name"]: a.get("version") for a in body.get("addons") or []}


def _config_text(config):
    return None if config is None else json.dumps(config, sort_keys=True)


def install_addon(api, cluster_id, name, version, config):
    item = {"name": name, "version": version}
    if config is not None:
        item["config"] = _config_text(config)
    return _on_cluster(api, "InstallClusterAddons", cluster_id, request={"body": [item]}, repeatable=False,
                       attempted=f"Installing add-on {name} {version} in cluster {cluster_id}")["task_id"]


def upgrade_addon(api, cluster_id, name, current, wanted, config):
    item = {"component_name": name, "version": current, "next_version": wanted, "policy": "overwrite"}
    if config is not None:
        item["config"] = _config_text(config)
    return _on_cluster(api, "UpgradeClusterAddons", cluster_id, request={"body": [item]}, repeatable=False,
                       attempted=f"Upgrading add-on {name} from {current} to {wanted}")["task_id"]


def configure_addon(api, cluster_id, name, config):
    _on_cluster(api, "ModifyClusterAddon", cluster_id, name, request={"config": _config_text(config)},
                repeatable=False, attempted=f"Configuring add-on {name} of cluster {cluster_id}")


def uninstall_addon(api, cluster_id, name):
    return _on_cluster(api, "UnInstallClusterAddons", cluster_id, request={"addons": [{"name": name}]},
                       repeatable=False, attempted=f"Uninstalling add-on {name} from cluster {cluster_id}")["task_id"]
