"""CS 2015-12-15 ROA actions for ACK@Edge: clusters, node attach/removal, tasks, kubeconfig and add-ons.

Where reference/cs-api.md marks an error code UNCONFIRMED, the code chosen here is listed in the sandbox
README so that nobody mistakes it for a documented one.
"""

import base64
import json
import re

from . import ecs, fixture
from .errors import ApiError, invalid
from .params import boolean, json_list
from .world import cs_time, finishes, iso_time, new_id

ROUTES = []  # (method, compiled path, action name, handler, read_only)


def route(method, pattern, name, read_only=None):
    regex = re.compile("^" + re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern) + "$")

    def register(func):
        ROUTES.append((method, regex, name, func, method == "GET" if read_only is None else read_only))
        return func
    return register


def resolve(method, path):
    for verb, regex, name, func, read_only in ROUTES:
        match = regex.match(path)
        if match and verb == method:
            return name, func, read_only, match.groupdict()
    return None


LABEL_PREFIXES = ("aliyun", "acs:", "http://", "https://")
BUSY_STATES = {"scaling", "updating", "upgrading", "removing", "draining"}
FAULT_BUSY_STATES = ("scaling", "updating", "removing")  # the states ack-facts §1.1 has the busy answer for


# -- helpers --------------------------------------------------------------------------------------------------
def _in_region(ctx, cluster):
    """CS is regional: a cluster of another region is not found (UNCONFIRMED: no source shows the real answer to
    a cluster ID asked at another region's endpoint; the regional endpoints of reference/cs-api.md §0 and the
    regional RAM resource `acs:cs:{regionId}:...:cluster/{ClusterId}` of §1 suggest this one)."""
    return cluster is not None and cluster["region_id"] == (ctx.region or fixture.REGION)


def _cluster(ctx, cid=None):
    cid = cid or ctx.path["ClusterId"]
    cluster = ctx.world.get("cluster", cid)
    if not _in_region(ctx, cluster):
        raise ApiError(404, "ErrorClusterNotFound", f"The cluster {cid} was not found.")
    return cluster


def _running_cluster(ctx):
    """The gate of every cluster-mutating call: 400 InvalidStatus.Forbidden "cannot operate cluster where state is
    <state>" (ack-facts §1.1: confirmed for scaling and updating, medium confidence for removing). That other
    non-running states (failed...) answer the same is UNCONFIRMED."""
    cluster = _cluster(ctx)
    if cluster["state"] != "running":
        raise ApiError(400, "InvalidStatus.Forbidden", f"cannot operate cluster where state is {cluster['state']}")
    return cluster


def _body(ctx, kind=dict):
    body = ctx.body if ctx.body is not None else kind()
    if not isinstance(body, kind):
        raise invalid("body", f"The request body must be a JSON {kind.__name__}.")
    return body


def _task(ctx, cluster, task_type, due_key, **fields):
    now = ctx.world.now()
    task = {"id": "T-" + new_id("", 24, "0123456789abcdef"), "cluster_id": cluster["id"], "task_type": task_type,
            "state": "running", "created": now, "updated": now,
            "due": now + ctx.world.profile.seconds(due_key) + ctx.faults.slow_task(cluster["id"], task_type),
            "result": [], "error": None}
    task.update(fields)
    ctx.world.put("task", task["id"], task)
    return task


def _nodes(world, cid):
    return sorted((n for n in world.all("node") if n["cluster_id"] == cid), key=lambda n: (n["created"], n["id"]))


def _pool(world, pool_id):
    return world.get("nodepool", pool_id) if pool_id else None


def password_problem(password):
    """ACK: the ECS rule, and neither a backslash nor a double quote."""
    if "\\" in password or '"' in password:
        return "it must not contain a backslash or a double quote"
    return ecs.password_problem(password)


# -- clusters -------------------------------------------------------------------------------------------------
def render_cluster(world, cluster):
    meta = {"Addons": [{"name": a["name"], "version": a["version"]} for a in world.all("addon")
                       if a["cluster_id"] == cluster["id"]], "Capabilities": {}, "EdgeCluster": cluster["profile"] == "Edge"}
    endpoint = cluster.get("api_endpoint", "")
    return {
        "cluster_id": cluster["id"], "name": cluster["name"], "region_id": cluster["region_id"],
        "zone_id": cluster["zone_id"], "vpc_id": cluster["vpc_id"], "vswitch_id": ",".join(cluster["vswitch_ids"]),
        "vswitch_ids": list(cluster["vswitch_ids"]), "security_group_id": cluster["security_group_id"],
        "resource_group_id": cluster["resource_group_id"], "cluster_type": cluster["cluster_type"],
        "profile": cluster["profile"], "cluster_spec": cluster["cluster_spec"], "state": cluster["state"],
        "size": cluster.get("size", 0), "current_version": cluster["current_version"],
        "init_version": cluster["init_version"], "next_version": "", "docker_version": "",
        "created": cs_time(cluster["created"]), "updated": cs_time(cluster["updated"]),
        "master_url": json.dumps({"api_server_endpoint": endpoint, "intranet_api_server_endpoint": endpoint}),
        "meta_data": json.dumps(meta), "network_mode": "vpc", "container_cidr": "172.20.0.0/16",
        "service_cidr": "172.21.0.0/20", "proxy_mode": "ipvs", "ip_stack": "ipv4", "deletion_protection": False,
        "cluster_domain": "cluster.local", "tags": [], "parameters": {}, "timezone": "Asia/Shanghai",
    }


