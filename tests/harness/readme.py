#!/usr/bin/env python3
"""The README test: its rehearsal, whole-job and examples blocks, run verbatim in one shell in a fresh copy of the
checkout, so the README cannot drift from the code. Then every module's EXAMPLES (what `ansible-doc` shows), as
pasted: one play per module, in MODULES order, each on a host of its own so no example leans on another module's
registered results.

A block is tested when an HTML comment `<!-- readme-test: NAME -->` stands right before its fenced `sh` block. The
blocks run in BLOCKS order, as a reader pastes them, with a clean environment: no ALICLOUD_* or ANSIBLE_* variable
of the caller, and a HOME of its own (the clusters inventory caches there). `make stop` runs at the end even after
a failure.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  pylint: disable=wrong-import-position

ROOT = suite.ROOT
BLOCKS = ("rehearsal", "whole-job", "examples")
MARKED = re.compile(r"^<!-- readme-test: ([\w-]+) -->\n```sh\n(.*?)^```$", re.M | re.S)
# What must never reach the user's terminal: the sandbox's own lines (they go to .sandbox/sandbox.log), and a play
# that ran on nothing.
FORBIDDEN = (re.compile(r"^ack-sandbox ready", re.M), re.compile(r"^(ecs|cs|k8s) \S+ \d{3} ", re.M),
             re.compile(r"no hosts matched|Could not match supplied host pattern"))
# The order a user meets the modules in; the examples of one may act on what an earlier one bought.
MODULES = ("cs_cluster_info", "cs_cluster_node_info", "cs_cluster_nodepool_info", "cs_node_image_info",
           "ecs_instance_info", "ecs_instance", "cs_cluster_node",
           "cs_kubeconfig", "cloud_node_policy", "cs_cluster_addon_info", "cs_cluster_addon")
EXAMPLES = re.compile(r'^EXAMPLES = r?"""\n(.*?)^"""', re.M | re.S)
# Again in the rehearsal: the vault's keys and node password are the examples' vault_* variables.
MODULE_EXAMPLES = """\
make rehearse >/dev/null
. .venv/bin/activate
. .sandbox/env
export ANSIBLE_VAULT_PASSWORD_FILE=docs/examples/fleet/rehearsal.vault-password
ansible-playbook -i {work}/examples.inventory {work}/examples.yml
"""
# The prerequisites of make's venv stamp: the copy shares this checkout's .venv, which `make test` just brought up to
# date, so they must not look newer than the stamp there.
STAMP_INPUTS = ("requirements.txt", "tests/requirements.txt", "sandbox/pyproject.toml")


def blocks(path=os.path.join(ROOT, "README.md")):
    with open(path) as handle:
        found = {name: body for name, body in MARKED.findall(handle.read())}
    missing = [name for name in BLOCKS if name not in found]
    if missing:
        raise SystemExit(f"README.md: no `<!-- readme-test: NAME -->` block for {', '.join(missing)}")
    tested = "".join(found[name] for name in BLOCKS)
    examples = os.path.join(os.path.dirname(path), "docs", "examples")
    untested = [n for n in sorted(os.listdir(examples)) if f"docs/examples/{n}" not in tested]
    if untested:
        raise SystemExit(f"README.md: docs/examples/{', '.join(untested)} is in none of the tested blocks; every "
                         "example is to run in them")
    return [(name, found[name]) for name in BLOCKS]


def fresh_copy(work):
    """The checkout's files (tracked and new, not ignored) with their times, this checkout's venv and
    kubernetes.core; nothing else: no .sandbox, no .cache/rehearse, no build output."""
    copy = os.path.join(work, "checkout")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = os.path.join(ROOT, name)
        if name == ".venv" or not os.path.isfile(source):  # deleted but not yet committed, or the venv link
            continue
        os.makedirs(os.path.dirname(os.path.join(copy, name)), exist_ok=True)
        shutil.copy2(source, os.path.join(copy, name))
    venv = os.path.realpath(os.path.join(ROOT, ".venv"))
    os.symlink(venv, os.path.join(copy, ".venv"))
    stamp = os.path.getmtime(os.path.join(venv, ".installed"))
    for name in STAMP_INPUTS:
        path = os.path.join(copy, name)
        os.utime(path, (stamp - 1, min(os.path.getmtime(path), stamp - 1)))
    suite.ensure_kubernetes_core()
    os.makedirs(os.path.join(copy, ".cache"))
    os.symlink(suite.COLLECTIONS, os.path.join(copy, ".cache", "collections"))
    return copy


def module_examples(copy, work):
    """A playbook of every module's EXAMPLES, indented as they are, and its inventory: one local host per module."""
    names = sorted(n[:-3] for n in os.listdir(os.path.join(copy, "plugins", "modules")) if n.endswith(".py"))
    if sorted(MODULES) != names:
        raise SystemExit(f"readme.py MODULES lists {sorted(MODULES)}, plugins/modules has {names}")
    plays = ["---\n"]
    for name in MODULES:
        with open(os.path.join(copy, "plugins", "modules", name + ".py")) as handle:
            examples = EXAMPLES.search(handle.read()).group(1)
        plays.append(f"- name: The EXAMPLES of {name}, as pasted\n  hosts: {name}\n  gather_facts: false\n"
                     f"  vars_files: [{copy}/docs/examples/fleet/group_vars/all/vault.yml]\n  tasks:\n"
                     + "".join(f"    {line}\n" if line.strip() else "\n" for line in examples.splitlines()))
    with open(os.path.join(work, "examples.yml"), "w") as handle:
        handle.write("\n".join(plays))
    with open(os.path.join(work, "examples.inventory"), "w") as handle:
        handle.write("".join(f"{name} ansible_connection=local ansible_python_interpreter={sys.executable}\n"
                             for name in MODULES))
    return MODULE_EXAMPLES.format(work=work)


