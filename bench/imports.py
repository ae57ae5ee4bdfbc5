#!/usr/bin/env python3
"""Import CPU per module: what one bare module run costs, and which SDKs it loads, before and after a change.

Each module runs as Ansible runs it, a new Python process, but without ansible-playbook around it: the module file
with its arguments in a JSON file, against a fresh sandbox (`fast` profile), making its real calls. For every
module it reports the median CPU (user + sys) of the process over --repeat runs, the import time `python -X
importtime` counts, and the heavy packages the run loaded. Trees are measured interleaved in one invocation, so
the machine's load falls on both alike.

    .venv/bin/python bench/imports.py                     # this work tree against `main`, printed
    .venv/bin/python bench/imports.py --baseline HEAD~3 --repeat 9 --write   # updates its section of docs/benchmarks.md
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
import suite  # noqa: E402  pylint: disable=wrong-import-position

CLUSTER = "c06f4ee49f430ccdb94c22abc073301fb"  # the sandbox's seeded edge-hangzhou cluster
# What the table names, and the package whose modules' own import time it sums (by package, because a module
# imported through importlib, as the product clients and `kubernetes` once were, is not itself timed).
HEAVY = [("ECS SDK", "alibabacloud_ecs20140526"), ("CS SDK", "alibabacloud_cs20151215"), ("kubernetes", "kubernetes"),
         ("credentials", "alibabacloud_credentials"), ("aiohttp", "aiohttp")]
IMPORT_RUNS = 3  # runs under -X importtime per module and tree; the table gives their median
SECTION = "## Import CPU per module"


def cases(workdir):
    """(module, arguments, check mode): one read-only, real run of each module against the seeded cluster."""
    return [
        ("ecs_instance_info", {"tags": {"bench": "imports"}}, False),
        ("ecs_instance", {"exact_count": 0, "match_tags": {"bench": "imports"}}, True),
        ("cs_cluster_info", {"cluster_id": CLUSTER}, False),
        ("cs_cluster_node_info", {"cluster_id": CLUSTER}, False),
        ("cs_cluster_addon_info", {"cluster_id": CLUSTER}, False),
        ("cs_kubeconfig", {"cluster_id": CLUSTER, "dest": os.path.join(workdir, "kubeconfig")}, False),
        ("cloud_node_policy", {"cluster_id": CLUSTER, "fail_on_violation": False, "wait": False}, False),
    ]


def tree_from_ref(ref, dest):
    """The collection's plugins at a git ref, as an importable ansible_collections tree."""
    target = os.path.join(dest, "ansible_collections", "ack_edge", "cloud_nodes")
    os.makedirs(target)
    archive = subprocess.run(["git", "-C", ROOT, "archive", ref, "plugins"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    return dest


def tree_from_worktree(dest):
    target = os.path.join(dest, "ansible_collections", "ack_edge", "cloud_nodes", "plugins")
    shutil.copytree(os.path.join(ROOT, "plugins"), target, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def measure(tree, module, args_path, importtime=False):
    """(CPU seconds, result dict, stderr) of one bare module run: user + sys of that process alone."""
    path = os.path.join(tree, "ansible_collections", "ack_edge", "cloud_nodes", "plugins", "modules", module + ".py")
    env = dict(os.environ, PYTHONPATH=tree)
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), path, args_path]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        dummy, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    try:
        result = json.loads(stdout)
    except ValueError:
        result = {"failed": True, "msg": stdout[-500:] + stderr[-2000:]}
    return usage.ru_utime + usage.ru_stime, result, stderr


def import_profile(stderr):
    """(total import seconds, {label: seconds of its package's modules}) from -X importtime output."""
    total, by_package = 0, {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, dummy, name = line[len("import time:"):].split("|")
        total += int(self_us)
        package = name.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0) + int(self_us)
    return total / 1e6, {label: by_package[package] / 1e6 for label, package in HEAVY if package in by_package}


def table(rows, labels, repeat, command, commits=""):
    lines = [SECTION, "", "Produced by:", "", "```sh", command, "```", "",
             "One bare run of each module (a new Python process, as each task is, without ansible-playbook around "
             f"it), making its real calls against a `fast` sandbox; CPU is user + sys of that process, the median of "
             f"{repeat} runs, the trees interleaved in one invocation on the same machine{commits}. Import is the "
             f"time `python -X importtime` counts for the whole run (median of {IMPORT_RUNS} runs; wall time, so "
             "it also counts waiting for a busy CPU); SDKs lists the packages the run loaded, each with the import "
             "time of its own modules.", "",
             "| module | " + " | ".join(f"CPU {label} (s)" for label in labels) + " | "
             + " | ".join(f"import {label} (s)" for label in labels) + " | "
             + " | ".join(f"SDKs loaded, {label} (import s)" for label in labels) + " |",
             "|---|" + "---|" * (3 * len(labels))]
    for row in rows:
        cells = [f"{row[label]['cpu']:.2f}" for label in labels] + [f"{row[label]['import']:.2f}" for label in labels]
        cells += [", ".join(f"{name} {seconds:.2f}" for name, seconds in row[label]["heavy"].items()) or "none"
                  for label in labels]
        lines.append(f"| {row['module']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def revision(ref):
    """A ref's short commit, and whether the work tree differs from it."""
    short = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", ref], capture_output=True, text=True).stdout
    dirty = ref == "HEAD" and subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "plugins"]).returncode
    return short.strip() + (" plus uncommitted changes" if dirty else "")