@route("GET", "/api/v1/clusters", "DescribeClustersV1")
def describe_clusters_v1(ctx):
    q = ctx.query
    rows = []
    for cluster in sorted(ctx.world.all("cluster"), key=lambda c: c["created"]):
        if not _in_region(ctx, cluster):
            continue
        if q.get("name") and q["name"] not in cluster["name"]:
            continue
        if any(q.get(f) and cluster[k] != q[f] for f, k in (
                ("cluster_type", "cluster_type"), ("profile", "profile"), ("cluster_spec", "cluster_spec"),
                ("region_id", "region_id"), ("cluster_id", "id"))):
            continue
        rows.append(cluster)
    chunk, paging = _page(q, rows, "page_size", "page_number")
    return {"clusters": [render_cluster(ctx.world, c) for c in chunk], "page_info": paging}


def _page(q, rows, size_name, number_name):
    """One page of rows and the paging fields CS returns with it."""
    size = _int(q, size_name, 10, 1, 100)
    number = _int(q, number_name, 1, 1, None)
    return rows[(number - 1) * size:number * size], {"page_number": number, "page_size": size,
                                                      "total_count": len(rows)}


def _int(q, name, default, low, high):
    if q.get(name) in (None, ""):
        return default
    try:
        value = int(q[name])
    except ValueError:
        raise invalid(name, "It must be an integer.")
    if value < low or (high is not None and value > high):
        raise invalid(name, f"It must be between {low} and {high}.")
    return value


@route("GET", "/clusters/{ClusterId}", "DescribeClusterDetail")
def describe_cluster_detail(ctx):
    return render_cluster(ctx.world, _cluster(ctx))


def render_pool(world, cluster, pool):
    """A node pool as DescribeClusterNodePools gives it: the data-plane vSwitches and security groups are in
    `scaling_group` (ack-facts §1.4; field names per the CS SDK's node pool model)."""
    nodes = [n for n in _nodes(world, cluster["id"]) if n["nodepool_id"] == pool["id"]]
    image = world.get("image", pool.get("image_id") or "") or {}
    return {
        "nodepool_info": {"nodepool_id": pool["id"], "name": pool["name"], "type": pool["type"],
                          "is_default": pool["is_default"], "region_id": cluster["region_id"],
                          "resource_group_id": cluster["resource_group_id"]},
        "status": {"total_nodes": len(nodes), "state": "active",
                   "healthy_nodes": sum(n["node_status"] == "Ready" for n in nodes),
                   "serving_nodes": sum(n["state"] == "running" for n in nodes),
                   "initial_nodes": sum(n["state"] == "initial" for n in nodes),
                   "failed_nodes": sum(n["state"] == "failed" for n in nodes),
                   "removing_nodes": sum(n["state"] == "removing" for n in nodes), "offline_nodes": 0},
        "scaling_group": {"vswitch_ids": list(pool.get("vswitch_ids") or []),
                          "security_group_id": (pool.get("security_group_ids") or [""])[0],
                          "security_group_ids": list(pool.get("security_group_ids") or []),
                          "image_id": pool.get("image_id") or "", "image_type": IMAGE_TYPES.get(
                              fixture.image_os(image) if image else "", ""),
                          "instance_types": ["ecs.g6.large"] if pool["type"] == "ess" else []},
        "kubernetes_config": {"runtime": "containerd", "runtime_version": "1.6.28"},
        "interconnect_mode": "basic" if pool["type"] == "edge" else None,
    }


# scaling_group.image_type values (the CS SDK's node pool model documents AliyunLinux3, ContainerOS, CentOS...).
IMAGE_TYPES = {"alinux3": "AliyunLinux3", "alinux2": "AliyunLinux", "centos": "CentOS", "containeros": "ContainerOS"}


@route("GET", "/clusters/{ClusterId}/nodepools", "DescribeClusterNodePools")
def describe_cluster_node_pools(ctx):
    cluster = _cluster(ctx)
    pools = sorted((p for p in ctx.world.all("nodepool") if p["cluster_id"] == cluster["id"]),
                   key=lambda p: (not p["is_default"], p["name"]))
    return {"nodepools": [render_pool(ctx.world, cluster, p) for p in pools]}


@route("GET", "/clusters/{ClusterId}/nodepools/{NodepoolId}", "DescribeClusterNodePoolDetail")
def describe_cluster_node_pool_detail(ctx):
    cluster = _cluster(ctx)
    return render_pool(ctx.world, cluster, _pool_of(ctx, cluster))


def _pool_of(ctx, cluster):
    pool = _pool(ctx.world, ctx.path["NodepoolId"])
    if pool is None or pool["cluster_id"] != cluster["id"]:
        raise ApiError(404, "ErrorNodePoolNotFound", f"The node pool {ctx.path['NodepoolId']} was not found.")
    return pool


