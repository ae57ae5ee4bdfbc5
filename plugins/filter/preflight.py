# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight filters: every local rule of the roles, in the roles' own variable names (docs: preflight.yml).

`provision` checks all four roles before its first mutating call, so a weak attach_password fails before anything
is bought, not after. Each role checks its own rules again when it runs alone. The rules are the ones the modules
apply (module_utils/_validate), named after the role variable the user set, never after a module option.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _validate

ROLES = ("purchase", "attach", "taints", "addons")


def _is_int(value):
    try:
        int(str(value))
    except ValueError:
        return False
    return True


def _count(v):
    count = v["cloud_nodes_count"]
    if not _is_int(count):
        return [("cloud_nodes_count", f"must be a whole number, not {count!r}")]
    if int(str(count)) < 1:
        return [("cloud_nodes_count", f"must be at least 1 (got {count}): an ACK@Edge cluster needs a cloud node; "
                                      "provision never releases, and decommission keeps at least one")]
    return []


def _timeout(name, value):
    if not _is_int(value) or int(str(value)) < 1:
        return [(name, f"must be a whole number of seconds, at least 1 (got {value!r})")]
    return []


def _purchase(v):
    found = _count(v) + _timeout("purchase_wait_timeout", v["purchase_wait_timeout"])
    if not _is_int(v["purchase_max_create"]) or int(str(v["purchase_max_create"])) < 0:
        found.append(("purchase_max_create", f"must be a whole number, 0 (never buy) or more (got "
                                             f"{v['purchase_max_create']!r})"))
    for name in ("purchase_vswitch_ids", "purchase_security_group_ids"):
        if not isinstance(v[name], list) or not all(isinstance(i, str) and i for i in v[name]):
            found.append((name, "must be a list of IDs (empty: take it from the cluster)"))
    if isinstance(v["purchase_security_group_ids"], list) and len(v["purchase_security_group_ids"]) > 5:
        found.append(("purchase_security_group_ids", "must list at most 5 security groups"))
    if not v["purchase_instance_type"]:
        found.append(("purchase_instance_type", "must name an instance type, for example ecs.g6.large"))
    found += _validate.instance_name("purchase_instance_name", v["purchase_instance_name"] or None)
    found += _validate.tags("purchase_tags", v["purchase_tags"])
    return found


def _attach(v):
    password, key_pair = v["attach_password"] or "", v["attach_key_pair"] or ""
    if bool(password) == bool(key_pair):
        return [("attach_password", "set exactly one of attach_password (from a vault) and attach_key_pair, "
                                    f"not {'both' if password else 'neither'}")]
    found = _validate.password("attach_password", password or None, forbid='\\"')
    found += _timeout("attach_wait_timeout", v["attach_wait_timeout"])
    return found + _validate.tags("attach_tags", v["attach_tags"])


def _taints(v):
    found = []
    if v["taints_mode"] not in ("enforce", "verify"):
        found.append(("taints_mode", f"must be enforce or verify, not {v['taints_mode']!r}"))
    if not isinstance(v["taints_required_labels"], dict):
        found.append(("taints_required_labels", "must be a mapping of label to value"))
    taints = v["taints_required_taints"]
    if not isinstance(taints, list) or not all(isinstance(t, dict) and t.get("key") and t.get("effect")
                                               for t in taints):
        found.append(("taints_required_taints", "must be a list of {key, effect} (value optional)"))
    return found + _timeout("taints_wait_timeout", v["taints_wait_timeout"])


def _addons(v):
    found = _timeout("addons_wait_timeout", v["addons_wait_timeout"])
    managed = v["addons_managed"]
    if not isinstance(managed, list) or not all(isinstance(a, dict) and a.get("name") for a in managed):
        found.append(("addons_managed", "must be a list of {name, version, config, state} with a name each"))
    manifests = v["addons_manifests"]
    sources = ("file", "template", "definition")
    if not isinstance(manifests, list) or not all(
            isinstance(m, dict) and sum(1 for s in sources if m.get(s)) == 1 for m in manifests):
        found.append(("addons_manifests", "must be a list of items with exactly one of file, template and "
                                          "definition"))
    return found


RULES = {"purchase": _purchase, "attach": _attach, "taints": _taints, "addons": _addons}
VARIABLES = {
    "purchase": ("cloud_nodes_count", "purchase_wait_timeout", "purchase_vswitch_ids", "purchase_security_group_ids",
                 "purchase_instance_type", "purchase_instance_name", "purchase_tags", "purchase_max_create"),
    "attach": ("attach_password", "attach_key_pair", "attach_wait_timeout", "attach_tags"),
    "taints": ("taints_mode", "taints_required_labels", "taints_required_taints", "taints_wait_timeout"),
    "addons": ("addons_wait_timeout", "addons_managed", "addons_manifests"),
}


def _roles(roles):
    roles = [roles] if isinstance(roles, str) else list(roles)
    unknown = [r for r in roles if r not in RULES]
    if unknown:
        raise AnsibleFilterError(f"preflight: unknown role(s) {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    return roles


def preflight_variables(roles):
    """The variables the rules of these roles read, for ansible.builtin.vars to look up."""
    return sorted({name for role in _roles(roles) for name in VARIABLES[role]})


def preflight(values, roles):
    """The problems, as 'variable: rule' sentences; empty when every rule holds. Secrets are never echoed."""
    if not isinstance(values, dict):
        raise AnsibleFilterError("preflight expects a mapping of variable names to values")
    found = []
    for role in _roles(roles):
        missing = [n for n in VARIABLES[role] if n not in values]
        if missing:
            raise AnsibleFilterError(f"preflight: {role} needs the variables {', '.join(missing)}")
        found += [f"{name}: {rule}" for name, rule in RULES[role](values)]
    return found


class FilterModule:
    def filters(self):
        return {"preflight": preflight, "preflight_variables": preflight_variables}
