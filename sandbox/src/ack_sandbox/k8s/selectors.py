"""Label and field selectors, as the API server parses them."""

import re

from .objects import KubeError


def _split(text):
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


SET_RE = re.compile(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$")
EQ_RE = re.compile(r"^([^\s!=]+)\s*(==|=|!=)\s*(.*)$")


def parse_labels(text):
    """A list of predicates over a labels dict."""
    if not text:
        return []
    predicates = []
    for part in _split(text):
        match = SET_RE.match(part)
        if match:
            key, op, values = match.group(1), match.group(2), {v.strip() for v in match.group(3).split(",")}
            if op == "in":
                predicates.append(lambda labels, k=key, vs=values: labels.get(k) in vs)
            else:
                predicates.append(lambda labels, k=key, vs=values: labels.get(k) not in vs)
            continue
        match = EQ_RE.match(part)
        if match:
            key, op, value = match.group(1), match.group(2), match.group(3).strip()
            if op == "!=":
                predicates.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                predicates.append(lambda labels, k=key, v=value: labels.get(k) == v)
            continue
        if part.startswith("!"):
            predicates.append(lambda labels, k=part[1:].strip(): k not in labels)
            continue
        if re.match(r"^[A-Za-z0-9./_-]+$", part):
            predicates.append(lambda labels, k=part: k in labels)
            continue
        raise KubeError(400, "BadRequest", f"unable to parse requirement: {part!r}")
    return predicates


def matches_labels(predicates, obj):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(p(labels) for p in predicates)


def field_value(obj, path):
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


SUPPORTED_FIELDS = {"metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "spec.unschedulable",
                    "involvedObject.name", "involvedObject.namespace", "involvedObject.kind", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                    "reason", "type", "source", "spec.restartPolicy", "spec.schedulerName",
                    "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName", "spec.hostNetwork",
                    "status.successful", "type", "spec.signerName"}


def parse_fields(text):
    if not text:
        return []
    predicates = []
    for part in _split(text):
        match = EQ_RE.match(part)
        if not match:
            raise KubeError(400, "BadRequest", f"invalid field selector: {part!r}")
        path, op, value = match.group(1), match.group(2), match.group(3).strip()
        if path not in SUPPORTED_FIELDS:
            raise KubeError(400, "BadRequest", f"field label not supported: {path}")
        if op == "!=":
            predicates.append(lambda obj, f=path, v=value: field_value(obj, f) != v)
        else:
            predicates.append(lambda obj, f=path, v=value: field_value(obj, f) == v)
    return predicates


def matches_fields(predicates, obj):
    return all(p(obj) for p in predicates)
