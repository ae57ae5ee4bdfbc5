"""Server-side Table output, rendered like a real API server so `kubectl get` shows its usual columns."""

import datetime


def age(created, now):
    """kubectl's human duration: 45s, 3m10s, 25m, 5h3m, 3d."""
    if not created:
        return "<unknown>"
    try:
        then = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    seconds = max(0, int(now - then.timestamp()))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y"


def _col(name, priority=0, fmt="", kind="string", description=""):
    return {"name": name, "type": kind, "format": fmt, "description": description or name, "priority": priority}


def _condition(obj, kind):
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return cond.get("status")
    return None


def _node(obj, now):
    ready = "Ready" if _condition(obj, "Ready") == "True" else "NotReady"
    if (obj.get("spec") or {}).get("unschedulable"):
        ready += ",SchedulingDisabled"
    labels = obj["metadata"].get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/"))
    info = (obj.get("status") or {}).get("nodeInfo") or {}
    addresses = {a["type"]: a["address"] for a in (obj.get("status") or {}).get("addresses") or []}
    return [obj["metadata"]["name"], ready, ",".join(roles) or "<none>", age(obj["metadata"].get("creationTimestamp"), now),
            info.get("kubeletVersion", ""), addresses.get("InternalIP", "<none>"), addresses.get("ExternalIP", "<none>"),
            info.get("osImage", ""), info.get("kernelVersion", ""), info.get("containerRuntimeVersion", "")]


NODE_COLUMNS = [_col("Name", fmt="name"), _col("Status"), _col("Roles"), _col("Age"), _col("Version"),
                _col("Internal-IP", 1), _col("External-IP", 1), _col("OS-Image", 1), _col("Kernel-Version", 1),
                _col("Container-Runtime", 1)]


def _pod(obj, now):
    status = obj.get("status") or {}
    containers = (obj.get("spec") or {}).get("containers") or []
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    phase = status.get("phase", "Pending")
    shown = phase
    if obj["metadata"].get("deletionTimestamp"):
        shown = "Terminating"
    elif phase == "Pending" and (obj.get("spec") or {}).get("nodeName"):
        shown = "ContainerCreating"
    elif phase == "Succeeded":
        shown = "Completed"
    restarts = sum(s.get("restartCount", 0) for s in statuses)
    return [obj["metadata"]["name"], f"{ready}/{len(containers)}", shown, str(restarts),
            age(obj["metadata"].get("creationTimestamp"), now), status.get("podIP") or "<none>",
            (obj.get("spec") or {}).get("nodeName") or "<none>", "<none>", "<none>"]


POD_COLUMNS = [_col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts", kind="string"), _col("Age"),
               _col("IP", 1), _col("Node", 1), _col("Nominated Node", 1), _col("Readiness Gates", 1)]


def _images(obj):
    spec = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {})
    containers = spec.get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _selector(obj):
    labels = (((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _deployment(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _images(obj)
    return [obj["metadata"]["name"], f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            str(status.get("updatedReplicas", 0)), str(status.get("availableReplicas", 0)),
            age(obj["metadata"].get("creationTimestamp"), now), names, images, _selector(obj)]


DEPLOYMENT_COLUMNS = [_col("Name", fmt="name"), _col("Ready"), _col("Up-to-date", kind="integer"),
                      _col("Available", kind="integer"), _col("Age"), _col("Containers", 1), _col("Images", 1),
                      _col("Selector", 1)]


def _daemonset(obj, now):
    status = obj.get("status") or {}
    names, images = _images(obj)
    node_selector = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    return [obj["metadata"]["name"], str(status.get("desiredNumberScheduled", 0)),
            str(status.get("currentNumberScheduled", 0)), str(status.get("numberReady", 0)),
            str(status.get("updatedNumberScheduled", 0)), str(status.get("numberAvailable", 0)),
            ",".join(f"{k}={v}" for k, v in sorted(node_selector.items())) or "<none>",
            age(obj["metadata"].get("creationTimestamp"), now), names, images, _selector(obj)]


DAEMONSET_COLUMNS = [_col("Name", fmt="name"), _col("Desired", kind="integer"), _col("Current", kind="integer"),
                     _col("Ready", kind="integer"), _col("Up-to-date", kind="integer"),
                     _col("Available", kind="integer"), _col("Node Selector"), _col("Age"), _col("Containers", 1),
                     _col("Images", 1), _col("Selector", 1)]


def _replicaset(obj, now):
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _images(obj)
    return [obj["metadata"]["name"], str(spec.get("replicas", 1)), str(status.get("replicas", 0)),
            str(status.get("readyReplicas", 0)), age(obj["metadata"].get("creationTimestamp"), now), names, images,
            _selector(obj)]


REPLICASET_COLUMNS = [_col("Name", fmt="name"), _col("Desired", kind="integer"), _col("Current", kind="integer"),
                      _col("Ready", kind="integer"), _col("Age"), _col("Containers", 1), _col("Images", 1),
                      _col("Selector", 1)]


def _namespace(obj, now):
    return [obj["metadata"]["name"], (obj.get("status") or {}).get("phase", "Active"),
            age(obj["metadata"].get("creationTimestamp"), now)]


NAMESPACE_COLUMNS = [_col("Name", fmt="name"), _col("Status"), _col("Age")]


def _default(obj, now):
    return [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp")]


DEFAULT_COLUMNS = [_col("Name", fmt="name"), _col("Created At", kind="date")]

RENDERERS = {"Node": (NODE_COLUMNS, _node), "Pod": (POD_COLUMNS, _pod),
             "Deployment": (DEPLOYMENT_COLUMNS, _deployment), "DaemonSet": (DAEMONSET_COLUMNS, _daemonset),
             "ReplicaSet": (REPLICASET_COLUMNS, _replicaset), "Namespace": (NAMESPACE_COLUMNS, _namespace)}


def partial_metadata(obj):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table(kind, objects, resource_version, now, include="Metadata", columns=True):
    column_defs, render = RENDERERS.get(kind, (DEFAULT_COLUMNS, _default))
    rows = []
    for obj in objects:
        row = {"cells": render(obj, now)}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = partial_metadata(obj)
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": column_defs if columns else [], "rows": rows}
