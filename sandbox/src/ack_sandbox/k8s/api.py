"""The Kubernetes API of one sandbox cluster: discovery, OpenAPI, CRUD with patches and dry runs, subresources
(status, scale, eviction, log), Table output and watches."""

import copy
import json
import time

import yaml

from . import catalog, patch, tables
from .objects import (NAMESPACES, NODES, PDBS, PODS, KubeError, deleting, drop_nulls_in_lists, pod_defaults,
                      suffix, validate, workload_defaults)
from .selectors import matches_fields, matches_labels, parse_fields, parse_labels
from .store import not_found, rfc3339

JSON = "application/json"
VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-aliyun.1", "gitCommit": "0" * 40,
           "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
           "platform": "linux/amd64"}
SCALABLE = {"Deployment", "StatefulSet", "ReplicaSet"}


class Reply:
    """What to send: a JSON body with a status, a text body, or a watch stream to run outside the lock."""

    def __init__(self, status=200, body=None, content_type=JSON, stream=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.stream = stream


def not_found_url():
    return KubeError(404, "NotFound", "the server could not find the requested resource")


def parse_path(path):
    """(resource, namespace, name, subresource) for a resource URL, or None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and (group, version, rest[2]) in catalog.BY_PATH:
        namespace, rest = rest[1], rest[2:]
    if not rest:
        return None
    resource = catalog.BY_PATH.get((group, version, rest[0]))
    if resource is None:
        return None
    if resource.namespaced is False and namespace is not None:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if len(rest) > 3:
        return None
    return resource, namespace, name, sub


def _body(raw, content_type):
    if not raw:
        return None
    kind = (content_type or "").split(";")[0].strip()
    if kind == "application/vnd.kubernetes.protobuf" or raw[:4] == b"k8s\x00":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError:
            raise KubeError(400, "BadRequest", "the request body is not valid JSON or YAML")


def _scale(obj):
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items()))}}


def success_status(resource, obj):
    details = {"name": obj["metadata"]["name"], "kind": resource.plural, "uid": obj["metadata"].get("uid")}
    if resource.group:
        details["group"] = resource.group
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


class ClusterApi:
    def __init__(self, state):
        self.state = state
        self.store = state.store
        self.world = state.world

    # -- entry --------------------------------------------------------------------------------------------
    def handle(self, method, path, query, headers, raw, host):
        accept = headers.get("accept", "")
        if path == "/version" or path == "/version/":
            return Reply(body=dict(VERSION))
        if path in ("/api", "/apis", "/api/", "/apis/"):
            return self._discovery_root(path.strip("/"), accept, host)
        if path.startswith("/openapi/"):
            return self._openapi(path)
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] in ("api", "apis") and (len(parts) == 2 and parts[0] == "api" or
                                                      len(parts) in (2, 3) and parts[0] == "apis"):
            return self._discovery_group(parts)
        parsed = parse_path(path)
        if parsed is None:
            raise not_found_url()
        resource, namespace, name, sub = parsed
        dry = "All" in query.get("dryRun", [])
        body = _body(raw, headers.get("content-type"))
        if method == "GET":
            return self._get(resource, namespace, name, sub, query, accept)
        if method == "POST":
            if name and sub == "eviction":
                return self._evict(namespace, name, body, dry)
            if name:
                raise KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                                         "resource")
            return self._create(resource, namespace, body, query, dry)
        if method == "PUT":
            return self._replace(resource, namespace, name, sub, body, dry)
        if method == "PATCH":
            return self._patch(resource, namespace, name, sub, body, headers.get("content-type"), query, dry)
        if method == "DELETE":
            if name:
                return self._delete(resource, namespace, name, body, query, dry)
            return self._delete_collection(resource, namespace, query, dry)
        raise KubeError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    # -- discovery ----------------------------------------------------------------------------------------
    def _discovery_root(self, which, accept, host):
        for version in ("v2", "v2beta1"):
            if f"as=APIGroupDiscoveryList" in accept and f"v={version};" in accept.replace(" ", "") + ";":
                body = catalog.aggregated(core=(which != "api"), api_version=f"apidiscovery.k8s.io/{version}")
                return Reply(body=body, content_type=f"application/json;g=apidiscovery.k8s.io;v={version};"
                                                     "as=APIGroupDiscoveryList")
        if which == "api":
            return Reply(body=catalog.api_versions(host))
        return Reply(body=catalog.api_group_list())

    def _discovery_group(self, parts):
        if parts[0] == "api":
            found = catalog.api_resource_list("", parts[1])
        elif len(parts) == 2:
            found = catalog.api_group(parts[1])
        else:
            found = catalog.api_resource_list(parts[1], parts[2])
        if found is None:
            raise not_found_url()
        return Reply(body=found)

    def _openapi(self, path):
        if path.rstrip("/") == "/openapi/v3":
            return Reply(body=catalog.openapi_index())
        if path.startswith("/openapi/v3/"):
            gv = path[len("/openapi/v3/"):].strip("/").split("/")
            if gv[0] == "api" and len(gv) == 2:
                return Reply(body=catalog.openapi_document("", gv[1]))
            if gv[0] == "apis" and len(gv) == 3:
                return Reply(body=catalog.openapi_document(gv[1], gv[2]))
        raise not_found_url()

    # -- reads --------------------------------------------------------------------------------------------
    def _matching(self, resource, namespace, query):
        labels = parse_labels((query.get("labelSelector") or [""])[0])
        fields = parse_fields((query.get("fieldSelector") or [""])[0])
        return labels, fields, [o for o in self.store.list(resource, namespace)
                                if matches_labels(labels, o) and matches_fields(fields, o)]

    def _get(self, resource, namespace, name, sub, query, accept):
        now = self.world.now()
        if name is None:
            labels, fields, items = self._matching(resource, namespace, query)
            if (query.get("watch") or [""])[0] in ("true", "1"):
                return Reply(stream=Watch(self, resource, namespace, labels, fields, query, "as=Table" in accept))
            rv = str(self.store.rv)
            if "as=Table" in accept:
                include = (query.get("includeObject") or ["Metadata"])[0]
                return Reply(body=tables.table(resource.kind, items, rv, now, include))
            return Reply(body={"kind": f"{resource.kind}List", "apiVersion": resource.api_version,
                               "metadata": {"resourceVersion": rv}, "items": items})
        obj = self.store.must_get(resource, namespace, name)
        if sub == "scale" and resource.kind in SCALABLE:
            return Reply(body=_scale(obj))
        if sub == "log" and resource is PODS:
            containers = [c["name"] for c in obj["spec"].get("containers") or []]
            wanted = (query.get("container") or containers[:1])[0]
            return Reply(body=f"{rfc3339(now)} sandbox: container {wanted} of pod {name} runs no real process\n"
                         .encode(), content_type="text/plain")
        if sub not in (None, "status"):
            raise not_found_url()
        if "as=Table" in accept and sub is None:
            include = (query.get("includeObject") or ["Metadata"])[0]
            return Reply(body=tables.table(resource.kind, [obj], str(self.store.rv), now, include))
        return Reply(body=obj)

    # -- writes -------------------------------------------------------------------------------------------
    def _check_namespace(self, resource, namespace):
        if resource.namespaced:
            found = self.store.get(NAMESPACES, None, namespace)
            if found is None:
                raise KubeError(404, "NotFound", f'namespaces "{namespace}" not found',
                                {"name": namespace, "kind": "namespaces"})
            if deleting(found):
                raise KubeError(403, "Forbidden", f'{resource.plural} is forbidden: unable to create new content in '
                                                  f'namespace {namespace} because it is being terminated')

    def _prepare(self, resource, namespace, body):
        if not isinstance(body, dict):
            raise KubeError(400, "BadRequest", "the request body must be an object")
        obj = drop_nulls_in_lists(copy.deepcopy(body))
        if obj.get("kind") and obj["kind"] != resource.kind:
            raise KubeError(400, "BadRequest", f"the body is a {obj['kind']}, the URL names {resource.plural}")
        if obj.get("apiVersion") and obj["apiVersion"] != resource.api_version:
            raise KubeError(400, "BadRequest", f"the body is {obj['apiVersion']}, the URL names "
                                               f"{resource.api_version}")
        obj["apiVersion"], obj["kind"] = resource.api_version, resource.kind
        meta = obj.setdefault("metadata", {})
        if resource.namespaced:
            if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                raise KubeError(400, "BadRequest", "the namespace of the provided object does not match the "
                                                   "namespace sent on the request")
            meta["namespace"] = namespace or meta.get("namespace") or "default"
        return obj

    def _create(self, resource, namespace, body, query, dry, status=201):
        if resource is NODES:
            pass  # nodes join through the cloud side, but kubectl may still create them
        obj = self._prepare(resource, namespace, body)
        meta = obj["metadata"]
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + suffix()
            else:
                raise KubeError(422, "Invalid", f"{resource.kind} \"\" is invalid: metadata.name: Required value: "
                                                "name or generateName is required",
                                {"kind": resource.kind, "causes": [{"reason": "FieldValueRequired",
                                                                    "message": "Required value",
                                                                    "field": "metadata.name"}]})
        self._check_namespace(resource, meta.get("namespace"))
        if resource is PODS:
            pod_defaults(obj)
        else:
            workload_defaults(obj)
        if resource is NAMESPACES:
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = {"phase": "Active"}
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
        validate(resource, obj)
        now = self.world.now()
        if dry:
            if self.store.get(resource, meta.get("namespace"), meta["name"]) is not None:
                raise KubeError(409, "AlreadyExists", f'{resource.qualified} "{meta["name"]}" already exists',
                                {"name": meta["name"], "kind": resource.plural})
            meta.update(uid="00000000-0000-0000-0000-000000000000", creationTimestamp=rfc3339(now),
                        resourceVersion=str(self.store.rv))
            return Reply(status, obj)
        created = self.store.create(resource, obj, now)
        self.state.reconcile(now)
        return Reply(status, self.store.get(resource, meta.get("namespace"), meta["name"]) or created)

    def _store(self, resource, new, old, dry):
        validate(resource, new)
        if dry:
            return Reply(200, new)
        stored = self.store.update(resource, new, old)
        self.state.reconcile(self.world.now())
        meta = stored["metadata"]
        return Reply(200, self.store.get(resource, meta.get("namespace"), meta["name"]) or stored)

    def _conflict_check(self, resource, name, wanted_rv, old):
        if wanted_rv and wanted_rv != old["metadata"].get("resourceVersion"):
            raise KubeError(409, "Conflict", f'Operation cannot be fulfilled on {resource.qualified} "{name}": the '
                                             "object has been modified; please apply your changes to the latest "
                                             "version and try again", {"name": name, "kind": resource.plural})

    def _replace(self, resource, namespace, name, sub, body, dry):
        old = self.store.must_get(resource, namespace, name)
        if sub == "scale" and resource.kind in SCALABLE:
            new = copy.deepcopy(old)
            new["spec"]["replicas"] = ((body or {}).get("spec") or {}).get("replicas", 0)
            reply = self._store(resource, new, old, dry)
            reply.body = _scale(reply.body)
            return reply
        obj = self._prepare(resource, namespace, body)
        if obj["metadata"].get("name") not in (None, name):
            raise KubeError(400, "BadRequest", "the name of the object does not match the name on the URL")
        obj["metadata"]["name"] = name
        self._conflict_check(resource, name, obj["metadata"].get("resourceVersion"), old)
        if sub == "status":
            new = copy.deepcopy(old)
            new["status"] = obj.get("status", {})
        elif sub is None:
            new = obj
            if "status" in old:
                new["status"] = old["status"]
            if resource is PODS:
                new = pod_defaults(new)
            else:
                workload_defaults(new)
        else:
            raise not_found_url()
        return self._store(resource, new, old, dry)

    def _patch(self, resource, namespace, name, sub, body, content_type, query, dry):
        kind = (content_type or "").split(";")[0].strip()
        old = self.store.get(resource, namespace, name)
        if kind.startswith("application/apply-patch"):
            if not query.get("fieldManager"):
                raise KubeError(400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager")
            if old is None:
                body = dict(body or {})
                body.setdefault("metadata", {})["name"] = name
                return self._create(resource, namespace, body, query, dry)
        if old is None:
            raise not_found(resource, name)
        if sub == "scale" and resource.kind in SCALABLE:
            scaled = patch.apply(content_type, _scale(old), body, "Scale")
            new = copy.deepcopy(old)
            new["spec"]["replicas"] = (scaled.get("spec") or {}).get("replicas", 0)
            reply = self._store(resource, new, old, dry)
            reply.body = _scale(reply.body)
            return reply
        if sub not in (None, "status"):
            raise not_found_url()
        patched = drop_nulls_in_lists(patch.apply(content_type, copy.deepcopy(old), body, resource.kind))
        if not isinstance(patched, dict):
            raise KubeError(422, "Invalid", "the patch did not produce an object")
        body_meta = body.get("metadata") if isinstance(body, dict) else None
        self._conflict_check(resource, name, (body_meta or {}).get("resourceVersion"), old)
        patched["metadata"]["resourceVersion"] = old["metadata"].get("resourceVersion")
        if sub == "status":
            new = copy.deepcopy(old)
            new["status"] = patched.get("status", {})
        else:
            new = patched
            if "status" in old and resource is not NAMESPACES:
                new["status"] = old["status"]
        return self._store(resource, new, old, dry)

    def _delete(self, resource, namespace, name, body, query, dry):
        obj = self.store.must_get(resource, namespace, name)
        options = body if isinstance(body, dict) else {}
        if dry or "All" in (options.get("dryRun") or []):
            return Reply(200, obj if resource is PODS else success_status(resource, obj))
        grace = options.get("gracePeriodSeconds", (query.get("gracePeriodSeconds") or [None])[0])
        now = self.world.now()
        if resource is NAMESPACES:
            if not deleting(obj):
                new = copy.deepcopy(obj)
                new["metadata"]["deletionTimestamp"] = rfc3339(now)
                new["status"] = {"phase": "Terminating"}
                obj = self.store.update(resource, new, obj)
            self.state.reconcile(now)
            return Reply(200, self.store.get(resource, None, name) or obj)
        if resource is PODS:
            immediate = grace is not None and int(grace) == 0
            self.state.controllers.delete_pod(obj, now, immediately=immediate)
            self.state.reconcile(now)
            current = self.store.get(resource, namespace, name)
            return Reply(200, current or obj)
        self.state.controllers.delete_object(resource, obj, now)
        self.state.reconcile(now)
        current = self.store.get(resource, namespace, name)
        return Reply(200, current if current is not None else success_status(resource, obj))

    def _delete_collection(self, resource, namespace, query, dry):
        _labels, _fields, items = self._matching(resource, namespace, query)
        if not dry:
            now = self.world.now()
            for obj in items:
                if resource is PODS:
                    self.state.controllers.delete_pod(obj, now)
                else:
                    self.state.controllers.delete_object(resource, obj, now)
            self.state.reconcile(now)
        return Reply(200, {"kind": f"{resource.kind}List", "apiVersion": resource.api_version,
                           "metadata": {"resourceVersion": str(self.store.rv)}, "items": items})

    def _evict(self, namespace, name, body, dry):
        pod = self.store.must_get(PODS, namespace, name)
        options = (body or {}).get("deleteOptions") or {}
        done = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
        if dry or "All" in (options.get("dryRun") or []):
            return Reply(201, done)
        for pdb in self.store.list(PDBS, namespace):
            selector = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            labels = pod["metadata"].get("labels") or {}
            if selector and all(labels.get(k) == v for k, v in selector.items()):
                status = pdb.get("status") or {}
                if status.get("disruptionsAllowed", 0) <= 0:
                    raise KubeError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                                                            "disruption budget.",
                                    {"causes": [{"reason": "DisruptionBudget", "message": (
                                        f"The disruption budget {pdb['metadata']['name']} needs "
                                        f"{status.get('desiredHealthy', 0)} healthy pods and has "
                                        f"{status.get('currentHealthy', 0)} currently")}]})
        now = self.world.now()
        self.state.controllers.delete_pod(pod, now)
        self.state.reconcile(now)
        return Reply(201, done)


class Watch:
    """A watch request, run outside the world lock: replays history, then streams new events."""

    def __init__(self, api, resource, namespace, labels, fields, query, as_table):
        self.api = api
        self.resource = resource
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.as_table = as_table
        self.rv = (query.get("resourceVersion") or [""])[0]
        self.timeout = min(float((query.get("timeoutSeconds") or ["1800"])[0]), 3600)
        self.bookmarks = (query.get("allowWatchBookmarks") or [""])[0] == "true"
        self.name = None
        for field in (query.get("fieldSelector") or [""])[0].split(","):
            if field.startswith("metadata.name="):
                self.name = field.split("=", 1)[1]

    def _wanted(self, resource, obj):
        if resource is not self.resource:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return matches_labels(self.labels, obj) and matches_fields(self.fields, obj)

    def _render(self, event, obj, first):
        if self.as_table:
            obj = tables.table(self.resource.kind, [obj], obj["metadata"].get("resourceVersion", ""),
                               self.api.world.now(), "Metadata", columns=first)
        return {"type": event, "object": obj}

    def run(self, send):
        """`send(event dict)` writes one event; returns False once the client is gone."""
        store, world = self.api.store, self.api.world
        deadline = time.time() + self.timeout
        first = True
        with world.lock:
            if self.rv in ("", "0"):
                pending = [("ADDED", self.resource, copy.deepcopy(o)) for o in store.list(self.resource, self.namespace)
                           if self._wanted(self.resource, o)]
                last = store.rv
            else:
                events = store.events_after(int(self.rv))
                if events is None:
                    send({"type": "ERROR", "object": {
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": f"too old resource version: {self.rv} ({store.rv})", "reason": "Expired",
                        "code": 410}})
                    return
                pending = [(e, r, o) for _rv, e, r, o in events if self._wanted(r, o)]
                last = store.rv
        while True:
            for event, _resource, obj in pending:
                if not send(self._render(event, obj, first)):
                    return
                first = False
            if time.time() >= deadline:
                return
            self.api.state.kube.wait_for_change(min(1.0, deadline - time.time()))
            with world.lock:
                events = store.events_after(last)
                if events is None:
                    return
                pending = [(e, r, o) for _rv, e, r, o in events if self._wanted(r, o)]
                last = store.rv
            if not pending and self.bookmarks and int(time.time()) % 60 == 0:
                send({"type": "BOOKMARK", "object": {"kind": self.resource.kind, "apiVersion":
                                                     self.resource.api_version,
                                                     "metadata": {"resourceVersion": str(last)}}})


def query_of(pairs):
    """Decoded query pairs as {name: [values]}."""
    found = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found
