"""PATCH bodies: strategic merge (with the merge keys and directives kubectl relies on), JSON merge, JSON patch."""

import copy

import jsonpatch

from .objects import KubeError

MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "imagePullSecrets": "name", "resourceClaims": "name", "volumeMounts": "mountPath",
    "volumeDevices": "devicePath", "conditions": "type", "addresses": "type", "ownerReferences": "uid",
    "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
}
PRIMITIVE_SETS = {"finalizers"}


def _merge_key(path, field, kind):
    if field == "ports":
        return "port" if kind == "Service" and path[-2:] == ["spec", "ports"] else "containerPort"
    return MERGE_KEYS.get(field)


def strip(value):
    """Drop `$` directives and nulls inside list elements before storing."""
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def strategic_merge(original, patch, kind="", path=None):
    path = path or []
    if not isinstance(patch, dict):
        return strip(patch)
    if patch.get("$patch") == "replace":
        return strip({k: v for k, v in patch.items() if k != "$patch"})
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    orders, retain = {}, None
    for key, value in patch.items():
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
        elif key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
        elif key == "$retainKeys":
            retain = set(value)
        elif key.startswith("$"):
            continue
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = strategic_merge(result.get(key), value, kind, path + [key])
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, kind, path + [key], key)
        else:
            result[key] = value
    for field, order in orders.items():
        if isinstance(result.get(field), list):
            result[field] = _order(result[field], order, _merge_key(path + [field], field, kind))
    if retain is not None:
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(original, patch, kind, path, field):
    original = original if isinstance(original, list) else []
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [strip(i) for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")]
    if field in PRIMITIVE_SETS:
        return original + [v for v in patch if v not in original]
    key = _merge_key(path, field, kind)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return strip(patch)
    result = copy.deepcopy(original)
    for item in patch:
        if item.get("$patch") == "delete":
            result = [r for r in result if not (isinstance(r, dict) and r.get(key) == item.get(key))]
            continue
        for index, existing in enumerate(result):
            if isinstance(existing, dict) and existing.get(key) == item.get(key):
                result[index] = strategic_merge(existing, item, kind, path)
                break
        else:
            result.append(strip(item))
    return result


def _order(items, order, key):
    if not key:
        return items
    rank = {entry.get(key): n for n, entry in enumerate(order) if isinstance(entry, dict)}
    return sorted(items, key=lambda i: rank.get(i.get(key) if isinstance(i, dict) else None, len(rank)))


def merge_patch(original, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(original, operations):
    try:
        return jsonpatch.apply_patch(original, operations)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise KubeError(422, "Invalid", f"the JSON patch could not be applied: {exc}")


def apply(content_type, original, body, kind):
    """The patched object for a PATCH request, by its Content-Type."""
    kind_of = (content_type or "application/strategic-merge-patch+json").split(";")[0].strip()
    if kind_of == "application/json-patch+json" or isinstance(body, list):
        return json_patch(original, body)
    if kind_of == "application/merge-patch+json":
        return merge_patch(original, body)
    if kind_of in ("application/strategic-merge-patch+json", "application/apply-patch+yaml",
                   "application/apply-patch+cbor", "application/json"):
        return strategic_merge(original, body, kind)
    raise KubeError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted "
                                                f"media types include: application/json-patch+json, "
                                                f"application/merge-patch+json, application/apply-patch+yaml, "
                                                f"application/strategic-merge-patch+json")
