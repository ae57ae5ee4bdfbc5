#!/usr/bin/env python3
"""`make demo`: start a sandbox, provision its edge cluster's cloud nodes, run again (changed=0), verify, and sum up.

The playbooks' output streams as it comes, with the progress callback enabled (docs/progress.md), so the long
waits are not silent; the summary says what was bought, attached and verified, the API calls, and the rerun's
changed=0."""

import json
import os
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  pylint: disable=wrong-import-position

INVENTORY = """\
edge_clusters:
  hosts:
    edge-hangzhou:
      cloud_nodes_cluster_id: c06f4ee49f430ccdb94c22abc073301fb
  vars:
    cloud_nodes_count: 2
    cloud_nodes_kubeconfig_dir: {kube_dir}
    attach_tags: {{team: platform}}
    addons_managed:
      - name: alicloud-monitor-controller
    addons_manifests:
      - file: {manifest}
"""


def control(env, route):
    context = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
    with urllib.request.urlopen(f"{env['ACK_SANDBOX_CONTROL']}/{route}", context=context) as response:
        return json.loads(response.read())


def stream(cmd, env, secrets_):
    """Run a playbook with its output shown as it comes (the progress callback fills the long waits); return its
    exit code and output. A secret is masked on screen and fails the demo."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines, leaked = [], False
    for line in proc.stdout:
        for secret in secrets_:
            if secret in line:
                line, leaked = line.replace(secret, "********"), True
        lines.append(line)
        sys.stdout.write("  " + line)
        sys.stdout.flush()
    code = proc.wait()
    if leaked:
        raise SystemExit("a secret reached the output")
    return code, "".join(lines)


def recap_changed(output):
    found = re.search(r"^edge-hangzhou\s+: ok=\d+\s+changed=(\d+)", output, re.M)
    return int(found.group(1)) if found else None


def totals(output):
    """The report's totals line for the cluster (cloud_node_report_lines)."""
    found = re.findall(r'"(cluster \S+: \d+ cloud node\(s\): [^"]*)"', output)
    return found[-1] if found else "no report"


def call_summary(found):
    writes = [f"{c['service']}:{c['action']}" + (" (DryRun)" if str(c["params"].get("DryRun")).lower() == "true" else "")
              for c in found["calls"] if c["mutating"]]
    kinds = ", ".join(f"{name} x{writes.count(name)}" if writes.count(name) > 1 else name
                      for name in sorted(set(writes)))
    return f"{len(found['calls'])} calls, {len(writes)} mutating" + (f" ({kinds})" if writes else "")


def main():
    suite.build_tree()
    work = tempfile.mkdtemp(prefix="ack-edge-demo-")
    inventory = os.path.join(work, "inventory.yml")
    with open(inventory, "w") as handle:
        handle.write(INVENTORY.format(kube_dir=os.path.join(work, "kube"), manifest=os.path.join(
            suite.ROOT, "docs", "examples", "fleet", "manifests", "edge-operator.yml")))
    password = "Demo-" + secrets.token_urlsafe(12) + "-9a"  # never printed: the demo shows no secret either
    box = suite.Sandbox()
    runs = []
    try:
        env = dict(os.environ, **box.env, ANSIBLE_COLLECTIONS_PATH=suite.BUILD, ANSIBLE_STDOUT_CALLBACK="default",
                   ANSIBLE_CALLBACKS_ENABLED="ack_edge.cloud_nodes.progress", PYTHONUNBUFFERED="1",
                   DEMO_ATTACH_PASSWORD=password)
        before = set(control(env, "state")["instances"]["ids"])
        since = 0
        for playbook, title in (("provision", "First run: buy, attach, verify, deploy"),
                                ("provision", "Second run: nothing to do"),
                                ("verify", "Audit: the read-only verify playbook")):
            suite.say(title)
            code, output = stream(
                [suite.bin_path("ansible-playbook"), f"ack_edge.cloud_nodes.{playbook}", "-i", inventory,
                 "-e", "attach_password={{ lookup('ansible.builtin.env', 'DEMO_ATTACH_PASSWORD') }}"],
                env, (password, box.env["ALICLOUD_SECRET_KEY"]))
            if code != 0:
                raise SystemExit(f"the demo's {playbook} run failed (exit code {code}); its output is above")
            found = control(env, f"calls?since={since}")
            since = found["last_seq"]
            runs.append({"title": title, "output": output, "calls": found["calls"], "summary": call_summary(found)})
        bought = sorted(set(control(env, "state")["instances"]["ids"]) - before)
    finally:
        box.stop()
    attached = sorted({i for c in runs[0]["calls"] if c["action"] == "AttachInstances"
                       for i in (c["params"].get("body") or {}).get("instances") or []})
    print("\nSummary")
    print(f"  bought {len(bought)}: {', '.join(bought) or '-'}")
    print(f"  attached {len(attached)}: {', '.join(attached) or '-'}")
    reported = [totals(run["output"]) for run in (runs[0], runs[2])]
    if reported[0] == reported[1]:
        print(f"  verified, the same in provision's and verify's report: {reported[0]}")
    else:
        print(f"  verified: provision reports {reported[0]}; verify reports {reported[1]}")
    for run in runs:
        print(f"  API calls, {run['title'].split(':')[0].lower()}: {run['summary']}")
    print(f"  second run: changed={recap_changed(runs[1]['output'])}")
    print("\nThe sandbox has stopped. Rehearse on your own (README, \"Rehearse against the sandbox\"):\n"
          "  make rehearse      # then paste the two lines it prints, and run the README's whole job\n"
          "  make stop")


if __name__ == "__main__":
    main()
