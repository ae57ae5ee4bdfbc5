# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release_plan filter: which instances ecs_instance releases when a set goes down to a count (docs:
release_plan.yml). It applies ecs_instance's own release order, so a playbook can drain exactly those first."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._ecs_instance import surplus


def release_plan(instances, count):
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"release_plan: the count must be a whole number, got {count!r}")
    if not isinstance(instances, list) or any(not isinstance(i, dict) or "instance_id" not in i for i in instances):
        raise AnsibleFilterError("release_plan expects the instances of ecs_instance_info or ecs_instance")
    return [i["instance_id"] for i in surplus(instances, count)]


class FilterModule:
    def filters(self):
        return {"release_plan": release_plan}