@route("DELETE", "/clusters/{ClusterId}/nodepools/{NodepoolId}", "DeleteClusterNodepool")
def delete_cluster_nodepool(ctx):
    """ack-facts §1.4: "You cannot delete the default-nodepool node pool". The code of that refusal, and of a pool
    that still has nodes, is UNCONFIRMED."""
    cluster = _running_cluster(ctx)
    pool = _pool_of(ctx, cluster)
    if pool["is_default"]:
        raise ApiError(400, "ErrorDefaultNodePoolUndeletable",
                       f"The node pool {pool['name']} is the cluster's default node pool and cannot be deleted.")
    if any(n["nodepool_id"] == pool["id"] for n in _nodes(ctx.world, cluster["id"])):
        raise ApiError(400, "ErrorNodePoolNotEmpty", f"The node pool {pool['name']} still has nodes; remove them "
                                                     "first.")
    ctx.world.delete("nodepool", pool["id"])
    return {"request_id": ctx.request_id}


# -- attach ---------------------------------------------------------------------------------------------------
def _check_labels(tags):
    if not isinstance(tags, list) or len(tags) > 20:
        raise invalid("tags", "At most 20 node labels are allowed.")
    keys = set()
    for tag in tags:
        key, value = str(tag.get("key", "")), str(tag.get("value", ""))
        if not key or len(key) > 64 or key.startswith(LABEL_PREFIXES) or key in keys:
            raise invalid("tags", f"The label key {key!r} is empty, longer than 64 characters, duplicated or "
                                  "starts with aliyun, acs:, http:// or https://.")
        if len(value) > 128 or value.startswith(LABEL_PREFIXES):
            raise invalid("tags", f"The value of label {key!r} is longer than 128 characters or starts with a "
                                  "reserved prefix.")
        keys.add(key)


def _refused_os(cluster, image):
    """ack-facts §3: from 1.30, CentOS and Alibaba Cloud Linux 2 are no longer supported as node pool OS. That attach
    applies the same rule, and its code (ErrorImageNotSupported), are UNCONFIRMED."""
    if image is None or cluster["current_version"] < "1.30":
        return ""
    os_name = fixture.image_os(image)
    if os_name in ("centos", "alinux2"):
        return (f"{image['name']} is not supported on Kubernetes {cluster['current_version']}; use Alibaba Cloud "
                "Linux 3 or ContainerOS")
    return ""


def _attach(ctx, cluster, body, pool, pool_login=False):
    world = ctx.world
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances or not all(isinstance(i, str) for i in instances):
        raise ApiError(400, "MissingParameter", 'The input parameter "instances" that is mandatory for processing '
                                                "this request is not supplied.")
    limit = ctx.world.setting("attach_max_instances")
    if len(instances) > limit:
        raise invalid("instances", f"At most {limit} instances can be attached in one call, got {len(instances)}.")
    if len(set(instances)) != len(instances):
        raise invalid("instances", "The instance list contains duplicates.")
    password, key_pair = body.get("password"), body.get("key_pair")
    if password and key_pair:
        raise invalid("password", "Set either password or key_pair, not both.")
    if not password and not key_pair and not pool_login:
        raise invalid("password", "Set password or key_pair to log in to the instances.")
    if password:
        problem = password_problem(password)
        if problem:
            raise invalid("password", f"The login password does not meet the rule: {problem}.")
    _check_labels(body.get("tags") or [])

    problems, first_code = [], None
    for iid in instances:
        inst = world.get("instance", iid)
        node = world.get("node", f"{cluster['id']}/{iid}")
        code, why = None, None
        if inst is None or inst["region_id"] != cluster["region_id"]:
            code, why = "ErrorInstanceNotFound", f"{iid} does not exist in {cluster['region_id']}"
        elif node is not None and node["state"] != "failed":
            code, why = "ErrorInstanceAlreadyAttached", f"{iid} is already a node of cluster {cluster['id']}"
        elif any(n["instance_id"] == iid and n["cluster_id"] != cluster["id"] for n in world.all("node")):
            code, why = "ErrorInstanceAlreadyAttached", f"{iid} is already a node of another cluster"
        elif inst["vpc_id"] != cluster["vpc_id"]:
            code, why = "ErrorInstanceNotInVpc", (f"{iid} is in {inst['vpc_id']}, not in the cluster's VPC "
                                                  f"{cluster['vpc_id']}")
        elif inst["status"] != "Running":
            code, why = "ErrorInstanceNotRunning", f"{iid} is {inst['status']}; it must be Running"
        elif _refused_os(cluster, world.get("image", body.get("image_id") or inst["image_id"])):
            code, why = "ErrorImageNotSupported", f"{iid}: " + _refused_os(
                cluster, world.get("image", body.get("image_id") or inst["image_id"]))
        if code:
            first_code = first_code or code
            problems.append(why)
    if problems:
        raise ApiError(400, first_code, "Cannot attach: " + "; ".join(problems) + ".")

    failing = ctx.faults.attach_failures(cluster["id"], instances)
    task = _task(ctx, cluster, "cluster_scaleout", "attach_task", instances=list(instances), failing=failing,
                 nodepool_id=pool["id"], labels={t["key"]: str(t.get("value", "")) for t in body.get("tags") or []},
                 keep_instance_name=boolean(body.get("keep_instance_name")),
                 fault_no_taint=ctx.faults.joins_without_taint(cluster["id"]),
                 fault_not_ready=ctx.faults.stays_not_ready(cluster["id"]))
    now = world.now()
    for index, iid in enumerate(instances):
        inst = world.get("instance", iid)
        vsw_zone = inst["zone_id"]
        node = fixture.add_node({"node": {}}, now + index * 1e-6, cluster, iid, pool["id"], "cloud", inst["private_ip"], vsw_zone,
                                ready=False, state="initial", instance_type=inst["instance_type"])
        node["task_id"] = task["id"]
        world.put("node", node["id"], node)
    return task


