#!/usr/bin/env python3
"""`make demo`: start a sandbox, run the example playbook twice (the second run changes nothing), print the calls."""

import json
import os
import ssl
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suite  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(suite.ROOT, "docs", "examples", "purchase.yml")


def calls(env):
    context = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
    with urllib.request.urlopen(env["ACK_SANDBOX_CONTROL"] + "/calls", context=context) as response:
        return json.loads(response.read())["calls"]


def main():
    suite.build_tree()
    box = suite.Sandbox()
    try:
        env = dict(os.environ, **box.env, ANSIBLE_COLLECTIONS_PATH=suite.BUILD, ANSIBLE_STDOUT_CALLBACK="default")
        seen = 0
        for run in ("first run: buys the instances", "second run: nothing to do"):
            suite.say(run)
            subprocess.run([suite.bin_path("ansible-playbook"), "-i", "localhost,", PLAYBOOK], env=env, check=True)
            made = calls(env)[seen:]
            seen += len(made)
            mutating = [c["action"] for c in made if c["mutating"]]
            print(f"API calls: {len(made)}, mutating: {len(mutating)} {mutating}")
    finally:
        box.stop()


if __name__ == "__main__":
    main()
