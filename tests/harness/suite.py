#!/usr/bin/env python3
"""The test suite behind `make test`: sanity, unit, sandbox and integration tests, offline and from a clean clone.

ansible-test needs the collection under ansible_collections/ack_edge/cloud_nodes, so the tree is copied to a
temporary directory first. Integration tests run against a sandbox this script starts and stops itself.
"""

import argparse
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

from summary import StepSummary  # noqa: E402  (tests/harness is on the path: this file's own directory)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# `all` runs two lanes at once; each has its own build tree, so their ansible-test runs never share a directory.
LANE = os.environ.get("ACK_SUITE_LANE", "")
# Outside the git work tree: inside it, ansible-test would list files through git and find none of the copies.
BUILD = os.path.join(tempfile.gettempdir(), "ack_edge_cloud_nodes_build-"
                     + hashlib.sha256(ROOT.encode()).hexdigest()[:8] + (f"-{LANE}" if LANE else ""))
TREE = os.path.join(BUILD, "ansible_collections", "ack_edge", "cloud_nodes")
SKIP = {".git", ".venv", ".cache", "sandbox", "bench", "__pycache__", ".pytest_cache", "harness", "lifecycle", "output",
        "footmark"}
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
# kubernetes.core, a declared dependency. Galaxy is out of reach offline; the `ansible` wheel on PyPI carries it.
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
ANSIBLE_WHEEL = "ansible==12.3.0"
# Unpacked from that wheel: kubernetes.core for the roles, awx.awx for the AWX job-templates-as-code check.
WHEEL_COLLECTIONS = (("kubernetes", "core"), ("awx", "awx"))

# ansible-test downloads a pip bootstrap script from outside PyPI; offline, this stand-in takes its place.
GET_PIP = '''"""Stand-in for get-pip.py: bootstrap pip from ensurepip, then install what ansible-test asked for."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + args)
'''


def say(text):
    print(f"\n=== {text}", flush=True)


def run(cmd, cwd=None, env=None):
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, env=env, check=True)


def bin_path(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def ensure_kubernetes_core():
    """Unpack kubernetes.core (and awx.awx, for the AWX docs) from the `ansible` wheel into .cache/collections, once."""
    target = os.path.join(COLLECTIONS, "ansible_collections", "kubernetes", "core")
    done = all(os.path.isfile(os.path.join(COLLECTIONS, "ansible_collections", *name, "MANIFEST.json"))
               for name in WHEEL_COLLECTIONS)
    if done:
        return target
    wheels = os.path.join(ROOT, ".cache", "wheels")
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d",
         wheels, ANSIBLE_WHEEL])
    wheel = next(os.path.join(wheels, n) for n in sorted(os.listdir(wheels)) if n.startswith("ansible-"))
    prefixes = tuple("ansible_collections/%s/%s/" % name for name in WHEEL_COLLECTIONS)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(prefixes):
                archive.extract(name, COLLECTIONS)
    return target


def build_tree():
    """Copy the collection (not the sandbox, the benchmarks or the harness) to where ansible-test wants it."""
    output = os.path.join(TREE, "tests", "output")
    kept = os.path.join(BUILD, "output-kept")
    if os.path.exists(output):  # ansible-test's venvs live here; keeping them saves a minute per run
        shutil.rmtree(kept, ignore_errors=True)
        shutil.move(output, kept)
    if os.path.exists(TREE):
        shutil.rmtree(TREE)

    def ignore(directory, names):
        return [n for n in names if n in SKIP or n.endswith((".pyc", ".tar.gz"))]

    shutil.copytree(ROOT, TREE, ignore=ignore)
    if os.path.exists(kept):
        shutil.move(kept, output)
    ensure_kubernetes_core()
    for namespace, name in WHEEL_COLLECTIONS:
        dependency = os.path.join(BUILD, "ansible_collections", namespace, name)
        if not os.path.isdir(dependency):
            shutil.copytree(os.path.join(COLLECTIONS, "ansible_collections", namespace, name), dependency)
    return TREE


