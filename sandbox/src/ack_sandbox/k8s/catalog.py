"""The resource types each sandbox cluster serves, and the discovery and OpenAPI documents built from them."""

import hashlib
import json

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
# Kinds whose `spec` changes bump metadata.generation.
SPEC_KINDS = {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod", "Service",
              "PodDisruptionBudget", "Node", "Namespace"}


class Resource:
    def __init__(self, group, version, plural, kind, namespaced, short=(), categories=(), subresources=(),
                 singular=None):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.categories = list(categories)
        self.subresources = list(subresources)  # (name, group, version, kind, verbs)
        self.singular = singular or kind.lower()

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self):
        return self.api_version

    @property
    def qualified(self):
        """`deployments.apps`, or `pods` for the core group, as real error messages name resources."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


STATUS = ("status", None, None, None, ["get", "patch", "update"])


def _scale(group):
    return ("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"])


RESOURCES = [
    Resource("", "v1", "namespaces", "Namespace", False, ["ns"], subresources=[STATUS]),
    Resource("", "v1", "nodes", "Node", False, ["no"], subresources=[STATUS]),
    Resource("", "v1", "pods", "Pod", True, ["po"], ["all"], [
        STATUS, ("eviction", "policy", "v1", "Eviction", ["create"]), ("log", None, None, "Pod", ["get"])]),
    Resource("", "v1", "services", "Service", True, ["svc"], ["all"], [STATUS]),
    Resource("", "v1", "configmaps", "ConfigMap", True, ["cm"]),
    Resource("", "v1", "secrets", "Secret", True),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"]),
    Resource("", "v1", "events", "Event", True, ["ev"]),
    Resource("", "v1", "endpoints", "Endpoints", True, ["ep"], singular="endpoints"),
    Resource("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["all"], [STATUS, _scale("apps")]),
    Resource("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["all"], [STATUS]),
    Resource("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["all"], [STATUS, _scale("apps")]),
    Resource("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["all"], [STATUS, _scale("apps")]),
    Resource("batch", "v1", "jobs", "Job", True, [], ["all"], [STATUS]),
    Resource("batch", "v1", "cronjobs", "CronJob", True, ["cj"], ["all"], [STATUS]),
    Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], subresources=[STATUS]),
    Resource("coordination.k8s.io", "v1", "leases", "Lease", True),
    Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
    Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
    Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
]

BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_KIND = {(r.api_version, r.kind): r for r in RESOURCES}
GROUPS = []  # (group, version) in first-seen order, core first
for _r in RESOURCES:
    if (_r.group, _r.version) not in GROUPS:
        GROUPS.append((_r.group, _r.version))


def _resources_of(group, version):
    return [r for r in RESOURCES if (r.group, r.version) == (group, version)]


# -- legacy discovery -------------------------------------------------------------------------------------------
def api_versions(server_address):
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group_entry(group):
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for g, v in GROUPS if g == group]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list():
    groups = []
    for group, _version in GROUPS:
        if group and group not in [g["name"] for g in groups]:
            groups.append(_group_entry(group))
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group):
    if not any(g == group for g, _v in GROUPS if g):
        return None
    return dict(_group_entry(group), kind="APIGroup", apiVersion="v1")


def api_resource_list(group, version):
    found = _resources_of(group, version)
    if not found:
        return None
    items = []
    for r in found:
        entry = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                 "verbs": ALL_VERBS}
        if r.short:
            entry["shortNames"] = r.short
        if r.categories:
            entry["categories"] = r.categories
        items.append(entry)
        for name, sgroup, sversion, skind, verbs in r.subresources:
            sub = {"name": f"{r.plural}/{name}", "singularName": "", "namespaced": r.namespaced,
                   "kind": skind or r.kind, "verbs": verbs}
            if sgroup:
                sub["group"], sub["version"] = sgroup, sversion
            items.append(sub)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": items}


# -- aggregated discovery ---------------------------------------------------------------------------------------
def _aggregated_resource(r):
    entry = {"resource": r.plural, "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
             "scope": "Namespaced" if r.namespaced else "Cluster", "singularResource": r.singular,
             "verbs": ALL_VERBS}
    if r.short:
        entry["shortNames"] = r.short
    if r.categories:
        entry["categories"] = r.categories
    subs = []
    for name, sgroup, sversion, skind, verbs in r.subresources:
        subs.append({"subresource": name, "verbs": verbs, "responseKind": {
            "group": r.group if sgroup is None else sgroup, "version": r.version if sversion is None else sversion,
            "kind": skind or r.kind}})
    if subs:
        entry["subresources"] = subs
    return entry


def aggregated(core, api_version):
    items = []
    for group, version in GROUPS:
        if bool(group) == core:
            continue
        entry = {"metadata": {"creationTimestamp": None},
                 "versions": [{"version": version, "freshness": "Current",
                               "resources": [_aggregated_resource(r) for r in _resources_of(group, version)]}]}
        if group:
            entry["metadata"]["name"] = group
        items.append(entry)
    return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items}


# -- OpenAPI v3: just enough for kubectl apply's validation probe ------------------------------------------------
def _gv_path(group, version):
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_document(group, version):
    paths = {}
    for r in _resources_of(group, version):
        prefix = "/" + _gv_path(group, version)
        path = f"{prefix}/namespaces/{{namespace}}/{r.plural}/{{name}}" if r.namespaced else f"{prefix}/{r.plural}/{{name}}"
        paths[path] = {"patch": {
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": r.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                           {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                           {"name": "fieldManager", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"}, "paths": paths,
            "components": {"schemas": {}}}


def _hash(group, version):
    return hashlib.sha256(json.dumps(openapi_document(group, version), sort_keys=True).encode()).hexdigest()[:16].upper()


def openapi_index():
    return {"paths": {_gv_path(g, v): {"serverRelativeURL": f"/openapi/v3/{_gv_path(g, v)}?hash={_hash(g, v)}"}
                      for g, v in GROUPS}}
