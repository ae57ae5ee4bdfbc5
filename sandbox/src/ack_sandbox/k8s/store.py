"""One cluster's Kubernetes objects: in memory, written through to the sandbox database, with a watch history."""

import collections
import copy
import datetime
import uuid

from . import catalog
from .objects import KubeError

HISTORY = 20000


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text):
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    try:
        return datetime.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def _spec_part(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _comparable(obj):
    found = copy.deepcopy(obj)
    meta = found.get("metadata") or {}
    for key in ("resourceVersion", "generation", "managedFields"):
        meta.pop(key, None)
    return found


def not_found(resource, name):
    details = {"name": name, "kind": resource.plural}
    if resource.group:
        details["group"] = resource.group
    return KubeError(404, "NotFound", f'{resource.qualified} "{name}" not found', details)


class Store:
    def __init__(self, world, cluster_id, notify):
        self.world = world
        self.cid = cluster_id
        self.notify = notify
        self.objects = collections.defaultdict(dict)  # (apiVersion, kind) -> {(namespace, name): obj}
        self.history = collections.deque(maxlen=HISTORY)  # (rv, type, resource, obj)
        prefix = cluster_id + "|"
        for oid, obj in world.tables.get("k8s", {}).items():
            if oid.startswith(prefix):
                meta = obj["metadata"]
                self.objects[(obj["apiVersion"], obj["kind"])][(meta.get("namespace") or "", meta["name"])] = obj
        counter = world.get("k8s_rv", cluster_id)
        self.rv = counter["rv"] if counter else 1000
        self.first_rv = self.rv  # watches from before this process started cannot be resumed

    # -- reads ------------------------------------------------------------------------------------------------
    def get(self, resource, namespace, name):
        return self.objects[(resource.api_version, resource.kind)].get((namespace or "", name))

    def must_get(self, resource, namespace, name):
        found = self.get(resource, namespace, name)
        if found is None:
            raise not_found(resource, name)
        return found

    def list(self, resource, namespace=None):
        items = self.objects[(resource.api_version, resource.kind)]
        found = [o for (ns, _n), o in items.items() if namespace is None or ns == namespace]
        return sorted(found, key=lambda o: ((o["metadata"].get("namespace") or ""), o["metadata"]["name"]))

    # -- writes -----------------------------------------------------------------------------------------------
    def _key(self, obj):
        meta = obj["metadata"]
        return f"{self.cid}|{obj['apiVersion']}|{obj['kind']}|{meta.get('namespace') or ''}|{meta['name']}"

    def _bump(self, obj):
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self.world.put("k8s_rv", self.cid, {"id": self.cid, "rv": self.rv})
        return self.rv

    def _record(self, event, resource, obj):
        self.history.append((self.rv, event, resource, copy.deepcopy(obj)))
        self.notify()

    def create(self, resource, obj, now):
        meta = obj.setdefault("metadata", {})
        obj["apiVersion"], obj["kind"] = resource.api_version, resource.kind
        if self.get(resource, meta.get("namespace"), meta["name"]) is not None:
            details = {"name": meta["name"], "kind": resource.plural}
            if resource.group:
                details["group"] = resource.group
            raise KubeError(409, "AlreadyExists", f'{resource.qualified} "{meta["name"]}" already exists', details)
        for key in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "managedFields"):
            meta.pop(key, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = rfc3339(now)
        if resource.kind in catalog.SPEC_KINDS:
            meta["generation"] = 1
        if not resource.namespaced:
            meta.pop("namespace", None)
        self._bump(obj)
        self.objects[(resource.api_version, resource.kind)][(meta.get("namespace") or "", meta["name"])] = obj
        self.world.put("k8s", self._key(obj), obj)
        self._record("ADDED", resource, obj)
        return obj

    def update(self, resource, obj, old):
        """Store a changed object; an unchanged one keeps its resourceVersion and makes no event."""
        obj["apiVersion"], obj["kind"] = resource.api_version, resource.kind
        meta = obj["metadata"]
        for key in ("uid", "creationTimestamp", "name", "namespace"):
            if key in old["metadata"]:
                meta[key] = old["metadata"][key]
        if "generation" in old["metadata"]:
            meta["generation"] = old["metadata"]["generation"]
        if _comparable(obj) == _comparable(old):
            return old
        if resource.kind in catalog.SPEC_KINDS and _spec_part(obj) != _spec_part(old):
            meta["generation"] = old["metadata"].get("generation", 0) + 1
        self._bump(obj)
        self.objects[(resource.api_version, resource.kind)][(meta.get("namespace") or "", meta["name"])] = obj
        self.world.put("k8s", self._key(obj), obj)
        self._record("MODIFIED", resource, obj)
        return obj

    def remove(self, resource, obj):
        meta = obj["metadata"]
        self.objects[(resource.api_version, resource.kind)].pop((meta.get("namespace") or "", meta["name"]), None)
        self.world.delete("k8s", self._key(obj))
        gone = copy.deepcopy(obj)
        self._bump(gone)
        self._record("DELETED", resource, gone)
        return gone

    def events_after(self, rv):
        """Events newer than rv, or None when the history no longer reaches back that far."""
        if rv < self.first_rv or (self.history and rv < self.history[0][0] - 1 and len(self.history) == HISTORY):
            return None
        return [e for e in self.history if e[0] > rv]
