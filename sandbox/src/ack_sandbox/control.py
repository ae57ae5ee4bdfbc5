"""The control API under /_sandbox/: call log, faults, reset, state summary per region, extra clusters, quota,
settings."""

import json
import time

from . import fixture
from .errors import ApiError
from .world import SETTINGS, default_settings


def _json(body):
    try:
        return json.loads(body) if body else {}
    except ValueError:
        raise ApiError(400, "InvalidParameter", "The body must be JSON.")


def _calls(sandbox, query):
    since = int(query.get("since") or 0)
    calls = sandbox.store.calls(since)
    for key in ("service", "action"):
        if query.get(key):
            calls = [c for c in calls if c[key] == query[key]]
    if query.get("mutating") in ("true", "false"):
        calls = [c for c in calls if c["mutating"] == (query["mutating"] == "true")]
    return {"calls": calls, "last_seq": calls[-1]["seq"] if calls else since}


def summary(sandbox, region=fixture.REGION):
    """One region's state, as the console shows it with that region picked; `regions` lists them all."""
    world = sandbox.world
    with world.transaction():
        if world.get("region", region) is None:
            raise ApiError(404, "InvalidRegionId.NotFound", f"no region {region}")
        vpcs = {v["id"] for v in world.all("vpc") if v["region_id"] == region}
        clusters = []
        for cluster in sorted(world.all("cluster"), key=lambda c: c["created"]):
            if cluster["region_id"] != region:
                continue
            nodes = [n for n in world.all("node") if n["cluster_id"] == cluster["id"]]
            clusters.append({
                "cluster_id": cluster["id"], "name": cluster["name"], "profile": cluster["profile"],
                "region_id": cluster["region_id"], "state": cluster["state"], "vpc_id": cluster["vpc_id"],
                "api_endpoint": cluster.get("api_endpoint"),
                "cloud_nodes": sorted(n["instance_id"] for n in nodes if n["role"] == "cloud"),
                "edge_nodes": sorted(n["node_name"] for n in nodes if n["role"] == "edge"),
                "nodes_by_state": _count(n["state"] for n in nodes),
            })
        instances = [i for i in world.all("instance") if i["region_id"] == region]
        tasks = [t for t in world.all("task") if (world.get("cluster", t["cluster_id"]) or {}).get("region_id") == region]
        return {
            "profile": world.profile.describe(),
            "region": region,
            "regions": sorted(r["id"] for r in world.all("region")),
            "clusters": clusters,
            "instances": {"total": len(instances), "by_status": _count(i["status"] for i in instances),
                          "ids": sorted(i["id"] for i in instances)},
            "tasks": {"by_state": _count(t["state"] for t in tasks)},
            "vpcs": sorted(vpcs),
            "vswitches": {s["id"]: {"vpc_id": s["vpc_id"], "zone_id": s["zone_id"]} for s in world.all("vswitch")
                          if s["vpc_id"] in vpcs},
            "security_groups": {g["id"]: g["vpc_id"] for g in world.all("security_group") if g["vpc_id"] in vpcs},
            "images": sorted(i["id"] for i in world.all("image")),
            "vcpu_quota": {r["id"]: r["vcpu_quota"] for r in world.all("region")},
        }


def _settings(sandbox, data):
    """Change the behaviours the references leave open (world.SETTINGS), and the per-minute API limits."""
    with sandbox.world.transaction():
        current = dict(sandbox.world.get("setting", "sandbox") or default_settings())
        for name, value in data.items():
            if name == "throttle_per_minute":
                if not isinstance(value, dict) or not all(isinstance(v, int) and v >= 0 for v in value.values()):
                    raise ApiError(400, "InvalidParameter", "throttle_per_minute maps API names to calls per minute")
            elif name not in SETTINGS or value not in SETTINGS[name]:
                known = "; ".join(f"{n}: {', '.join(map(str, c))}" for n, c in SETTINGS.items())
                raise ApiError(400, "InvalidParameter", f"unknown setting {name}={value!r}; known: {known}; "
                                                        "throttle_per_minute")
            current[name] = value
        sandbox.world.put("setting", "sandbox", current)
    return current


