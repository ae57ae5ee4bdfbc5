# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: API results in the collection's shape - snake_case keys, no single-key list
wrappers, tags as a dict."""

from __future__ import annotations

import re

_WORDS = {"VSwitch": "Vswitch", "VSwitches": "Vswitches", "IPv6": "Ipv6", "GPU": "Gpu", "OS": "Os", "IP": "Ip"}
_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name):
    """`InstanceId` -> `instance_id`, `VSwitchId` -> `vswitch_id`, `OSName` -> `os_name`."""
    for word, replacement in _WORDS.items():
        name = re.sub(word + r"(?=[A-Z]|$)", replacement, name)
    return _BOUNDARY.sub("_", name).lower()


def tags_to_dict(tags):
    """ECS `[{TagKey, TagValue}]` or `[{Key, Value}]`, CS `[{key, value}]` -> {key: value}."""
    result = {}
    for tag in tags or []:
        key = tag.get("TagKey", tag.get("Key", tag.get("key", tag.get("tag_key"))))
        value = tag.get("TagValue", tag.get("Value", tag.get("value", tag.get("tag_value", ""))))
        if key is not None:
            result[key] = value if value is not None else ""
    return result


def tag_pairs(tags, key="Key", value="Value"):
    """{key: value} -> the APIs' list of pairs, sorted by key: ECS `[{Key, Value}]`, CS `[{key, value}]`."""
    return [{key: k, value: "" if v is None else str(v)} for k, v in sorted((tags or {}).items())]


def normalize(value):
    """Deep snake_case; `{"IpAddress": [..]}` wrappers become the list; `Tags` become a dict."""
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), list):
            item = next(iter(item.values()))
        name = snake(key)
        result[name] = tags_to_dict(item) if name == "tags" and isinstance(item, list) else normalize(item)
    return result


def instance(raw):
    """An ECS instance as the modules return it, with the VPC fields lifted to the top."""
    inst = normalize(raw)
    vpc = inst.get("vpc_attributes") or {}
    private = vpc.get("private_ip_address") or []
    public = inst.get("public_ip_address") or []
    inst.update(
        vpc_id=vpc.get("vpc_id"),
        vswitch_id=vpc.get("vswitch_id"),
        private_ip_address=private[0] if private else None,
        public_ip_address=public[0] if public else None,
        tags=inst.get("tags") or {},
        security_group_ids=inst.get("security_group_ids") or [],
    )
    return inst
