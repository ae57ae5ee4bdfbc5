# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what the inventory plugins share - the API per region, the cache, hostnames.

It lives in plugin_utils because it raises AnsibleError, which module code may not import."""

from __future__ import annotations

from ansible.errors import AnsibleError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._api import Api
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._clients import auth_problem, missing_sdk
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError

AUTH_OPTIONS = ("alicloud_access_key", "alicloud_secret_key", "alicloud_security_token", "alicloud_region",
                "ecs_endpoint", "cs_endpoint", "ca_bundle")


def apis(plugin, services):
    """One Api per region to read, from the plugin's options; the same client factory the modules use."""
    pypi, exc = missing_sdk(services)
    if pypi:
        raise AnsibleError(f"The {plugin.NAME} inventory needs the Python package {pypi}: {exc}")
    params = {name: plugin.get_option(name) for name in AUTH_OPTIONS}
    regions = plugin.get_option("regions") or ([params["alicloud_region"]] if params["alicloud_region"] else [])
    if not regions:
        raise AnsibleError(f"{plugin.NAME}: set regions, or alicloud_region (or ALICLOUD_REGION).")
    problem = auth_problem(params)
    if problem:
        raise AnsibleError(f"{plugin.NAME}: {problem[0]}: {problem[1]}.")
    return [Api(dict(params, alicloud_region=region)) for region in regions]


def fetch(plugin, path, cache, read):
    """`read()` with Ansible's inventory cache: served from the cache when allowed, refreshed otherwise."""
    key = plugin.get_cache_key(path)
    use_cache = plugin.get_option("cache") and cache
    if use_cache:
        try:
            return plugin._cache[key]  # pylint: disable=protected-access
        except KeyError:
            pass
    try:
        found = read()
    except AlicloudError as err:
        raise AnsibleError(f"{plugin.NAME}: {err.msg}") from None
    if plugin.get_option("cache"):
        plugin._cache[key] = found  # pylint: disable=protected-access
    return found


def hostname(preferences, facts, taken=()):
    """The first preference with a value no other host has taken: a fact name, or `tag:<key>` for a tag."""
    for preference in preferences:
        if preference.startswith("tag:"):
            value = (facts.get("tags") or {}).get(preference[4:])
        else:
            value = facts.get(preference)
        if value and str(value) not in taken:
            return str(value)
    return None


def populate(plugin, items, id_key, facts_of):
    """Add one host per item, named by the `hostnames` preferences, with its facts, composed vars and groups."""
    strict = plugin.get_option("strict")
    taken = set()
    for item in items:
        host = hostname(plugin.get_option("hostnames"), item, taken) or item[id_key]
        taken.add(host)
        plugin.inventory.add_host(host)
        facts = facts_of(item)
        for key, value in facts.items():
            plugin.inventory.set_variable(host, key, value)
        plugin._set_composite_vars(plugin.get_option("compose"), facts, host, strict=strict)  # pylint: disable=protected-access
        plugin._add_host_to_composed_groups(plugin.get_option("groups"), facts, host, strict=strict)  # pylint: disable=protected-access
        plugin._add_host_to_keyed_groups(plugin.get_option("keyed_groups"), facts, host, strict=strict)  # pylint: disable=protected-access
