#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_addon
short_description: Install, upgrade, configure or uninstall an ACK-managed add-on
version_added: 0.1.0
description:
  - V(present) installs the add-on (O(version), or the newest ACK offers), upgrades it when O(version) differs
    from the installed one, and updates its configuration when O(config) differs. V(absent) uninstalls it.
  - Follows the ACK task to its end and waits until the add-on is active (or gone).
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster.
    type: str
    required: true
  name:
    description: Add-on name, for example V(metrics-server).
    type: str
    required: true
  version:
    description: The version to run. Without it, a new install takes the newest version and an installed add-on
      keeps its version.
    type: str
  config:
    description: The add-on's configuration, as an object; sent to ACK as JSON. Left alone when not set.
    type: dict
  state:
    description: Whether the add-on should be installed.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.wait
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Shows version and configuration before and after.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: Monitoring controller on the cloud nodes
  ack_edge.cloud_nodes.cs_cluster_addon:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    name: alicloud-monitor-controller
    version: v1.8.3-1234abc-aliyun

- name: Remove the log controller
  ack_edge.cloud_nodes.cs_cluster_addon:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    name: alibaba-log-controller
    state: absent
"""

RETURN = r"""
addon:
  description: The add-on after the change; empty after an uninstall.
  returned: always
  type: dict
  sample: {name: alicloud-monitor-controller, version: v1.8.3-1234abc-aliyun, state: active, config: {}}
task_id:
  description: The ACK task of the change, if one was needed.
  returned: always
  type: str
  sample: T-925be16387484148b50d102f
action:
  description: What the run did (in check mode, would do) - V(install), V(upgrade), V(configure), V(uninstall) or
    V(none).
  returned: always
  type: str
  sample: install
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cs_cluster_addon import ensure
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, AlicloudModule


def main():
    spec = {
        "cluster_id": {"type": "str", "required": True},
        "name": {"type": "str", "required": True},
        "version": {"type": "str"},
        "config": {"type": "dict"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }
    spec.update(WAIT_ARGUMENT_SPEC)
    module = AlicloudModule(spec, services=("cs",), supports_check_mode=True)
    module.run(lambda: ensure(module.ctx, module.params))


if __name__ == "__main__":
    main()