@finishes("cluster_scaleout")
def finish_attach(world, task):
    cluster = world.get("cluster", task["cluster_id"])
    failures = []
    for iid in task["instances"]:
        node = world.get("node", f"{task['cluster_id']}/{iid}")
        inst = world.get("instance", iid)
        if node is None:
            continue
        if iid in task["failing"] or inst is None:
            reason = ("the node failed to join: kubelet did not register (sandbox fault)" if inst is not None
                      else "the instance was released during the attach")
            node.update(state="failed", node_status="Unknown", error_message=reason)
            world.put("node", node["id"], node)
            failures.append(f"{iid}: {reason}")
            task["result"].append({"data": iid, "status": "failed"})
            continue
        ready_at = world.now() + (task.get("fault_not_ready") or 0) + world.profile.seconds("node_ready")
        node.update(state="running", node_status="NotReady", error_message="",
                    transitions=[[ready_at, {"node_status": "Ready"}]])
        node["labels"].update(task.get("labels") or {})
        if task.get("fault_no_taint"):
            node["taints"] = []
        world.put("node", node["id"], node)
        inst["tags"].update({"ack.aliyun.com": task["cluster_id"],
                             "ack.alibabacloud.com/nodepool-id": task["nodepool_id"]})
        if not task.get("keep_instance_name"):
            inst["name"] = f"worker-k8s-for-cs-{task['cluster_id']}"
        world.put("instance", iid, inst)
        task["result"].append({"data": iid, "status": "success"})
        if cluster is not None:
            cluster["size"] = cluster.get("size", 0) + 1
    if cluster is not None:
        world.put("cluster", cluster["id"], cluster)
    if failures:
        task["error"] = {"code": "NodeAttachFailed",
                         "message": f"{len(failures)} of {len(task['instances'])} instances failed to join: "
                                    + "; ".join(failures)}


# ack-facts §1.3, §1.4: with a node pool, these come from the pool; the API does not take them. That it rejects them
# (rather than ignoring them) with InvalidParameter is UNCONFIRMED.
POOL_OWNED = ("key_pair", "image_id", "runtime", "tags", "user_data", "cpu_policy")


def _reject_pool_owned(body):
    for field in POOL_OWNED:
        if body.get(field):
            raise invalid(field, "It is not supported when attaching to a node pool: the node pool sets it.")


@route("POST", "/clusters/{ClusterId}/attach", "AttachInstances")
def attach_instances(ctx):
    cluster = _running_cluster(ctx)
    body = _body(ctx)
    pool_id = body.get("nodepool_id")
    if pool_id:
        pool = _pool(ctx.world, pool_id)
        if pool is None or pool["cluster_id"] != cluster["id"]:
            raise ApiError(404, "ErrorNodePoolNotFound", f"The node pool {pool_id} was not found.")
        _reject_pool_owned(body)
    else:
        pool = next(p for p in ctx.world.all("nodepool") if p["cluster_id"] == cluster["id"] and p["is_default"])
    if pool["type"] != "ess":
        raise invalid("nodepool_id", "AttachInstances adds ECS instances to a cloud node pool only.")
    task = _attach(ctx, cluster, body, pool)
    return {"list": [{"code": "200", "instanceId": iid, "message": "successful"} for iid in task["instances"]],
            "task_id": task["id"]}


@route("POST", "/clusters/{ClusterId}/nodepools/{NodepoolId}/attach", "AttachInstancesToNodePool")
def attach_instances_to_node_pool(ctx):
    cluster = _running_cluster(ctx)
    pool = _pool(ctx.world, ctx.path["NodepoolId"])
    if pool is None or pool["cluster_id"] != cluster["id"]:
        raise ApiError(404, "ErrorNodePoolNotFound", f"The node pool {ctx.path['NodepoolId']} was not found.")
    if pool["type"] != "ess":
        raise invalid("NodepoolId", "Only cloud node pools take ECS instances.")
    body = _body(ctx)
    _reject_pool_owned(body)
    body = {k: v for k, v in body.items() if k in ("instances", "password", "format_disk", "keep_instance_name")}
    body.setdefault("keep_instance_name", True)
    # ack-facts §1.3: the node pool carries the login (its key pair); that the call then needs no password is
    # UNCONFIRMED.
    task = _attach(ctx, cluster, body, pool, pool_login=True)
    return {"request_id": ctx.request_id, "task_id": task["id"]}


# -- nodes ----------------------------------------------------------------------------------------------------
def render_node(world, node):
    inst = world.get("instance", node["instance_id"])
    return {
        "instance_id": node["instance_id"], "instance_name": inst["name"] if inst else node["node_name"],
        "node_name": node["node_name"], "host_name": inst["host_name"] if inst else node["node_name"],
        "instance_role": "Worker", "state": node["state"], "node_status": node["node_status"],
        "instance_status": inst["status"] if inst else "", "ip_address": [node["ip"]],
        "is_aliyun_node": node["is_aliyun_node"], "nodepool_id": node["nodepool_id"], "source": node["source"],
        "instance_type": inst["instance_type"] if inst else "", "instance_type_family":
            ".".join(inst["instance_type"].split(".")[:2]) if inst else "",
        "instance_charge_type": inst.get("charge_type", "PostPaid") if inst else "",
        "image_id": inst["image_id"] if inst else "", "creation_time": cs_time(node["created"]),
        "expired_time": "2099-12-31T23:59:00+08:00", "error_message": node.get("error_message", ""),
        "spot_strategy": "NoSpot",
    }


