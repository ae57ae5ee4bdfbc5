#!/usr/bin/env python3
"""`make rehearse` / `make stop`: a sandbox in the background for the README's rehearsal, and the collection built
where ansible.cfg looks for it.

The sandbox's per-call lines go to .sandbox/sandbox.log, never into the user's terminal; the two lines to paste
are printed only once the sandbox answers, so `. .sandbox/env` never races the env file.
"""

import json
import os
import shlex
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  pylint: disable=wrong-import-position

ROOT = suite.ROOT
STATE = os.path.join(ROOT, ".sandbox")
ENV_FILE = os.path.join(STATE, "env")
LOG = os.path.join(STATE, "sandbox.log")
PID = os.path.join(STATE, "pid")
# ansible.cfg's collections_path: the collection built from this checkout, then kubernetes.core.
BUILT = os.path.join(ROOT, ".cache", "rehearse")


def running_pid():
    """The pid of the sandbox `make rehearse` started, if it still runs."""
    try:
        with open(PID) as handle:
            pid = int(handle.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if b"ack-sandbox" not in handle.read():
                return None
        return pid
    except (OSError, ValueError):
        return None


def answers():
    """True once the control API of the sandbox in .sandbox/env answers."""
    try:
        env = {}
        with open(ENV_FILE) as handle:
            for line in handle:
                key, _, value = line.strip()[len("export "):].partition("=")
                env[key] = shlex.split(value)[0] if value else ""
        context = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
        with urllib.request.urlopen(env["ACK_SANDBOX_CONTROL"] + "/state", context=context, timeout=5) as response:
            return "clusters" in json.loads(response.read())
    except (OSError, KeyError, ValueError):
        return False


def start_sandbox():
    if running_pid():
        print(f"make: the sandbox is already running (log: {os.path.relpath(LOG, ROOT)}; `make stop` ends it)")
        return
    os.makedirs(STATE, exist_ok=True)
    if os.path.exists(ENV_FILE):  # left by a sandbox that did not stop cleanly: not this one's
        os.remove(ENV_FILE)
    with open(LOG, "wb") as log:  # a fresh log per rehearsal
        proc = subprocess.Popen(
            [os.path.join(ROOT, ".venv", "bin", "ack-sandbox"), "serve", "--state", os.path.join(STATE, "state"),
             "--env-file", ENV_FILE, "--rehearsal-keys"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
    with open(PID, "w") as handle:
        handle.write(str(proc.pid))
    deadline = time.time() + 60
    while not answers():
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit(f"make: the sandbox did not start; see {os.path.relpath(LOG, ROOT)}")
        time.sleep(0.2)


def build_collection():
    """Build the tarball (galaxy.yml's build_ignore applies, as for users) and install it without dependencies."""
    galaxy = os.path.join(ROOT, ".venv", "bin", "ansible-galaxy")
    dist = os.path.join(BUILT, "dist")
    quiet = {"stdout": subprocess.DEVNULL, "cwd": ROOT, "check": True}
    subprocess.run([galaxy, "collection", "build", "--force", "--output-path", dist, ROOT], **quiet)
    tarball = max((os.path.join(dist, n) for n in os.listdir(dist) if n.endswith(".tar.gz")), key=os.path.getmtime)
    subprocess.run([galaxy, "collection", "install", "--no-deps", "--force", "-p",
                    os.path.join(BUILT, "collections"), tarball], **quiet)
    suite.ensure_kubernetes_core()  # the roles' kubernetes.core, in .cache/collections


def start():
    start_sandbox()
    build_collection()
    print("The sandbox runs in the background (its log: .sandbox/sandbox.log; `make stop` ends it), and ansible.cfg\n"
          "finds the collection built from this checkout. Paste these two lines into your shell:\n\n"
          ". .venv/bin/activate\n"
          ". .sandbox/env")


def stop():
    pid = running_pid()
    if pid is None:
        print("make: no rehearsal sandbox is running")
    else:
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 30
        while running_pid() and time.time() < deadline:
            time.sleep(0.2)
        print("make: the sandbox has stopped" if not running_pid() else f"make: the sandbox (pid {pid}) still runs")
    if not running_pid() and os.path.exists(PID):
        os.remove(PID)


if __name__ == "__main__":
    {"start": start, "stop": stop}[sys.argv[1]]()