def _count(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def handle(sandbox, method, path, query, body):
    route = path[len("/_sandbox"):].strip("/")
    try:
        if route == "health":
            return 200, {"ok": True}
        if route == "calls" and method == "GET":
            return 200, _calls(sandbox, query)
        if route == "calls" and method == "DELETE":
            sandbox.store.clear_calls()
            return 200, {"cleared": True}
        if route == "faults" and method == "GET":
            return 200, sandbox.faults.describe()
        if route == "faults" and method in ("POST", "PUT"):
            data = _json(body)
            sandbox.faults.load(data.get("faults", []), data.get("seed"))
            sandbox.apply_cluster_faults()
            return 200, sandbox.faults.describe()
        if route == "faults" and method == "DELETE":
            sandbox.faults.load([])
            return 200, sandbox.faults.describe()
        if route == "reset" and method == "POST":
            sandbox.faults.load([])
            with sandbox.world.lock:  # no tick may see the new cloud world beside the old clusters' objects
                sandbox.world.replace_all(fixture.build(time.time()))
                sandbox.k8s.reset()
                with sandbox.world.transaction():
                    for cluster in sandbox.world.all("cluster"):
                        cluster["api_endpoint"] = sandbox.k8s_endpoint(cluster["id"])
                        sandbox.world.put("cluster", cluster["id"], cluster)
            sandbox.store.clear_calls()
            return 200, summary(sandbox)
        if route == "state" and method == "GET":
            return 200, summary(sandbox, query.get("region") or fixture.REGION)
        if route == "clusters" and method == "POST":
            data = _json(body)
            if not data.get("name"):
                raise ApiError(400, "MissingParameter", "name is required")
            with sandbox.world.transaction():
                if sandbox.world.get("cluster", fixture.cluster_id_for(data["name"])):
                    raise ApiError(409, "ClusterNameAlreadyExist", f"cluster name {data['name']} already exists")
                tables = {k: dict(v) for k, v in sandbox.world.tables.items()}
                for kind in ("cluster", "nodepool", "node", "instance", "addon"):
                    tables.setdefault(kind, {})
                before = {k: set(v) for k, v in tables.items()}
                if data.get("version", fixture.EDGE_VERSION) not in fixture.EDGE_VERSIONS:
                    raise ApiError(400, "InvalidParameter", f"version must be one of {', '.join(fixture.EDGE_VERSIONS)}")
                vpc_id = fixture.EDGE_VPC.get(data.get("region", fixture.REGION))
                if vpc_id is None:
                    raise ApiError(404, "InvalidRegionId.NotFound", f"no region {data['region']}")
                cluster = fixture.add_cluster(tables, time.time(), data["name"], profile=data.get("profile", "Edge"),
                                              version=data.get("version", fixture.EDGE_VERSION),
                                              cloud_nodes=int(data.get("cloud_nodes", 1)),
                                              edge_nodes=int(data.get("edge_nodes", 3)), vpc_id=vpc_id)
                cluster["api_endpoint"] = sandbox.k8s_endpoint(cluster["id"])
                for kind, objects in tables.items():
                    for oid, obj in objects.items():
                        if oid not in before.get(kind, set()) or kind == "vswitch":
                            sandbox.world.put(kind, oid, obj)
            return 200, {"cluster_id": cluster["id"], "name": cluster["name"]}
        if route == "settings" and method == "GET":
            return 200, sandbox.world.get("setting", "sandbox") or default_settings()
        if route == "settings" and method == "POST":
            return 200, _settings(sandbox, _json(body))
        if route == "quota" and method == "POST":
            data = _json(body)
            with sandbox.world.transaction():
                region = sandbox.world.get("region", data.get("region", fixture.REGION))
                region["vcpu_quota"] = int(data["vcpus"])
                sandbox.world.put("region", region["id"], region)
            return 200, {"vcpu_quota": region["vcpu_quota"]}
        if route == "instances/age" and method == "POST":
            # Backdate instances, as if bought `minutes` earlier: tests order purchases without waiting a minute
            # for ECS's minute-precision CreationTime to tell them apart.
            data = _json(body)
            with sandbox.world.transaction():
                for iid in data["instance_ids"]:
                    inst = sandbox.world.get("instance", iid)
                    if inst is None:
                        raise ApiError(404, "InvalidInstanceId.NotFound", f"no instance {iid}")
                    inst["created"] -= 60 * float(data["minutes"])
                    sandbox.world.put("instance", iid, inst)
            return 200, {"aged": data["instance_ids"]}
        if route == "credentials" and method == "GET":
            return 200, {"access_key_id": sandbox.credentials["access_key_id"]}
    except ApiError as err:
        return err.status, {"code": err.code, "message": err.message}
    except (KeyError, ValueError, TypeError) as err:
        return 400, {"code": "InvalidParameter", "message": f"bad control request: {err}"}
    return 404, {"code": "NotFound", "message": f"no control route {method} {path}"}
