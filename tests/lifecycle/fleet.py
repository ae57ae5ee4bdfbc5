"""The walk's fleet: a fresh `fast` sandbox with two edge clusters, and the real playbooks run against it.

The collection is built and found the way the integration tests do it (tests/harness/suite.py: build_tree, then
ANSIBLE_COLLECTIONS_PATH at the build tree). Credentials reach the modules through the sandbox's ALICLOUD_*
environment, and the node password through an environment lookup, so no secret is written to a file.
Each playbook run gets a private HOME, so whatever it leaves behind (kubeconfigs, say) can be inspected.
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "harness"))
import suite  # noqa: E402  pylint: disable=wrong-import-position,import-error

from ground import Ground, WALK_LABEL  # noqa: E402  pylint: disable=wrong-import-position

CLUSTERS = ("edge-hangzhou", "fleet-1")
PASSWORD_ENV = "LIFECYCLE_ATTACH_PASSWORD"
# One management app, pinned by the addons role. `list` wraps it in a `kind: List`, `trailing` is a file whose
# last document is empty: shapes issue 10 (item 8) says the placement filter must handle.
APP = {"apiVersion": "apps/v1", "kind": "Deployment",
       "metadata": {"name": "lifecycle-app", "namespace": "default", "labels": {WALK_LABEL: "app"}},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "lifecycle-app"}},
                "template": {"metadata": {"labels": {"app": "lifecycle-app", WALK_LABEL: "app"}},
                             "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1"}]}}}}


def cluster_id(name):
    return "c" + hashlib.md5(name.encode()).hexdigest()  # the sandbox's rule (sandbox/README.md)


class Run:
    """One ansible-playbook run: exit code, output, per-task records, and the calls it made."""

    def __init__(self, argv, rc, output, records, calls, seconds):
        self.argv, self.rc, self.output, self.records, self.calls, self.seconds = \
            argv, rc, output, records, calls, seconds

    @property
    def writes(self):
        return [c for c in self.calls if c["mutating"]]

    def failed_hosts(self):
        return {r["recap"] for r in self.records if "recap" in r and (r["failures"] or r["unreachable"])}

    def changed(self, host):
        return sum(r["changed"] for r in self.records if r.get("recap") == host)

    def tasks(self, host, status=None):
        return [r for r in self.records if r.get("host") == host and (status is None or r["status"] == status)]

    def tail(self, lines=40):
        return "\n".join(self.output.splitlines()[-lines:])


class Fleet:
    def __init__(self, work, verbose=False):
        self.work = work
        self.verbose = verbose
        self.password = "Lw-" + secrets.token_urlsafe(12) + "-9a"  # meets the rule; never printed
        self.box = suite.Sandbox(profile="fast")
        self.env = self.box.env
        self.ground = Ground(self.env)
        self.hosts = {name: cluster_id(name) for name in CLUSTERS}
        self.inventory = os.path.join(work, "inventory.yml")
        self.home = os.path.join(work, "home")
        self.runs = 0
        self.run_seconds = 0.0

    def stop(self):
        code = self.box.stop()
        with open(self.box.log.name, errors="replace") as handle:
            log = handle.read()
        shutil.rmtree(self.box.dir, ignore_errors=True)
        return code, [s for s in self.secrets() if s in log]

    def secrets(self):
        keys = ("ALICLOUD_SECRET_KEY", "ACK_SANDBOX_STS_SECRET_KEY", "ACK_SANDBOX_STS_TOKEN")
        return [self.env[k] for k in keys if self.env.get(k)] + [self.password] + self.ground.kube_tokens()

    def reset(self):
        """The sandbox's starting world plus a second edge cluster, and a controller that never ran anything."""
        self.ground.control("POST", "/reset")
        for name in CLUSTERS[1:]:
            self.ground.control("POST", "/clusters", {"name": name})
        self.ground._kube.clear()  # pylint: disable=protected-access
        shutil.rmtree(self.home, ignore_errors=True)
        os.makedirs(self.home)
        for manifest in ("trailing",):
            with open(os.path.join(self.work, f"app-{manifest}.yml"), "w") as handle:
                handle.write("---\n" + json.dumps(APP) + "\n---\n")
        with open(self.inventory, "w") as handle:
            json.dump({"fleet": {"hosts": {h: {"cloud_nodes_cluster_id": c} for h, c in self.hosts.items()},
                                 "vars": {"attach_password": "{{ lookup('ansible.builtin.env', '%s') }}"
                                                             % PASSWORD_ENV}}}, handle)

    def manifests(self, shape):
        if shape == "list":
            return [{"definition": {"apiVersion": "v1", "kind": "List", "metadata": {"name": "lifecycle-app"},
                                    "items": [APP]}}]
        if shape == "trailing":
            return [{"file": os.path.join(self.work, "app-trailing.yml")}]
        return [{"definition": APP}]

    def playbook(self, name, host=None, check=False, extra=None):
        """Run ack_edge.cloud_nodes.<name> on one cluster (or all), and collect what it did."""
        record = os.path.join(self.work, "record.jsonl")
        if os.path.exists(record):
            os.remove(record)
        extra = dict(extra or {})
        extra["cloud_nodes_hosts"] = host or "fleet"
        argv = [suite.bin_path("ansible-playbook"), f"ack_edge.cloud_nodes.{name}", "-i", self.inventory,
                "-e", json.dumps(extra)] + (["--check"] if check else []) + (["-vvv"] if self.verbose else [])
        env = dict(os.environ, **self.env, HOME=self.home, ANSIBLE_COLLECTIONS_PATH=suite.BUILD,
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"),
                   ANSIBLE_CALLBACKS_ENABLED="lifecycle_recorder", ANSIBLE_STDOUT_CALLBACK="default",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCALHOST_WARNING="0",
                   LIFECYCLE_RECORD=record, **{PASSWORD_ENV: self.password})
        env.pop("ANSIBLE_CONFIG", None)
        since = self.ground.mark()
        started = time.time()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=self.work, check=False)
        seconds = time.time() - started
        self.runs += 1
        self.run_seconds += seconds
        records = []
        if os.path.exists(record):
            with open(record) as handle:
                records = [json.loads(line) for line in handle if line.strip()]
        shown = argv[:4] + [json.dumps(extra)] + argv[6:]
        return Run(shown, done.returncode, done.stdout + done.stderr, records, self.ground.calls(since), seconds)
