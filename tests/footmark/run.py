#!/usr/bin/env python3
"""`make footmark`: community.general.ali_instance and ali_instance_info, unmodified, against a fresh sandbox.

Those modules run on footmark and aliyunsdkcore, the older SDK stack, which this collection does not use. They get
their own venv, tests/footmark/.venv (gitignored, built once): the `ansible` wheel (community.general inside) and
footmark from PyPI. footmark has no endpoint option, so `sitecustomize.py`, copied into that venv, registers the
sandbox's ECS endpoint in aliyunsdkcore's endpoint table (`region_provider.modify_point`); the sandbox runs with
`--http`, aliyunsdkcore's default protocol. Nothing rewrites a request on its way.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
from suite import ANSIBLE_WHEEL, Sandbox, say  # noqa: E402  pylint: disable=wrong-import-position

VENV = os.path.join(HERE, ".venv")
FOOTMARK = "footmark==1.26.0"  # the version reference/ecs-api.md was written against
PYTHON = os.path.join(VENV, "bin", "python")


def ensure_venv():
    """The footmark venv, rebuilt only when what goes into it changes."""
    stamp = os.path.join(VENV, ".installed")
    wanted = hashlib.sha256(f"{ANSIBLE_WHEEL} {FOOTMARK} {sys.version_info[:2]}".encode()).hexdigest()
    if not (os.path.exists(stamp) and open(stamp).read() == wanted):
        say("footmark venv (once)")
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        wheels = os.path.join(ROOT, ".cache", "wheels")  # the harness keeps the ansible wheel here
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--find-links", wheels, ANSIBLE_WHEEL, FOOTMARK], check=True)
        with open(stamp, "w") as handle:
            handle.write(wanted)
    purelib = subprocess.run([PYTHON, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    shutil.copy(os.path.join(HERE, "sitecustomize.py"), os.path.join(purelib, "sitecustomize.py"))


def summary(box):
    """Which ECS actions the modules called, with counts, from the sandbox's call log."""
    with urllib.request.urlopen(box.env["ACK_SANDBOX_CONTROL"] + "/calls?service=ecs", timeout=30) as response:
        calls = json.loads(response.read())["calls"]
    counts = {}
    for call in calls:
        key = f"{call['action']} {call['status']}"
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} x{v}" for k, v in sorted(counts.items()))


def main():
    ensure_venv()
    say("ali_instance flow against a fresh sandbox (--http)")
    box = Sandbox(extra=("--http",))
    started = time.time()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "ALICLOUD_", "ALIBABA_"))}
        env.update({k: box.env[k] for k in ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_REGION")})
        env.update(ACK_SANDBOX_ECS_ENDPOINT=box.env["ALICLOUD_ECS_ENDPOINT"], ANSIBLE_NOCOLOR="1",
                   PATH=os.path.join(VENV, "bin") + os.pathsep + env.get("PATH", ""))
        result = subprocess.run([os.path.join(VENV, "bin", "ansible-playbook"), "-i", "localhost,",
                                 os.path.join(HERE, "flow.yml")], env=env, cwd=HERE)
        print("ECS calls: " + summary(box), flush=True)
    finally:
        code = box.stop()
        with open(box.log.name, errors="replace") as handle:
            output = handle.read()
        leaked = any(secret in output for secret in (box.env["ALICLOUD_SECRET_KEY"], "Footmark-Pa55word!"))
    if result.returncode or code or leaked:
        raise SystemExit(f"footmark flow failed (playbook {result.returncode}, sandbox exit {code}, "
                         f"secret in sandbox log: {leaked})")
    print(f"--- footmark flow passed in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
