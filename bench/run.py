#!/usr/bin/env python3
"""Benchmark: the provision playbook against the sandbox's realistic profile, measured, not timed in tests.

For N nodes in one cluster and for K clusters of 3 nodes (forks = K) it reports the wall time of a first run and
of an idempotent rerun, the sandbox's floor for the same work (instance boot plus the attach task, when every wait
overlaps), their ratio, and the API calls by action from the sandbox's call log. All scenarios run side by side in
one invocation, each against a fresh sandbox.

    .venv/bin/python bench/run.py                      # every scenario, writes docs/benchmarks.md
    .venv/bin/python bench/run.py --nodes 1 --clusters  # a quick subset, printed only
"""

import argparse
import collections
import json
import os
import secrets
import ssl
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
import suite  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, os.path.join(ROOT, "sandbox", "src"))
from ack_sandbox.profiles import Profile  # noqa: E402  pylint: disable=wrong-import-position

IMPORTS_SECTION = "## Import CPU"  # the sections bench/imports.py writes


def control(env, method, route, body=None):
    context = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
    request = urllib.request.Request(env["ACK_SANDBOX_CONTROL"] + route, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=60) as response:
        return json.loads(response.read())


def inventory(path, env, clusters, count, password):
    auth = {"alicloud_access_key": env["ALICLOUD_ACCESS_KEY"], "alicloud_secret_key": env["ALICLOUD_SECRET_KEY"],
            "alicloud_region": env["ALICLOUD_REGION"], "ecs_endpoint": env["ALICLOUD_ECS_ENDPOINT"],
            "cs_endpoint": env["ALICLOUD_CS_ENDPOINT"], "ca_bundle": env["ALICLOUD_CA_BUNDLE"]}
    data = {"bench": {"hosts": {name: {"cloud_nodes_cluster_id": cid} for name, cid in clusters},
                      "vars": {"cloud_nodes_auth": auth, "cloud_nodes_count": count, "attach_password": password,
                               "purchase_spread": False, "taints_mode": "enforce",
                               "purchase_wait_timeout": 3600, "attach_wait_timeout": 3600,
                               "taints_wait_timeout": 3600}}}
    with open(path, "w") as handle:
        json.dump(data, handle)


def run(env, inventory_path, forks):
    started = time.monotonic()
    since = control(env, "GET", "/calls?since=0")["last_seq"]
    result = subprocess.run([suite.bin_path("ansible-playbook"), "ack_edge.cloud_nodes.provision", "-i",
                             inventory_path, "-e", "cloud_nodes_hosts=bench", "--forks", str(forks)],
                            env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-2000:])
        raise SystemExit("provision failed")
    calls = control(env, "GET", f"/calls?since={since}")["calls"]
    by_action = collections.Counter(
        c["action"] if c["service"] != "k8s" else "k8s " + c["action"].split(" ")[0] for c in calls)
    changed = sum(int(line.split("changed=")[1].split()[0]) for line in result.stdout.splitlines()
                  if " changed=" in line)
    return {"wall": wall, "calls": len(calls), "by_action": dict(by_action),
            "mutating": sum(1 for c in calls if c["mutating"]), "changed": changed}


def scenario(name, clusters, count, scale):
    box = suite.Sandbox(profile="realistic", extra=["--time-scale", str(scale), "--quiet"])
    try:
        env = dict(os.environ, **box.env, ANSIBLE_COLLECTIONS_PATH=suite.BUILD, ANSIBLE_STDOUT_CALLBACK="default",
                   HOME=os.environ.get("HOME", "/root"))
        names = [("edge-hangzhou", "c06f4ee49f430ccdb94c22abc073301fb")]
        for index in range(1, clusters):
            made = control(env, "POST", "/clusters", {"name": f"bench-{index}"})
            names.append((made["name"], made["cluster_id"]))
        path = os.path.join(box.dir, "inventory.json")
        inventory(path, env, names, count, "Bench-" + secrets.token_urlsafe(10) + "-7x")
        first = run(env, path, clusters)
        rerun = run(env, path, clusters)
    finally:
        box.stop()
    profile = Profile("realistic", scale)
    floor = sum(profile.seconds(k) for k in ("instance_pending", "instance_starting", "attach_task"))
    return {"name": name, "clusters": clusters, "nodes": count, "floor": floor, "first": first, "rerun": rerun}