NODE_STATES = {"all", "running", "removing", "initial", "failed"}


@route("GET", "/clusters/{ClusterId}/nodes", "DescribeClusterNodes")
def describe_cluster_nodes(ctx):
    cluster = _cluster(ctx)
    q = ctx.query
    state = q.get("state") or "all"
    if state not in NODE_STATES:
        raise invalid("state", "It must be one of all, running, removing, initial, failed.")
    ids = set(filter(None, (q.get("instanceIds") or "").split(",")))
    names = set(filter(None, (q.get("nodeNames") or "").split(",")))
    ips = set(filter(None, (q.get("nodeIps") or "").split(",")))
    labels = dict(pair.split("=", 1) for pair in filter(None, (q.get("nodeLabels") or "").split(",")) if "=" in pair)
    rows = []
    for node in _nodes(ctx.world, cluster["id"]):
        if state != "all" and node["state"] != state:
            continue
        if q.get("nodepool_id") and node["nodepool_id"] != q["nodepool_id"]:
            continue
        if (ids and node["instance_id"] not in ids) or (names and node["node_name"] not in names) \
                or (ips and node["ip"] not in ips):
            continue
        if any(node["labels"].get(k) != v for k, v in labels.items()):
            continue
        rows.append(node)
    chunk, paging = _page(q, rows, "pageSize", "pageNumber")
    return {"nodes": [render_node(ctx.world, n) for n in chunk], "page": paging}


def _remove(ctx, cluster, nodes, drain, release):
    world = ctx.world
    default = next((p["id"] for p in world.all("nodepool") if p["cluster_id"] == cluster["id"] and p["is_default"]),
                   None)
    cloud_left = [n for n in _nodes(world, cluster["id"])
                  if n["role"] == "cloud" and n["state"] in ("running", "initial") and n not in nodes]
    if any(n["role"] == "cloud" for n in nodes) and not cloud_left:
        raise ApiError(400, "ErrorLastCloudNode",
                       f"The cluster {cluster['id']} must keep at least one cloud node; removing "
                       + ", ".join(n["node_name"] for n in nodes) + " would leave none.")
    # ack-facts §1.4: default-nodepool "must contain at least one node"; the code is UNCONFIRMED.
    if any(n["nodepool_id"] == default for n in nodes) and not any(n["nodepool_id"] == default for n in cloud_left):
        raise ApiError(400, "ErrorLastCloudNode",
                       f"The node pool default-nodepool of cluster {cluster['id']} must keep at least one node; "
                       "removing " + ", ".join(n["node_name"] for n in nodes) + " would leave none.")
    task = _task(ctx, cluster, "cluster_scalein", "remove_task", nodes=[n["id"] for n in nodes],
                 drain=drain, release=release)
    for node in nodes:
        node["state"] = "removing"
        node["task_id"] = task["id"]
        world.put("node", node["id"], node)
    return task


@finishes("cluster_scalein")
def finish_remove(world, task):
    cluster = world.get("cluster", task["cluster_id"])
    for key in task["nodes"]:
        node = world.delete("node", key)
        if node is None:
            continue
        task["result"].append({"data": node["instance_id"], "status": "success"})
        if cluster is not None:
            cluster["size"] = max(0, cluster.get("size", 1) - 1)
        inst = world.get("instance", node["instance_id"])
        if inst is None:
            continue
        if task.get("release"):
            ecs.release(world, inst)
        else:
            for tag in ("ack.aliyun.com", "ack.alibabacloud.com/nodepool-id"):
                inst["tags"].pop(tag, None)
            world.put("instance", inst["id"], inst)
    if cluster is not None:
        world.put("cluster", cluster["id"], cluster)


@route("POST", "/clusters/{ClusterId}/nodes", "DeleteClusterNodes")
@route("DELETE", "/clusters/{ClusterId}/nodes", "DeleteClusterNodes")
def delete_cluster_nodes(ctx):
    cluster = _running_cluster(ctx)
    body = _body(ctx)
    names = body.get("nodes")
    if not isinstance(names, list) or not names:
        raise ApiError(400, "MissingParameter", 'The input parameter "nodes" that is mandatory for processing this '
                                                "request is not supplied.")
    by_name = {n["node_name"]: n for n in _nodes(ctx.world, cluster["id"])}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ApiError(400, "ErrorNodeNotFound", "These nodes are not in the cluster: " + ", ".join(unknown))
    task = _remove(ctx, cluster, [by_name[n] for n in names], boolean(body.get("drain_node")),
                   boolean(body.get("release_node")))
    return {"cluster_id": cluster["id"], "request_id": ctx.request_id, "task_id": task["id"]}


