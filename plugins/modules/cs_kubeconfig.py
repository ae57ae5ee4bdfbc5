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
    description:
      - Where to write the kubeconfig. The directory must exist, except in check mode, where the task that would
        create it did not run either.
    type: path
    required: true
  private_ip:
    description: Use the cluster's internal (VPC) API endpoint instead of the public one.
    type: bool
    default: false
  temporary_duration_minutes:
    description:
      - Issue temporary credentials valid this many minutes (15 to 4320) instead of long-lived ones.
      - Prefer them for a kubeconfig that a play needs only while it runs, and remove the file at the end, as the
        C(addons) role does. Long-lived credentials stay valid for years wherever the file is copied.
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
- name: A private directory for kubeconfigs
  ansible.builtin.file:
    path: ~/.kube
    state: directory
    mode: "0700"

- name: Kubeconfig for the modules that talk to the cluster
  ack_edge.cloud_nodes.cs_kubeconfig:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    dest: ~/.kube/edge.yaml
  register: kubeconfig

- name: A private temporary directory (check_mode false, so that a check run can use the kubeconfig too)
  ansible.builtin.tempfile:
    state: directory
  check_mode: false
  register: kube_dir

- name: A one-hour kubeconfig on the internal endpoint, for this play only
  ack_edge.cloud_nodes.cs_kubeconfig:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    dest: "{{ kube_dir.path }}/edge.yaml"
    private_ip: true
    temporary_duration_minutes: 60
  check_mode: false
  register: kubeconfig_1h

# ... tasks with kubeconfig: "{{ kubeconfig_1h.dest }}" ...

- name: Remove it when done (put this in the always section of a block)
  ansible.builtin.file:
    path: "{{ kube_dir.path }}"
    state: absent
  check_mode: false
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

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cs_kubeconfig import ensure
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({
        "cluster_id": {"type": "str", "required": True},
        "dest": {"type": "path", "required": True},
        "private_ip": {"type": "bool", "default": False},
        "temporary_duration_minutes": {"type": "int"},
    }, services=("cs",), supports_check_mode=True)
    module.run(lambda: ensure(module.ctx, module.params))


if __name__ == "__main__":
    main()