def calls_text(by_action, keys):
    return ", ".join(f"{k} {by_action[k]}" for k in keys if by_action.get(k))


KEY_ACTIONS = ["RunInstances", "AttachInstances", "DescribeInstances", "DescribeTaskInfo", "DescribeClusterNodes",
               "DescribeClusterDetail", "k8s GET", "k8s PATCH"]


def table(results, scale, command):
    lines = [
        "# Benchmarks", "",
        "Produced by:", "", "```sh", command, "```", "",
        f"The sandbox ran its `realistic` profile with `--time-scale {scale}`: an instance takes "
        f"{Profile('realistic', scale).seconds('instance_pending') + Profile('realistic', scale).seconds('instance_starting'):.0f} s "
        f"to boot, an attach task {Profile('realistic', scale).seconds('attach_task'):.0f} s and a node "
        f"{Profile('realistic', scale).seconds('node_ready'):.0f} s more to be Ready. The floor is instance boot plus "
        "the attach task, as if every wait overlapped perfectly; the Ready wait and Ansible's own work are "
        "above it. Each scenario used a fresh sandbox; all ran in one invocation on the same 2-core machine.", "",
        "| scenario | first run (s) | floor (s) | wall / floor | first run: calls | key calls | rerun (s) | "
        "rerun: calls (mutating) | rerun changed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        first, rerun = r["first"], r["rerun"]
        lines.append(
            f"| {r['name']} | {first['wall']:.0f} | {r['floor']:.0f} | {first['wall'] / r['floor']:.2f} | "
            f"{first['calls']} | {calls_text(first['by_action'], KEY_ACTIONS)} | {rerun['wall']:.0f} | "
            f"{rerun['calls']} ({rerun['mutating']}) | {rerun['changed']} |")
    lines += ["", "API calls by action, first run and rerun:", ""]
    for r in results:
        lines.append(f"- **{r['name']}** first: " + ", ".join(f"{k} {v}" for k, v in sorted(r['first']['by_action'].items())))
        lines.append(f"  rerun: " + ", ".join(f"{k} {v}" for k, v in sorted(r['rerun']['by_action'].items())))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, nargs="*", default=None, help="N values (default 1 10 50)")
    parser.add_argument("--clusters", type=int, nargs="*", default=None, help="K values (default 1 10 30)")
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    nodes = [1, 10, 50] if args.nodes is None else args.nodes
    clusters = [1, 10, 30] if args.clusters is None else args.clusters
    # A build directory of its own, so the test suite can run beside it without rebuilding its tree.
    suite.BUILD = suite.BUILD + "-bench"
    suite.TREE = os.path.join(suite.BUILD, "ansible_collections", "ack_edge", "cloud_nodes")
    suite.ensure_kubernetes_core()
    suite.build_tree()
    results = []
    for n in nodes:
        results.append(scenario(f"N={n} nodes, 1 cluster", 1, n, args.time_scale))
        print(json.dumps(results[-1]), flush=True)
    for k in clusters:
        results.append(scenario(f"K={k} clusters x 3 nodes, forks={k}", k, 3, args.time_scale))
        print(json.dumps(results[-1]), flush=True)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    text = table(results, args.time_scale, command.strip())
    print(text)
    if args.write:
        path = os.path.join(ROOT, "docs", "benchmarks.md")
        with open(path) as handle:
            old = handle.read()
        kept = old.find("\n" + IMPORTS_SECTION)  # bench/imports.py's sections stay as that script last wrote them
        with open(path, "w") as handle:
            handle.write(text + (old[kept:] if kept >= 0 else ""))


if __name__ == "__main__":
    main()