@route("DELETE", "/clusters/{ClusterId}/nodepools/{NodepoolId}/nodes", "RemoveNodePoolNodes")
def remove_node_pool_nodes(ctx):
    cluster = _running_cluster(ctx)
    pool_id = ctx.path["NodepoolId"]
    ids = json_list(ctx.query, "instance_ids") or []
    names = json_list(ctx.query, "nodes") or []
    if not ids and not names:
        raise ApiError(400, "MissingParameter", 'The input parameter "instance_ids" that is mandatory for '
                                                "processing this request is not supplied.")
    chosen = [n for n in _nodes(ctx.world, cluster["id"]) if n["nodepool_id"] == pool_id
              and (n["instance_id"] in ids or n["node_name"] in names)]
    missing_ids = set(ids) - {n["instance_id"] for n in chosen}
    if missing_ids:
        raise ApiError(400, "ErrorNodeNotFound", "These instances are not nodes of the node pool: "
                       + ", ".join(sorted(missing_ids)))
    task = _remove(ctx, cluster, chosen, boolean(ctx.query.get("drain_node")),
                   boolean(ctx.query.get("release_node")))
    return {"request_id": ctx.request_id, "task_id": task["id"]}


# -- tasks ----------------------------------------------------------------------------------------------------
# Stage names per task type. Real names are UNCONFIRMED (ack-facts §2 documents the stage fields, not the names);
# each stage takes an equal share of the task's time.
STAGES = {"cluster_scaleout": ("PrepareInstances", "InitNodes", "JoinCluster"),
          "cluster_scalein": ("DrainNodes", "RemoveNodes")}


def _stamp(ts):
    return iso_time(ts).replace("T", " ").rstrip("Z")  # ack-facts §2: YYYY-MM-DD HH:mm:ss


def render_task(world, task):
    """A task as DescribeTaskInfo gives it (ack-facts §2): state, stages[], events[], task_result[], error."""
    now = world.now()
    running = task["state"] in ("running", "paused")
    names = STAGES.get(task["task_type"], ("Run",))
    span = max(task["due"] - task["created"], 1e-6)
    done = len(names) if not running else min(len(names) - 1, int((now - task["created"]) / span * len(names)))
    stages = []
    for index, name in enumerate(names[:done + 1] if running else names):
        began = task["created"] + span * index / len(names)
        ended = index < done or not running
        stages.append({"state": ("success" if task["state"] == "success" or index < done else task["state"])
                       if ended else task["state"], "start_time": _stamp(began),
                       "end_time": _stamp(min(task["created"] + span * (index + 1) / len(names), task["updated"]))
                       if ended else "", "message": "", "outputs": {}})
    events = [{"action": "start", "level": "Normal", "reason": "TaskStarted", "source": "cs",
               "message": f"{task['task_type']} started", "timestamp": str(int(task["created"] * 1000))}]
    if not running:
        events.append({"action": "finish", "level": "Normal" if task["state"] == "success" else "Warning",
                       "reason": "TaskEnded", "source": "cs", "message": f"{task['task_type']} {task['state']}",
                       "timestamp": str(int(task["updated"] * 1000))})
    result = list(task["result"]) if not running else [{"data": i, "status": "initial"}
                                                         for i in task.get("instances") or []]
    body = {
        "task_id": task["id"], "cluster_id": task["cluster_id"], "task_type": task["task_type"],
        "state": task["state"], "created": cs_time(task["created"]), "updated": cs_time(task["updated"]),
        "current_stage": names[done] if running else "",
        "target": {"id": task["cluster_id"], "type": "cluster"}, "parameters": {}, "stages": stages,
        "events": events, "task_result": result,
    }
    if task.get("error"):
        body["error"] = dict(task["error"])
    return body


def _task_of(ctx):
    task = ctx.world.get("task", ctx.path["TaskId"])
    if task is None or not _in_region(ctx, ctx.world.get("cluster", task["cluster_id"])):
        raise ApiError(404, "ErrorTaskNotFound", f"The task {ctx.path['TaskId']} was not found.")
    return task


@route("GET", "/tasks/{TaskId}", "DescribeTaskInfo")
def describe_task_info(ctx):
    return render_task(ctx.world, _task_of(ctx))


@route("GET", "/clusters/{ClusterId}/tasks", "DescribeClusterTasks")
def describe_cluster_tasks(ctx):
    """The cluster's tasks, newest first, paged (ack-facts §2: how a client finds a task after a lost response)."""
    cluster = _cluster(ctx)
    tasks = sorted((t for t in ctx.world.all("task") if t["cluster_id"] == cluster["id"]),
                   key=lambda t: t["created"], reverse=True)
    try:
        size = min(100, max(1, int(ctx.query.get("page_size") or 10)))
        number = max(1, int(ctx.query.get("page_number") or 1))
    except ValueError:
        raise invalid("page_size", "page_size and page_number must be whole numbers.")
    chosen = tasks[(number - 1) * size:number * size]
    return {"tasks": [{"task_id": t["id"], "task_type": t["task_type"], "state": t["state"],
                       "created": cs_time(t["created"]), "updated": cs_time(t["updated"]),
                       **({"error": dict(t["error"])} if t.get("error") else {})} for t in chosen],
            "page_info": {"page_size": size, "page_number": number, "total_count": len(tasks)},
            "requestId": ctx.request_id}


def _task_state_refused(task, verb):
    # The real code for a task that cannot be paused, resumed or canceled is UNCONFIRMED.
    return ApiError(400, "InvalidParameter", f"The task {task['id']} is {task['state']} and cannot be {verb}.")


