# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role_failure filter: a failed module result, told in the role's own variable names (docs: role_failure.yml).

A module names its options (`instance_type`); the user of a role set `purchase_instance_type`. The purchase guard
of ecs_instance refuses before anything is bought, and this is how its refusal reaches the user in their terms.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

# Module option -> the role variable it is set from.
VARIABLES = {
    "purchase": {
        "exact_count": "cloud_nodes_count", "max_create": "purchase_max_create",
        "instance_type": "purchase_instance_type", "image_id": "purchase_image_id",
        "vswitch_ids": "purchase_vswitch_ids", "security_group_ids": "purchase_security_group_ids",
        "instance_name": "purchase_instance_name", "tags": "purchase_tags", "system_disk.size": "purchase_system_disk",
        "internet_max_bandwidth_out": "purchase_internet_max_bandwidth_out", "wait_timeout": "purchase_wait_timeout",
    },
}


def role_failure(result, role, sources=None):
    """The failure message of `result` in `role`'s variable names.

    `sources` overrides a variable name for this run, for example the image variable the role picked when
    purchase_image_id was left empty.
    """
    if role not in VARIABLES:
        raise AnsibleFilterError(f"role_failure: unknown role {role!r}; choose from {', '.join(VARIABLES)}")
    if not isinstance(result, dict):
        raise AnsibleFilterError("role_failure expects a registered module result")
    names = dict(VARIABLES[role], **(sources or {}))
    problems = result.get("invalid_input")
    if not problems:
        return result.get("msg") or "the module failed without a message"
    # Whole option names only: not inside a value such as `my-tags-image` or `vsw-1.image_id`.
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(o) for o in sorted(names, key=len, reverse=True))
                         + r")(?![\w-])")

    def rename(text):
        return pattern.sub(lambda m: names[m.group(1)], text)

    return "; ".join(f"{names.get(p['option'], p['option'])}: {rename(p['rule'])}" for p in problems) \
        + ". Nothing was changed."


class FilterModule:
    def filters(self):
        return {"role_failure": role_failure}
