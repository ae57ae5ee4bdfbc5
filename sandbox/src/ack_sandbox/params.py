"""Reading the flattened RPC parameters the SDKs send: `Name.N`, `Tag.N.Key`, booleans as True/False, JSON lists."""

import json

from .errors import ApiError, invalid, missing


def boolean(value, default=False):
    if value is None or value == "":
        return default
    return str(value).strip().lower() == "true"


def integer(params, name, default=None, low=None, high=None, code=None):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise code or invalid(name, "It must be an integer.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise code or invalid(name, f"It must be between {low} and {high}.")
    return value


def required(params, name):
    value = params.get(name)
    if value is None or value == "":
        raise missing(name)
    return value


def indexed(params, name):
    """`Name.1`, `Name.2` ... in index order."""
    found = []
    prefix = name + "."
    for key, value in params.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            found.append((int(key[len(prefix):]), value))
    return [value for _, value in sorted(found)]


def tags(params, name="Tag"):
    """`Tag.N.Key` / `Tag.N.Value` pairs in index order; a missing value is the empty string."""
    entries = {}
    prefix = name + "."
    for key, value in params.items():
        if not key.startswith(prefix):
            continue
        index, _, field = key[len(prefix):].partition(".")
        if index.isdigit() and field in ("Key", "Value", "key", "value"):
            entries.setdefault(int(index), {})[field.lower()] = value
    return [(entry.get("key"), entry.get("value", "")) for _, entry in sorted(entries.items())]


def json_list(params, name, limit=None):
    """A list sent as a JSON array string (`InstanceIds=["i-1","i-2"]`); the loose `[i-1,i-2]` form is accepted."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        stripped = raw.strip().strip("[]")
        value = [v.strip().strip('"') for v in stripped.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "It must be a JSON array of strings.")
    if limit is not None and len(value) > limit:
        raise ApiError(400, "InvalidParameter", f'The specified parameter "{name}" is not valid: '
                                                f"at most {limit} items are allowed, got {len(value)}.")
    return value


def page(params, items, default_size=10, max_size=100):
    """PageNumber/PageSize paging; returns (items on the page, page fields for the response)."""
    number = integer(params, "PageNumber", 1, 1, None)
    size = integer(params, "PageSize", default_size, 1, max_size)
    start = (number - 1) * size
    return items[start:start + size], {"TotalCount": len(items), "PageNumber": number, "PageSize": size}