def ensure_get_pip():
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    for version in ("24_2", "25_2", "25_0", "23_1"):
        with open(os.path.join(cache, f"get_pip_{version}.py"), "w") as handle:
            handle.write(GET_PIP)


def sanity(args):
    build_tree()
    ensure_get_pip()
    if not shutil.which("shellcheck"):
        say("WARNING: no shellcheck, so ansible-test skips its shellcheck test (`make sanity` installs it as root)")
    say("ansible-test sanity")
    run([bin_path("ansible-test"), "sanity", "--venv", "--python", PYTHON_VERSION, "--color", "no",
         *args.sanity_args], cwd=TREE)
    say("changelog lint")
    run([bin_path("antsibull-changelog"), "lint"], cwd=ROOT)


def units(args):
    build_tree()
    say("unit tests")
    env = dict(os.environ, PYTHONPATH=BUILD)
    run([sys.executable, "-m", "pytest", "-q", "tests/unit", "-p", "no:cacheprovider"], cwd=TREE, env=env)


def sandbox_tests(args):
    say("sandbox tests")
    ensure_kubernetes_core()
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    run([sys.executable, "-m", "pytest", "-q", "sandbox/tests", "-p", "no:cacheprovider"], cwd=ROOT, env=env)


def lint(args):
    """ansible-lint, production profile, offline (.ansible-lint), on the built tree: the collection itself and
    kubernetes.core resolve from there, and the example vault opens with its published rehearsal password."""
    build_tree()
    say("ansible-lint")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD, ANSIBLE_VAULT_PASSWORD_FILE=os.path.join(
        TREE, "docs", "examples", "fleet", "rehearsal.vault-password"))
    run([bin_path("ansible-lint"), "-f", "pep8", "roles", "playbooks", "docs"], cwd=TREE, env=env)


def release(args):
    """Build the collection tarball, install it with --no-deps and check it from there (release.py)."""
    run([sys.executable, os.path.join(ROOT, "tests", "harness", "release.py"), "check"], cwd=ROOT)


def readme(args):
    """The README's rehearsal, whole-job and examples blocks, verbatim, in a fresh copy (readme.py)."""
    run([sys.executable, os.path.join(ROOT, "tests", "harness", "readme.py")], cwd=ROOT)


def deps(args):
    ensure_kubernetes_core()


