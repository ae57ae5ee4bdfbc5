#!/usr/bin/env python3
"""`make progress`: during a realistic-profile attach (sandbox at --time-scale 0.3, ~45 s), the progress callback
prints a line at least every 15 s (issue 13).

One `ansible-playbook ack_edge.cloud_nodes.provision` run (one instance, no add-ons) with the callback enabled as
docs/progress.md says, stopped once the attach task is done; the output is read line by line as it comes, each
line stamped with its arrival time, and the gaps between progress lines of the attach task are asserted. About
80 s; not part of `make test`, whose integration targets share one fast-profile sandbox.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  pylint: disable=wrong-import-position

MAX_GAP = 15.0
INVENTORY = """\
edge:
  hosts:
    edge-hangzhou:
      cloud_nodes_cluster_id: c06f4ee49f430ccdb94c22abc073301fb
  vars:
    cloud_nodes_count: 1
    purchase_instance_name: progress-node
"""
ATTACH_TASK = "Attach the instances as cloud nodes"
RESULT = re.compile(r"^(changed|ok|fatal|failed): \[edge-hangzhou\]")
PROGRESS = re.compile(r"^progress \[edge-hangzhou\] (waiting for|done waiting for) .*\((\d+:\d\d) elapsed, "
                      r"deadline \d+:\d\d")


def stamped_run(cmd, env):
    """The command's output lines with the seconds since the start at which each arrived, up to the attach task's
    result: the run is stopped there, since what follows does not count (saves ~15 s)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines, attaching = [], False
    for line in proc.stdout:
        lines.append((time.monotonic() - started, line.rstrip("\n")))
        print(f"{lines[-1][0]:6.1f}s | {lines[-1][1]}", flush=True)
        attaching = attaching or line.startswith("TASK [") and ATTACH_TASK in line
        if attaching and RESULT.match(line):
            proc.terminate()
            break
    proc.stdout.close()
    proc.wait()
    return lines


def attach_window(lines):
    """The (time, line) pairs from the attach task's banner to its result."""
    start = next(i for i, (dummy, line) in enumerate(lines) if line.startswith("TASK [") and ATTACH_TASK in line)
    end = next(i for i in range(start + 1, len(lines)) if RESULT.match(lines[i][1]))
    return lines[start:end + 1]


def check(lines):
    """The problems with the attach task's progress lines: none, or too few, or a gap over MAX_GAP seconds."""
    window = attach_window(lines)
    stamps = [window[0][0]] + [at for at, line in window if PROGRESS.match(line)] + [window[-1][0]]
    if len(stamps) < 4:
        return [f"only {len(stamps) - 2} progress line(s) during the attach ({window[-1][0] - window[0][0]:.0f} s)"]
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[1:])]
    return [f"{gap:.1f} s without a progress line during the attach" for gap in gaps if gap > MAX_GAP]


def main():
    suite.build_tree()
    work = tempfile.mkdtemp(prefix="ack-edge-progress-check-")
    inventory = os.path.join(work, "inventory.yml")
    with open(inventory, "w") as handle:
        handle.write(INVENTORY)
    password = "Progress-" + secrets.token_urlsafe(12) + "-9a"
    box = suite.Sandbox(profile="realistic", extra=("--time-scale", "0.3", "--quiet"))
    try:
        env = dict(os.environ, **box.env, ANSIBLE_COLLECTIONS_PATH=suite.BUILD, ANSIBLE_STDOUT_CALLBACK="default",
                   ANSIBLE_CALLBACKS_ENABLED="ack_edge.cloud_nodes.progress", ANSIBLE_FORCE_COLOR="0",
                   ANSIBLE_NOCOLOR="1", PROGRESS_ATTACH_PASSWORD=password, PYTHONUNBUFFERED="1")
        lines = stamped_run(
            [suite.bin_path("ansible-playbook"), "ack_edge.cloud_nodes.provision", "-i", inventory,
             "-e", "attach_password={{ lookup('ansible.builtin.env', 'PROGRESS_ATTACH_PASSWORD') }}"], env)
    finally:
        box.stop()
    text = "\n".join(line for dummy, line in lines)
    if not (lines and lines[-1][1].startswith("changed: ")):
        raise SystemExit("the run did not get through the attach; see the output above")
    if password in text or box.env["ALICLOUD_SECRET_KEY"] in text:
        raise SystemExit("a secret reached the output")
    problems = check(lines)
    if problems:
        raise SystemExit("progress check failed: " + "; ".join(problems))
    window = attach_window(lines)
    shown = sum(1 for dummy, line in window if PROGRESS.match(line))
    print(f"progress check passed: {shown} progress lines during the {window[-1][0] - window[0][0]:.0f} s attach, "
          f"none more than {MAX_GAP:.0f} s apart")


if __name__ == "__main__":
    main()