@route("POST", "/tasks/{TaskId}/pause", "PauseTask")
def pause_task(ctx):
    """ack-facts §2: PauseTask exists (SDK, ecctl); whether a task type allows it is the server's call."""
    task = _task_of(ctx)
    if task["state"] != "running":
        raise _task_state_refused(task, "paused")
    task.update(state="paused", paused_at=ctx.world.now(), updated=ctx.world.now())
    ctx.world.put("task", task["id"], task)
    return {"requestId": ctx.request_id}


@route("POST", "/tasks/{TaskId}/resume", "ResumeTask")
def resume_task(ctx):
    task = _task_of(ctx)
    if task["state"] != "paused":
        raise _task_state_refused(task, "resumed")
    now = ctx.world.now()
    task.update(state="running", due=task["due"] + now - task.pop("paused_at", now), updated=now)
    ctx.world.put("task", task["id"], task)
    return {"requestId": ctx.request_id}


@route("POST", "/tasks/{TaskId}/cancel", "CancelTask")
def cancel_task(ctx):
    """`canceled` ends the task without success. What happens to the nodes it was adding is UNCONFIRMED: here they
    never join (their node records go), and the instances stay as they were."""
    task = _task_of(ctx)
    if task["state"] not in ("running", "paused"):
        raise _task_state_refused(task, "canceled")
    for iid in task.get("instances") or []:
        node = ctx.world.get("node", f"{task['cluster_id']}/{iid}")
        if task["task_type"] == "cluster_scaleout" and node is not None and node["state"] == "initial":
            ctx.world.delete("node", node["id"])
    task.update(state="canceled", updated=ctx.world.now(), result=[{"data": i, "status": "failed"}
                                                                     for i in task.get("instances") or []])
    ctx.world.put("task", task["id"], task)
    return {"requestId": ctx.request_id}


# -- kubeconfig -----------------------------------------------------------------------------------------------
def kubeconfig(cluster, server, ca_pem, token):
    ca = base64.b64encode(ca_pem.encode()).decode()
    name = cluster["id"]
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {name}\n"
        "  cluster:\n"
        f"    server: {server}\n"
        f"    certificate-authority-data: {ca}\n"
        "contexts:\n"
        f"- name: {name}-admin\n"
        "  context:\n"
        f"    cluster: {name}\n"
        f"    user: {name}-admin\n"
        f"current-context: {name}-admin\n"
        "preferences: {}\n"
        "users:\n"
        f"- name: {name}-admin\n"
        "  user:\n"
        f"    token: {token}\n"
    )


@route("GET", "/k8s/{ClusterId}/user_config", "DescribeClusterUserKubeconfig")
def describe_cluster_user_kubeconfig(ctx):
    cluster = _cluster(ctx)
    minutes = ctx.query.get("TemporaryDurationMinutes")
    now = ctx.world.now()
    if minutes not in (None, ""):
        minutes = _int(ctx.query, "TemporaryDurationMinutes", None, 15, 4320)
        token = new_id("", 48)
        expires = now + minutes * 60
        cluster.setdefault("temporary_tokens", {})[token] = expires
        cluster["temporary_tokens"] = {t: e for t, e in cluster["temporary_tokens"].items() if e > now}
        ctx.world.put("cluster", cluster["id"], cluster)
    else:
        token, expires = cluster["k8s_token"], cluster["created"] + 3 * 365 * 86400
    server = ctx.k8s_endpoint(cluster["id"])
    return {"config": kubeconfig(cluster, server, ctx.ca_pem, token), "expiration": iso_time(expires)}


# -- add-ons --------------------------------------------------------------------------------------------------
def _addon(world, cid, name):
    return world.get("addon", f"{cid}/{name}")


def _catalog_version(name, version, field):
    versions = fixture.ADDON_CATALOG.get(name)
    if versions is None:
        raise ApiError(404, "AddonNotFound", f"The add-on {name} is not offered for this cluster.")
    if version not in versions:
        raise invalid(field, f"{name} has no version {version!r}; available: {', '.join(versions)}.")


@route("POST", "/clusters/{ClusterId}/components/install", "InstallClusterAddons")
def install_cluster_addons(ctx):
    cluster = _running_cluster(ctx)
    items = _body(ctx, list)
    if not items:
        raise ApiError(400, "MissingParameter", 'The input parameter "body" that is mandatory for processing this '
                                                "request is not supplied.")
    for item in items:
        name, version = item.get("name"), item.get("version")
        if not name or not version:
            raise ApiError(400, "MissingParameter", "Each add-on needs a name and a version.")
        _catalog_version(name, version, "version")
        if _addon(ctx.world, cluster["id"], name) is not None:
            raise ApiError(400, "ErrorAddonAlreadyInstalled", f"The add-on {name} is already installed.")
        _config(item)
    task = _task(ctx, cluster, "addon_install", "addon_task", addons=[i["name"] for i in items])
    for item in items:
        key = f"{cluster['id']}/{item['name']}"
        ctx.world.put("addon", key, {"id": key, "cluster_id": cluster["id"], "name": item["name"],
                                     "version": item["version"], "state": "updating",
                                     "config": item.get("config") or "{}", "task_id": task["id"]})
    return {"cluster_id": cluster["id"], "request_id": ctx.request_id, "task_id": task["id"]}


def _config(item):
    config = item.get("config")
    if config in (None, ""):
        return
    try:
        if not isinstance(json.loads(config), dict):
            raise ValueError
    except (TypeError, ValueError):
        raise invalid("config", f"The config of {item.get('name') or item.get('component_name')} must be a JSON "
                                "object encoded as a string.")