def floor(repeat):
    """The CPU of a Python process that imports only what every module imports from Ansible."""
    samples = []
    for dummy in range(repeat):
        proc = subprocess.Popen([sys.executable, "-c", "import ansible.module_utils.basic"])
        usage = os.wait4(proc.pid, 0)[2]
        samples.append(usage.ru_utime + usage.ru_stime)
    return (f"For scale: a Python process that only imports `ansible.module_utils.basic` takes "
            f"{statistics.median(samples):.2f} s of CPU here (median of {repeat}).")


def write_section(text):
    """Replace this script's section of docs/benchmarks.md (or append it); the other sections stay as they are."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    with open(path) as handle:
        doc = handle.read()
    start = doc.find(SECTION)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text + (doc[end + 1:] if end >= 0 else "")
    with open(path, "w") as handle:
        handle.write(doc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="git ref to compare with; '' for this tree alone")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--modules", nargs="*", help="only these modules")
    parser.add_argument("--write", action="store_true", help="update its section of docs/benchmarks.md")
    parser.add_argument("--keep", action="store_true", help="keep the trees and argument files, print where")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-imports-")
    trees = {}
    if args.baseline:
        trees[args.baseline] = tree_from_ref(args.baseline, os.path.join(workdir, "before"))
    trees["this tree"] = tree_from_worktree(os.path.join(workdir, "after"))
    labels = list(trees)
    box = suite.Sandbox(extra=["--quiet"])
    try:
        auth = {"alicloud_access_key": box.env["ALICLOUD_ACCESS_KEY"],
                "alicloud_secret_key": box.env["ALICLOUD_SECRET_KEY"],
                "alicloud_region": box.env["ALICLOUD_REGION"], "ecs_endpoint": box.env["ALICLOUD_ECS_ENDPOINT"],
                "cs_endpoint": box.env["ALICLOUD_CS_ENDPOINT"], "ca_bundle": box.env["ALICLOUD_CA_BUNDLE"]}
        rows = []
        for module, params, check_mode in cases(workdir):
            if args.modules and module not in args.modules:
                continue
            args_path = os.path.join(workdir, module + ".json")
            with open(args_path, "w") as handle:
                json.dump({"ANSIBLE_MODULE_ARGS": dict(auth, **params, _ansible_check_mode=check_mode)}, handle)
            row = {"module": module}
            samples = {label: [] for label in labels}
            profiles = {label: [] for label in labels}
            for dummy in range(IMPORT_RUNS):
                for label in labels:
                    unused_cpu, result, stderr = measure(trees[label], module, args_path, importtime=True)
                    if result.get("failed"):
                        raise SystemExit(f"{module} ({label}) failed: {result.get('msg')}")
                    profiles[label].append(import_profile(stderr))
            for label in labels:
                totals = [total for total, dummy in profiles[label]]
                packages = profiles[label][0][1]
                row[label] = {"import": statistics.median(totals),
                              "heavy": {name: statistics.median(p[1].get(name, 0) for p in profiles[label])
                                        for name in packages}}
            for dummy in range(args.repeat):
                for label in labels:
                    samples[label].append(measure(trees[label], module, args_path)[0])
            for label in labels:
                row[label]["cpu"] = statistics.median(samples[label])
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        box.stop()
        if args.keep:
            print("kept", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    command = "python bench/imports.py " + " ".join(sys.argv[1:])
    commits = "; " + ", ".join(f"{label} at {revision(ref)}" for label, ref in
                               ((label, label if label != "this tree" else "HEAD") for label in labels))
    text = table(rows, labels, args.repeat, command.strip(), commits) + "\n" + floor(args.repeat) + "\n"
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
