#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_kubeconfig
short_description: Write an ACK cluster's kubeconfig to a file
version_added: 0.1.0
description:
  - Fetches the cluster's kubeconfig with C(DescribeClusterUserKubeconfig) and writes it to O(dest) with mode
    C(0600).
  - Reports a change only when the file's content or mode changes. A temporary kubeconfig
    (O(temporary_duration_minutes)) carries new credentials each time, so it always changes.
  - The kubeconfig holds credentials; its content is never returned or logged, and diff mode shows only checksums.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster.
    type: str
    required: true
  dest:
    description: Where to write the kubeconfig. The directory must exist.
    type: path
    required: true
  private_ip:
    description: Use the cluster's internal (VPC) API endpoint instead of the public one.
    type: bool
    default: false
  temporary_duration_minutes:
    description: Issue temporary credentials valid this many minutes (15 to 4320) instead of long-lived ones.
    type: int
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
attributes:
  check_mode:
    support: full
    details: Fetches the kubeconfig and says whether the file would change, without writing it.
  diff_mode:
    support: full
    details: Shows the SHA-256 of the old and new content, never the content.
  idempotent:
    support: partial
    details: Idempotent for long-lived credentials; temporary ones are new each time.
"""

EXAMPLES = r"""
- name: Kubeconfig for the modules that talk to the cluster
  ack_edge.cloud_nodes.cs_kubeconfig:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    dest: "{{ playbook_dir }}/.kube/edge.yaml"
  register: kubeconfig

- name: A one-hour kubeconfig on the internal endpoint
  ack_edge.cloud_nodes.cs_kubeconfig:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    dest: /tmp/edge-1h.yaml
    private_ip: true
    temporary_duration_minutes: 60
"""

RETURN = r"""
dest:
  description: The file written.
  returned: always
  type: str
  sample: /home/ops/.kube/edge.yaml
expiration:
  description: When the credentials in the kubeconfig expire (UTC).
  returned: always
  type: str
  sample: "2029-11-26T13:44:04Z"
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

import hashlib
import os
import tempfile

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule

MODE = 0o600


def current(dest):
    """(content, mode) of the file, or (None, None) when it does not exist."""
    try:
        with open(dest, "rb") as handle:
            return handle.read(), os.stat(dest).st_mode & 0o7777
    except FileNotFoundError:
        return None, None


def write(dest, content):
    """Write atomically; the temporary file is 0600 from its first byte."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest) or ".", prefix=".kubeconfig-")
    try:
        os.fchmod(fd, MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def checksum(content):
    return None if content is None else "sha256:" + hashlib.sha256(content).hexdigest()


def main():
    module = AlicloudModule({
        "cluster_id": {"type": "str", "required": True},
        "dest": {"type": "path", "required": True},
        "private_ip": {"type": "bool", "default": False},
        "temporary_duration_minutes": {"type": "int"},
    }, services=("cs",), supports_check_mode=True)
    p = module.params
    minutes = p["temporary_duration_minutes"]
    problems = []
    if minutes is not None and not 15 <= minutes <= 4320:
        problems.append(("temporary_duration_minutes", f"must be between 15 and 4320 (got {minutes})"))
    directory = os.path.dirname(p["dest"]) or "."
    if not os.path.isdir(directory):
        problems.append(("dest", f"the directory {directory} does not exist"))
    module.fail_on_bad_input(problems)
    try:
        answer = _cs.user_kubeconfig(module.api, p["cluster_id"], p["private_ip"], minutes)
    except AlicloudError as err:
        module.fail_json_alicloud(err)
    config = answer.get("config") or ""
    module.no_log_values.add(config)
    for line in config.splitlines():
        if line.strip().startswith(("token:", "client-key-data:", "client-certificate-data:")):
            module.no_log_values.add(line.split(":", 1)[1].strip())
    content = config.encode("utf-8")
    old, mode = current(p["dest"])
    changed = old != content or mode != MODE
    if changed and not module.check_mode:
        write(p["dest"], content)
    result = {"changed": changed, "dest": p["dest"], "expiration": answer.get("expiration")}
    if module.diff_mode:
        result["diff"] = {"before": {"dest": p["dest"], "content": checksum(old), "mode": oct(mode) if mode else None},
                          "after": {"dest": p["dest"], "content": checksum(content), "mode": oct(MODE)}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