@finishes("addon_install")
@finishes("addon_upgrade")
def finish_addon_change(world, task):
    for name in task["addons"]:
        addon = _addon(world, task["cluster_id"], name)
        if addon is None:
            continue
        if addon.get("next_version"):
            addon["version"] = addon.pop("next_version")
        addon["state"] = "active"
        world.put("addon", addon["id"], addon)
        task["result"].append({"data": name, "status": "success"})


@route("POST", "/clusters/{ClusterId}/components/upgrade", "UpgradeClusterAddons")
def upgrade_cluster_addons(ctx):
    cluster = _running_cluster(ctx)
    items = _body(ctx, list)
    for item in items:
        name, nxt = item.get("component_name"), item.get("next_version")
        if not name or not nxt:
            raise ApiError(400, "MissingParameter", "Each add-on needs a component_name and a next_version.")
        addon = _addon(ctx.world, cluster["id"], name)
        if addon is None:
            raise ApiError(404, "AddonNotFound", f"The add-on {name} is not installed in cluster {cluster['id']}.")
        if addon["state"] != "active":
            raise ApiError(400, "ErrorAddonState", f"The add-on {name} is {addon['state']}; wait for it to finish.")
        _catalog_version(name, nxt, "next_version")
        if item.get("version") and item["version"] != addon["version"]:
            raise invalid("version", f"{name} runs {addon['version']}, not {item['version']}.")
        _config(item)
    task = _task(ctx, cluster, "addon_upgrade", "addon_task", addons=[i["component_name"] for i in items])
    for item in items:
        addon = _addon(ctx.world, cluster["id"], item["component_name"])
        addon.update(state="upgrading", next_version=item["next_version"], task_id=task["id"])
        if item.get("config"):
            addon["config"] = item["config"]
        ctx.world.put("addon", addon["id"], addon)
    return {"cluster_id": cluster["id"], "request_id": ctx.request_id, "task_id": task["id"]}


@route("POST", "/clusters/{ClusterId}/components/uninstall", "UnInstallClusterAddons")
def uninstall_cluster_addons(ctx):
    cluster = _running_cluster(ctx)
    items = _body(ctx, list)
    for item in items:
        if _addon(ctx.world, cluster["id"], item.get("name")) is None:
            raise ApiError(404, "AddonNotFound", f"The add-on {item.get('name')} is not installed.")
    task = _task(ctx, cluster, "addon_uninstall", "addon_task", addons=[i["name"] for i in items])
    for item in items:
        addon = _addon(ctx.world, cluster["id"], item["name"])
        addon.update(state="deleting", task_id=task["id"])
        ctx.world.put("addon", addon["id"], addon)
    return {"cluster_id": cluster["id"], "request_id": ctx.request_id, "task_id": task["id"]}


@finishes("addon_uninstall")
def finish_addon_uninstall(world, task):
    for name in task["addons"]:
        world.delete("addon", f"{task['cluster_id']}/{name}")
        task["result"].append({"data": name, "status": "success"})


@route("GET", "/clusters/{ClusterId}/addon_instances", "ListClusterAddonInstances")
def list_cluster_addon_instances(ctx):
    cluster = _cluster(ctx)
    addons = sorted((a for a in ctx.world.all("addon") if a["cluster_id"] == cluster["id"]), key=lambda a: a["name"])
    return {"addons": [{"name": a["name"], "version": a["version"], "state": a["state"]} for a in addons]}


@route("GET", "/clusters/{ClusterId}/addon_instances/{InstanceName}", "GetClusterAddonInstance")
def get_cluster_addon_instance(ctx):
    cluster = _cluster(ctx)
    addon = _addon(ctx.world, cluster["id"], ctx.path["InstanceName"])
    if addon is None:
        raise ApiError(404, "AddonNotFound", f"The add-on {ctx.path['InstanceName']} is not installed.")
    return {"name": addon["name"], "version": addon["version"], "state": addon["state"], "config": addon["config"],
            "logging": {"capable": False, "enabled": False, "log_project": "", "logstore": ""}}


@route("GET", "/addons", "ListAddons")
def list_addons(ctx):
    if ctx.query.get("cluster_id"):
        _cluster(ctx, ctx.query["cluster_id"])
    return {"addons": [{"name": name, "version": versions[-1], "category": "system",
                        "install_by_default": name in fixture.EDGE_DEFAULT_ADDONS, "managed": False,
                        "supported_actions": ["Install", "Upgrade", "Uninstall"], "architecture": ["amd64"]}
                       for name, versions in sorted(fixture.ADDON_CATALOG.items())]}


@route("POST", "/clusters/{ClusterId}/components/{ComponentId}/config", "ModifyClusterAddon")
def modify_cluster_addon(ctx):
    cluster = _running_cluster(ctx)
    addon = _addon(ctx.world, cluster["id"], ctx.path["ComponentId"])
    if addon is None:
        raise ApiError(404, "AddonNotFound", f"The add-on {ctx.path['ComponentId']} is not installed.")
    body = _body(ctx)
    _config({"name": addon["name"], "config": body.get("config")})
    addon["config"] = body.get("config") or "{}"
    ctx.world.put("addon", addon["id"], addon)
    return {}
