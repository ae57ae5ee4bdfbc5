#!/usr/bin/env python3
"""`make demo`: start a sandbox, provision its edge cluster's cloud nodes, run again (changed=0), show the calls."""

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


def calls(env, since):
    context = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
    with urllib.request.urlopen(f"{env['ACK_SANDBOX_CONTROL']}/calls?since={since}", context=context) as response:
        return json.loads(response.read())


def main():
    suite.build_tree()
    work = tempfile.mkdtemp(prefix="ack-edge-demo-")
    inventory = os.path.join(work, "inventory.yml")
    with open(inventory, "w") as handle:
        handle.write(INVENTORY.format(kube_dir=os.path.join(work, "kube"), manifest=os.path.join(
            suite.ROOT, "docs", "examples", "fleet", "manifests", "edge-operator.yml")))
    password = "Demo-" + secrets.token_urlsafe(12) + "-9a"  # never printed: the demo shows no secret either
    box = suite.Sandbox()
    try:
        env = dict(os.environ, **box.env, ANSIBLE_COLLECTIONS_PATH=suite.BUILD, ANSIBLE_STDOUT_CALLBACK="default",
                   DEMO_ATTACH_PASSWORD=password)
        since = 0
        for title in ("First run: buy, attach, verify, deploy", "Second run: nothing to do"):
            suite.say(title)
            result = subprocess.run(
                [suite.bin_path("ansible-playbook"), "ack_edge.cloud_nodes.provision", "-i", inventory,
                 "-e", "attach_password={{ lookup('ansible.builtin.env', 'DEMO_ATTACH_PASSWORD') }}"],
                env=env, capture_output=True, text=True)
            output = result.stdout + result.stderr
            if result.returncode != 0 or password in output or box.env["ALICLOUD_SECRET_KEY"] in output:
                print(output)
                raise SystemExit("the demo run failed" if result.returncode else "a secret reached the output")
            report = re.search(r'"msg": \[\n(.*?)\n    \]', output, re.S)
            print("Report:\n" + "\n".join("  " + line.strip().strip('",') for line in report.group(1).splitlines()))
            print("Recap:\n  " + output[output.index("PLAY RECAP"):].splitlines()[1].strip())
            found = calls(env, since)
            since = found["last_seq"]
            writes = [f"{c['service']}:{c['action']}" for c in found["calls"] if c["mutating"]]
            print(f"API calls: {len(found['calls'])}, of which mutating: {len(writes)}"
                  + (f" ({', '.join(sorted(set(writes)))})" if writes else ""))
    finally:
        box.stop()
    print("\nThe sandbox has stopped. Rehearse on your own (README, \"Rehearse against the sandbox\"):\n"
          "  make rehearse      # then paste the two lines it prints, and run the README's whole job\n"
          "  make stop")


if __name__ == "__main__":
    main()
