#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_addon_info
short_description: List the ACK-managed add-ons installed in a cluster
version_added: 0.1.0
description:
  - Returns the installed add-ons with their versions and states.
  - With O(name), returns that add-on with its configuration, or an empty list if it is not installed.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster.
    type: str
    required: true
  name:
    description: Only this add-on, with its configuration.
    type: str
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: What runs in the cluster
  ack_edge.cloud_nodes.cs_cluster_addon_info:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
  register: installed

- name: Is metrics-server there?
  ansible.builtin.assert:
    that: "'metrics-server' in installed.addons | map(attribute='name')"
"""

RETURN = r"""
addons:
  description: Installed add-ons, by name; empty when none match.
  returned: always
  type: list
  elements: dict
  sample:
    - {name: metrics-server, version: v0.3.9.4-ff225cd-aliyun, state: active}
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({"cluster_id": {"type": "str", "required": True}, "name": {"type": "str"}},
                            services=("cs",), supports_check_mode=True)
    p = module.params

    def read():
        if p["name"]:
            found = _cs.addon(module.ctx.api, p["cluster_id"], p["name"])
            return {"changed": False, "addons": [found] if found else []}
        return {"changed": False, "addons": _cs.addons(module.ctx.api, p["cluster_id"])}

    module.run(read)


if __name__ == "__main__":
    main()
