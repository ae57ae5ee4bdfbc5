"""Helpers for Kubernetes objects: errors, resources by name, tolerations, quantities, defaults."""

import copy
import random
import string

from ..errors import ApiError
from . import catalog


class KubeError(ApiError):
    """An error the API server answers with a Status object."""

    def __init__(self, status, reason, message, details=None):
        super().__init__(status, reason, message)
        self.details = details or {}

    def status_object(self):
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": self.message,
                "reason": self.code, "details": self.details, "code": self.status}


def res(group, plural, version="v1"):
    return catalog.BY_PATH[(group, version, plural)]


NODES = res("", "nodes")
PODS = res("", "pods")
NAMESPACES = res("", "namespaces")
SERVICES = res("", "services")
SERVICEACCOUNTS = res("", "serviceaccounts")
EVENTS = res("", "events")
DEPLOYMENTS = res("apps", "deployments")
REPLICASETS = res("apps", "replicasets")
DAEMONSETS = res("apps", "daemonsets")
STATEFULSETS = res("apps", "statefulsets")
JOBS = res("batch", "jobs")
CRONJOBS = res("batch", "cronjobs")
LEASES = res("coordination.k8s.io", "leases")
PDBS = res("policy", "poddisruptionbudgets")

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")


def suffix(length=5):
    return "".join(random.SystemRandom().choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(length))


def meta(obj):
    return obj.setdefault("metadata", {})


def name_of(obj):
    return obj["metadata"]["name"]


def deleting(obj):
    return bool(obj["metadata"].get("deletionTimestamp"))


def owner_ref(owner):
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def owned_by(obj, owner):
    uid = owner["metadata"]["uid"]
    return any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])


def controller_of(obj):
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


# -- taints and tolerations ------------------------------------------------------------------------------------
def tolerates(toleration, taint):
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    operator = toleration.get("operator") or "Equal"
    if not toleration.get("key"):
        return operator == "Exists"
    if toleration["key"] != taint.get("key"):
        return False
    return operator == "Exists" or (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated(taints, tolerations, effects=("NoSchedule", "NoExecute")):
    return [t for t in taints or [] if t.get("effect") in effects
            and not any(tolerates(tol, t) for tol in tolerations or [])]


# -- quantities --------------------------------------------------------------------------------------------------
UNITS = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
         "m": 1e-3}


def quantity(value):
    if value is None:
        return 0.0
    text = str(value).strip()
    for unit, factor in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(unit):
            try:
                return float(text[:-len(unit)]) * factor
            except ValueError:
                return 0.0
    try:
        return float(text)
    except ValueError:
        return 0.0


def requests(pod):
    cpu = memory = 0.0
    for container in (pod.get("spec") or {}).get("containers") or []:
        wanted = (container.get("resources") or {}).get("requests") or {}
        cpu += quantity(wanted.get("cpu"))
        memory += quantity(wanted.get("memory"))
    return cpu, memory


# -- node selection ---------------------------------------------------------------------------------------------
def _expression_matches(expr, labels):
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        try:
            number = int(labels.get(key))
        except (TypeError, ValueError):
            return False
        return number > int(values[0]) if op == "Gt" else number < int(values[0])
    return False


def selects_node(pod_spec, node):
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    required = ((((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                 .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or [])
    if required and not any(all(_expression_matches(e, labels) for e in term.get("matchExpressions") or [])
                            for term in required):
        return False
    return True


def node_ready(node):
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


# -- defaults applied on create ---------------------------------------------------------------------------------
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def default_pod_spec(spec):
    spec = copy.deepcopy(spec or {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    for container in spec.get("containers") or []:
        container.setdefault("imagePullPolicy", "Always" if str(container.get("image", "")).endswith(":latest")
                             or ":" not in str(container.get("image", "")) else "IfNotPresent")
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
    return spec


def pod_defaults(pod):
    spec = default_pod_spec(pod.get("spec"))
    tolerations = spec.setdefault("tolerations", [])
    for default in DEFAULT_TOLERATIONS:
        if not any(t.get("key") == default["key"] and t.get("effect") == default["effect"] for t in tolerations):
            tolerations.append(dict(default))
    pod["spec"] = spec
    pod.setdefault("status", {"phase": "Pending", "qosClass": "BestEffort"})
    return pod


def template_defaults(obj):
    template = (obj.get("spec") or {}).get("template")
    if isinstance(template, dict):
        template["spec"] = default_pod_spec(template.get("spec"))
        template.setdefault("metadata", {})
    return obj


def workload_defaults(obj):
    kind = obj.get("kind")
    spec = obj.setdefault("spec", {})
    if kind == "Deployment":
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("strategy", {"type": "RollingUpdate",
                                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
    elif kind in ("ReplicaSet", "StatefulSet"):
        spec.setdefault("replicas", 1)
        if kind == "StatefulSet":
            spec.setdefault("podManagementPolicy", "OrderedReady")
            spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    elif kind == "DaemonSet":
        spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                           "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
    elif kind == "Job":
        spec.setdefault("completions", 1)
        spec.setdefault("parallelism", 1)
        spec.setdefault("backoffLimit", 6)
        template = spec.get("template") or {}
        template.setdefault("spec", {}).setdefault("restartPolicy", "Never")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
        template_defaults(obj)
    return obj


def validate(resource, obj):
    """The checks a real API server makes that matter to clients here; raises 422 Invalid."""
    kind = resource.kind
    causes = []

    def need(condition, field, message="Required value", reason="FieldValueRequired"):
        if not condition:
            causes.append({"reason": reason, "message": message, "field": field})

    name = obj["metadata"].get("name")
    if kind == "Pod":
        containers = (obj.get("spec") or {}).get("containers")
        need(containers, "spec.containers")
        for index, container in enumerate(containers or []):
            need(container.get("name"), f"spec.containers[{index}].name")
            need(container.get("image"), f"spec.containers[{index}].image")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        spec = obj.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels")
        need(spec.get("selector"), "spec.selector")
        template = spec.get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        containers = (template.get("spec") or {}).get("containers")
        need(containers, "spec.template.spec.containers")
        if selector and any(labels.get(k) != v for k, v in selector.items()):
            causes.append({"reason": "FieldValueInvalid", "field": "spec.template.metadata.labels",
                           "message": f"Invalid value: {labels!r}: `selector` does not match template `labels`"})
    if kind in ("Job", "CronJob"):
        template = ((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec", {}).get("template") \
            if kind == "CronJob" else (obj.get("spec") or {}).get("template")
        need(((template or {}).get("spec") or {}).get("containers"),
             "spec.jobTemplate.spec.template.spec.containers" if kind == "CronJob" else "spec.template.spec.containers")
        if kind == "CronJob":
            need((obj.get("spec") or {}).get("schedule"), "spec.schedule")
    if causes:
        text = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
        raise KubeError(422, "Invalid", f'{kind} "{name}" is invalid: {text}',
                        {"name": name, "group": resource.group, "kind": kind, "causes": causes})


def drop_nulls_in_lists(value):
    """Typed clients send list elements with snake_case nulls (`time_added: null`); real servers drop them."""
    if isinstance(value, dict):
        return {k: drop_nulls_in_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [{k: drop_nulls_in_lists(v) for k, v in item.items() if v is not None and not ("_" in k and k.islower())}
                if isinstance(item, dict) else drop_nulls_in_lists(item) for item in value]
    return value