class Sandbox:
    """A fresh sandbox for the integration run; its env file becomes integration_config.yml."""

    def __init__(self, profile="fast", extra=()):
        self.dir = tempfile.mkdtemp(prefix="ack-sandbox-")
        self.env_file = os.path.join(self.dir, "sandbox.env")
        self.log = open(os.path.join(self.dir, "sandbox.log"), "wb")
        self.proc = subprocess.Popen([bin_path("ack-sandbox"), "serve", "--state", os.path.join(self.dir, "state"),
                                      "--env-file", self.env_file, "--profile", profile, *extra],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not os.path.exists(self.env_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("the sandbox did not start; see " + self.log.name)
            time.sleep(0.1)
        self.env = {}
        with open(self.env_file) as handle:
            for line in handle:
                key, _, value = line.strip()[len("export "):].partition("=")
                self.env[key] = shlex.split(value)[0] if value else ""

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.log.close()
        return code


def render_config(env, path):
    """The sandbox endpoints and keys, as variables the targets read (ansible-test strips the environment)."""
    values = {
        "alicloud_access_key": env["ALICLOUD_ACCESS_KEY"],
        "alicloud_secret_key": env["ALICLOUD_SECRET_KEY"],
        "alicloud_region": env["ALICLOUD_REGION"],
        "ecs_endpoint": env["ALICLOUD_ECS_ENDPOINT"],
        "cs_endpoint": env["ALICLOUD_CS_ENDPOINT"],
        "ca_bundle": env["ALICLOUD_CA_BUNDLE"],
        "sandbox_control": env["ACK_SANDBOX_CONTROL"],
        # Temporary (STS) credentials the sandbox also accepts; the awx target injects them like an AWX credential.
        "sts_access_key": env["ACK_SANDBOX_STS_ACCESS_KEY"],
        "sts_secret_key": env["ACK_SANDBOX_STS_SECRET_KEY"],
        "sts_token": env["ACK_SANDBOX_STS_TOKEN"],
    }
    with open(path, "w") as handle:
        handle.write("---\n")
        for key, value in values.items():
            handle.write(f"{key}: {value!r}\n".replace("'", '"'))


def integration(args):
    build_tree()
    say("integration tests against a fresh sandbox")
    box = Sandbox()
    try:
        render_config(box.env, os.path.join(TREE, "tests", "integration", "integration_config.yml"))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=BUILD)
        # --continue-on-error: one run names every failing target, not just the first.
        run([bin_path("ansible-test"), "integration", "--local", "--color", "no", "-v", "--continue-on-error",
             *args.targets], cwd=TREE,
            env=env)
    finally:
        code = box.stop()
        with open(box.log.name, errors="replace") as handle:
            output = handle.read()
        leaked = [name for name in ("ALICLOUD_SECRET_KEY", "ACK_SANDBOX_STS_SECRET_KEY", "ACK_SANDBOX_STS_TOKEN") if box.env[name] in output]
        if code != 0 or leaked:
            raise SystemExit(f"sandbox exit code {code}; secrets in its log: {leaked}")


def lifecycle(args):
    """The lifecycle walk's fixed seeds (tests/lifecycle/README.md); LIFECYCLE_XFAIL names known defects."""
    say("lifecycle walk")
    run([sys.executable, os.path.join(ROOT, "tests", "lifecycle", "walk.py"), "--shrink-budget", "300", "--xfail",
         os.environ.get("LIFECYCLE_XFAIL", "")], cwd=ROOT)


def footmark(args):
    """community.general.ali_instance on footmark against a fresh sandbox (tests/footmark/run.py)."""
    run([sys.executable, os.path.join(ROOT, "tests", "footmark", "run.py")], cwd=ROOT)


STEPS = {"units": units, "sanity": sanity, "lint": lint, "sandbox": sandbox_tests, "lifecycle": lifecycle,
         "release": release,
         "readme": readme, "integration": integration, "footmark": footmark}
EXTRA = {"deps": deps}

# Seconds each part takes with the lanes side by side on an otherwise idle 2-core machine (measured 2026-12-02;
# unknown targets count as 60). footmark (`make footmark`: 20 s of flow plus ~45 s to build its own venv, which a
# clean clone always does) is kept out of `make test` for its budget, as is `make progress`.
# `all` splits the work into three lanes of about equal length and runs them at once: the tests wait on the
# sandbox's tasks a third of the time (1.3 cores busy on average with two lanes), so a third lane fills the gaps.
COST = {"sanity": 70, "lint": 15, "sandbox": 145, "release": 10, "lifecycle": 260, "readme": 180, "footmark": 100,
        "playbooks": 520, "awx": 210, "cs_cluster_node": 195, "ecs_instance": 185, "cloud_node_policy": 185,
        "purchase_guard": 120, "cs_kubeconfig": 100, "regions": 57, "purchase_nodepool": 48, "first_hour": 35,
        "cs_cluster_addon": 33, "inventory_plugins": 26, "cloud_placement": 25, "ecs_instance_info": 24,
        "cs_cluster_node_info": 19, "cs_cluster_info": 14}
COST["readme"] = 150  # the README's blocks: make rehearse, 7 playbook runs, make stop (readme.py)


def integration_targets():
    base = os.path.join(ROOT, "tests", "integration", "targets")
    return sorted(t for t in os.listdir(base)
                  if "hidden" not in open(os.path.join(base, t, "aliases")).read().split())


def plan_lanes(targets):
    """Three lanes of steps, balanced by COST: [(steps, targets), ...]. The lifecycle walk goes to the first lane,
    sanity, ansible-lint, the sandbox tests and the release check to the second, the README test to the third; integration targets fill up whichever lane is shortest, longest first."""
    lanes = [{"steps": ["lifecycle"], "targets": [], "cost": COST["lifecycle"]},
             {"steps": ["sanity", "lint", "sandbox", "release"], "targets": [],
              "cost": COST["sanity"] + COST["lint"] + COST["sandbox"] + COST["release"]},
             {"steps": ["readme"], "targets": [], "cost": COST["readme"]}]
    for target in sorted(targets, key=lambda t: -COST.get(t, 60)):
        lane = min(lanes, key=lambda item: item["cost"])
        lane["targets"].append(target)
        lane["cost"] += COST.get(target, 60)
    return [(lane["steps"] + (["integration"] if lane["targets"] else []), lane["targets"]) for lane in lanes]


LOGS = os.path.join(ROOT, "tests", "output", "make-test")


def run_lanes(args):
    """The whole suite after the unit tests, in three lanes at once. Within a lane each step runs even when an earlier
    one failed, so one run reports every failure. Each step's whole output goes to its log in tests/output/make-test;
    the terminal gets one line per step and per integration target (summary.py), and the end of a failed step's
    log."""
    os.makedirs(LOGS, exist_ok=True)
    failed, threads = [], []
    for name, (steps, targets) in zip("abc", plan_lanes(args.targets or integration_targets())):
        print(f"lane {name}: {' '.join(steps)} {' '.join(targets)}", flush=True)
        thread = threading.Thread(target=_lane, args=(name, steps, targets, failed))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    _report_failures(failed)


def _report_failures(failed, tail=80):
    for step, log in failed:
        print(f"\n=== {step} failed; the last {tail} lines of its log ({os.path.relpath(log, ROOT)}):", flush=True)
        with open(log, errors="replace") as handle:
            sys.stdout.write("".join(handle.readlines()[-tail:]))
    if failed:
        raise SystemExit(f"failed: {', '.join(step for step, dummy in failed)}; full logs in "
                         f"{os.path.relpath(LOGS, ROOT)}")


def _lane(name, steps, targets, failed):
    for step in steps:
        _step(name, step, targets, failed)


def _step(name, step, targets, failed):
    """Run one step in its own process, its output into its log, its summary lines onto the terminal."""
    cmd = [sys.executable, os.path.abspath(__file__), step] + (["--targets", *targets] if step == "integration"
                                                                else [])
    log = os.path.join(LOGS, f"{name}-{step}.log")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                            env=dict(os.environ, ACK_SUITE_LANE=name))
    summary = StepSummary(step)
    with open(log, "w") as handle:
        for line in proc.stdout:
            handle.write(line)
            for text in summary.feed(line):
                print(f"[{name}] {text}", flush=True)
    code = proc.wait()
    for text in summary.finish(code):
        print(f"[{name}] {text}", flush=True)
    if code:
        failed.append((step, log))


def quiet_units(args):
    """The unit tests as one line, for `all`; `units` alone prints pytest's own output."""
    os.makedirs(LOGS, exist_ok=True)
    failed = []
    _step("u", "units", [], failed)
    _report_failures(failed)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("steps", nargs="*", default=["all"], help=f"all, or some of: {', '.join(STEPS)}")
    parser.add_argument("--targets", nargs="*", default=[], help="integration targets (default: all)")
    parser.add_argument("--sanity-args", type=shlex.split, default=[],
                        help='extra ansible-test sanity arguments, as one string: "--test pylint"')
    args = parser.parse_args()
    steps = ["quiet_units", "lanes"] if args.steps == ["all"] else args.steps
    started = time.time()
    for step in steps:
        begun = time.time()
        dict(STEPS, lanes=run_lanes, quiet_units=quiet_units, **EXTRA)[step](args)
        print(f"--- {step} passed in {time.time() - begun:.0f}s", flush=True)
    print(f"\nAll of {', '.join(steps)} passed in {time.time() - started:.0f}s.", flush=True)


if __name__ == "__main__":
    main()