def run_script(script, copy, env):
    return subprocess.run(["bash", "-c", "set -eo pipefail\n" + script], cwd=copy, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")


def main():
    work = tempfile.mkdtemp(prefix="ack-edge-readme-")
    copy = fresh_copy(work)
    script = "".join(f"echo \"### README block {name} from ${{SECONDS}}s\"\nset -x\n{body}set +x\n"
                     for name, body in blocks()) + 'echo "### end at ${SECONDS}s"\n'
    home = os.path.join(work, "home")
    os.makedirs(home)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ALICLOUD_", "ALIBABA_CLOUD_",
                                                                                  "ANSIBLE_", "ACK_SANDBOX_"))}
    env.update(HOME=home, PYTHONUNBUFFERED="1")
    started = time.time()
    try:
        result = run_script(script, copy, env)
        output = result.stdout
        stopped = not os.path.exists(os.path.join(copy, ".sandbox", "env"))
        if not result.returncode:
            result = run_script('echo "### README block module-EXAMPLES from 0s"\nset -x\n'
                                + module_examples(copy, work) + 'set +x\necho "### end at ${SECONDS}s"\n', copy, env)
            output += result.stdout
    finally:
        subprocess.run(["make", "--no-print-directory", "stop"], cwd=copy, env=env, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "output.log"), "w") as handle:
        handle.write(output)
    problems = [f"exit code {result.returncode}"] if result.returncode else []
    problems += [f"the output has {pattern.pattern!r}" for pattern in FORBIDDEN if pattern.search(output)]
    if not stopped:
        problems.append("the sandbox still ran after the README's `make stop` (.sandbox/env was there)")
    if problems:
        print(output)
        raise SystemExit(f"README blocks {', '.join(BLOCKS)} and the modules' EXAMPLES: {'; '.join(problems)} (output "
                         f"above; copy in {copy})")
    shutil.rmtree(work, ignore_errors=True)
    recaps = len(re.findall(r"^PLAY RECAP", output, re.M))
    marks = re.findall(r"^### (?:README block (\S+) from|end at) (\d+)s$", output, re.M)
    took = ", ".join(f"{name} {int(end) - int(begin)}s"
                     for (name, begin), (dummy, end) in zip(marks, marks[1:]) if name)
    print(f"README blocks {', '.join(BLOCKS)} and the EXAMPLES of {len(MODULES)} modules ran as written: {recaps} "
          f"playbook runs in {time.time() - started:.0f}s ({took})")


if __name__ == "__main__":
    main()
