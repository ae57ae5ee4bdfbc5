"""Assert what `ansible-inventory --list` rendered from the sandbox."""
import json
import os
import sys


def plain(value):
    """ansible-inventory marks strings from plugins as unsafe: {"__ansible_unsafe": "..."}; read through it."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


clusters = plain(json.load(open(sys.argv[1])))
nodes = plain(json.load(open(sys.argv[2])))
cached = plain(json.load(open(sys.argv[3])))
hostvars = clusters["_meta"]["hostvars"]

assert sorted(hostvars) == ["edge-hangzhou", "fleet-1"], sorted(hostvars)  # the non-edge cluster is left out
edge = hostvars["edge-hangzhou"]
assert edge["cloud_nodes_cluster_id"] == "c06f4ee49f430ccdb94c22abc073301fb", edge["cloud_nodes_cluster_id"]
assert edge["ansible_connection"] == "local" and edge["cloud_nodes_count"] == 2
assert edge["vpc"] == "vpc-bp1edgesandbox0000001" and edge["ack_cluster"]["is_edge"]
assert sorted(clusters["region_cn_hangzhou"]["hosts"]) == ["edge-hangzhou", "fleet-1"]
assert sorted(clusters["k8s_1_30_1"]["hosts"]) == ["edge-hangzhou", "fleet-1"]
assert sorted(clusters["edge"]["hosts"]) == ["edge-hangzhou", "fleet-1"]
assert os.environ["SECRET"] not in json.dumps(clusters), "a secret reached the inventory"

ecs_vars = nodes["_meta"]["hostvars"]
assert len(ecs_vars) == 2, sorted(ecs_vars)
assert all(v["ecs_instance"]["tags"]["cloud-nodes/role"] == "management" for v in ecs_vars.values())
assert all(v["ansible_host"].startswith("192.168.") for v in ecs_vars.values())
assert len(nodes["cluster_c06f4ee49f430ccdb94c22abc073301fb"]["hosts"]) == 2
assert len(nodes["zone_cn_hangzhou_h"]["hosts"]) == 1 and len(nodes["zone_cn_hangzhou_i"]["hosts"]) == 1
assert cached == nodes, "the cached inventory differs from the fresh one"
print("inventories OK")
