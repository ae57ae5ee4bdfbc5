# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the cloud's input rules, checked locally so bad input fails before any call.

Each check returns `(option, rule)` pairs; an empty list means the input is fine. Messages never echo secrets.
"""

from __future__ import annotations

import base64
import binascii
import re

PASSWORD_SPECIALS = "()`~!@#$%^&*-_+=|{}[]:;'<>,.?/"
NAME_RE = re.compile(r"^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5:_.\-]{1,127}$")
SEQUENCE_RE = re.compile(r"^(.+?)\[(\d*)(?:,(\d*))?\](.*)$")
HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.\-]{0,62}[A-Za-z0-9])?$")
DISK_CATEGORIES = ("cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd", "cloud_auto", "cloud_essd_entry")
RESERVED_TAG_PREFIXES = ("acs:", "aliyun")


def password(option, value, forbid=""):
    """ECS and ACK login passwords: 8-30 characters, three of four classes, only the allowed specials."""
    if value is None:
        return []
    if not 8 <= len(value) <= 30:
        return [(option, f"must be 8 to 30 characters long (got {len(value)})")]
    bad = [c for c in value if c in forbid or not (c.isascii() and (c.isalnum() or c in PASSWORD_SPECIALS))]
    if bad:
        allowed = "".join(c for c in PASSWORD_SPECIALS if c not in forbid)
        return [(option, f"may contain only letters, digits and {allowed}")]
    classes = sum([any(c.isupper() for c in value), any(c.islower() for c in value),
                   any(c.isdigit() for c in value), any(c in PASSWORD_SPECIALS for c in value)])
    if classes < 3:
        return [(option, "must contain at least three of: upper case letters, lower case letters, digits and "
                         "special characters")]
    return []


def tags(option, value, limit=20, key_length=128, value_length=128):
    if not value:
        return []
    problems = []
    if len(value) > limit:
        problems.append((option, f"at most {limit} tags are allowed (got {len(value)})"))
    for key, item in value.items():
        key = str(key)
        if not key or len(key) > key_length:
            problems.append((option, f"tag key {key!r} must be 1 to {key_length} characters"))
        elif key.startswith(RESERVED_TAG_PREFIXES) or "http://" in key or "https://" in key:
            problems.append((option, f"tag key {key!r} must not start with acs: or aliyun, nor contain a URL"))
        text = "" if item is None else str(item)
        if len(text) > value_length or text.startswith("acs:"):
            problems.append((option, f"the value of tag {key!r} must be at most {value_length} characters and "
                                     "must not start with acs:"))
    return problems


def instance_name(option, value):
    """ECS instance names, including the `prefix[begin,bits]suffix` numbering pattern."""
    if value is None:
        return []
    match = SEQUENCE_RE.match(value)
    sample = value
    if match:
        prefix, begin, bits, suffix = match.groups()
        if bits and not 1 <= int(bits) <= 6:
            return [(option, "the number width in [begin,bits] must be 1 to 6")]
        sample = prefix + "0" * int(bits or 6) + suffix
    if not NAME_RE.match(sample) or sample.startswith(("http://", "https://")):
        return [(option, "must be 2 to 128 characters, start with a letter, and contain only letters, digits, "
                         "':', '_', '.', '-' (and one [begin,bits] numbering pattern)")]
    return []


def host_name(option, value):
    if value is None:
        return []
    match = SEQUENCE_RE.match(value)
    sample = (match.group(1) + "0" * int(match.group(3) or 6) + match.group(4)) if match else value
    if len(sample) < 2 or not HOST_RE.match(sample) or any(s in sample for s in ("..", "--", ".-", "-.")):
        return [(option, "must be 2 to 64 characters of letters, digits, '.' and '-', without leading, trailing or "
                         "doubled separators")]
    return []


def user_data(option, value):
    """User data is sent Base64 encoded; the raw text may be at most 32 KiB."""
    if value is None:
        return []
    if len(value.encode("utf-8")) > 32 * 1024:
        return [(option, "must be at most 32 KiB")]
    return []


def b64_or_text(value):
    """ECS wants Base64. Text that is already Base64 passes through unchanged."""
    try:
        decoded = base64.b64decode(value, validate=True)
        if base64.b64encode(decoded).decode() == value.strip():
            return value.strip()
    except (binascii.Error, ValueError):
        pass
    return base64.b64encode(value.encode("utf-8")).decode()


def in_range(option, value, low, high):
    if value is None or low <= value <= high:
        return []
    return [(option, f"must be between {low} and {high} (got {value})")]
