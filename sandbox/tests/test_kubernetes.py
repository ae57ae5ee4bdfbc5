"""The per-cluster Kubernetes API through standard clients: kubectl, the kubernetes Python client (typed and
dynamic) and kubernetes.core, plus the placement the sandbox's scheduler does."""

import json
import os
import subprocess
import sys
import time

import pytest
from alibabacloud_cs20151215 import models as cm
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from conftest import EDGE, PASSWORD, wait_for
from helpers import run, wait_running

CLOUD_NODE_LABEL = "alibabacloud.com/is-edge-worker"
TAINT_KEY = "node-role.alibabacloud.com/addon"


def deployment(name, replicas=2, placed=False, image="nginx:1.25"):
    spec = {"containers": [{"name": "app", "image": image,
                            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}
    if placed:
        spec["nodeSelector"] = {CLOUD_NODE_LABEL: "false"}
        spec["tolerations"] = [{"key": TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def nodes_by_role(api):
    found = client.CoreV1Api(api).list_node().items
    return ({n.metadata.name for n in found if n.metadata.labels.get(CLOUD_NODE_LABEL) == "false"},
            {n.metadata.name for n in found if n.metadata.labels.get(CLOUD_NODE_LABEL) == "true"})


def pods_of(api, app):
    return client.CoreV1Api(api).list_namespaced_pod("default", label_selector=f"app={app}").items


def test_cluster_starts_with_cloud_and_edge_nodes_and_management_apps(kube):
    api = kube.client()
    core = client.CoreV1Api(api)
    cloud, edge = nodes_by_role(api)
    assert len(cloud) == 1 and len(edge) == 3
    cloud_node = core.read_node(next(iter(cloud)))
    assert [(t.key, t.effect) for t in cloud_node.spec.taints] == [(TAINT_KEY, "NoSchedule")]
    assert cloud_node.spec.provider_id.startswith("cn-hangzhou.i-")
    assert any(c.type == "Ready" and c.status == "True" for c in cloud_node.status.conditions)
    system = {p.metadata.name.rsplit("-", 2)[0]: p.spec.node_name for p in core.list_namespaced_pod("kube-system").items
              if p.metadata.owner_references[0].kind == "ReplicaSet"}
    assert {"metrics-server", "yurt-app-manager", "alibaba-log-controller"} <= set(system)
    assert set(system.values()) == cloud  # management apps run on the cloud node only


def test_scheduler_places_by_selector_taint_and_toleration(kube):
    api = kube.client()
    apps = client.AppsV1Api(api)
    cloud, edge = nodes_by_role(api)
    apps.create_namespaced_deployment("default", deployment("placed", 3, placed=True))
    apps.create_namespaced_deployment("default", deployment("plain", 3))
    wait_for(lambda: len(pods_of(api, "placed")) == 3 and all(p.status.phase == "Running" for p in pods_of(api, "placed")))
    assert {p.spec.node_name for p in pods_of(api, "placed")} <= cloud
    wait_for(lambda: all(p.status.phase == "Running" for p in pods_of(api, "plain")) and pods_of(api, "plain"))
    assert {p.spec.node_name for p in pods_of(api, "plain")} <= edge
    # Only the cloud selector, without the toleration: nothing fits, the pods stay Pending with the reason.
    stuck = deployment("stuck", 1, placed=True)
    del stuck["spec"]["template"]["spec"]["tolerations"]
    apps.create_namespaced_deployment("default", stuck)
    pod = wait_for(lambda: next((p for p in pods_of(api, "stuck") if p.status.conditions), None))
    condition = next(c for c in pod.status.conditions if c.type == "PodScheduled")
    assert pod.status.phase == "Pending" and condition.reason == "Unschedulable"
    assert "untolerated taint {node-role.alibabacloud.com/addon: }" in condition.message
    assert "didn't match Pod's node affinity/selector" in condition.message
    status = apps.read_namespaced_deployment("stuck", "default").status
    assert not status.available_replicas
    events = client.CoreV1Api(api).list_namespaced_event("default", field_selector=f"involvedObject.name={pod.metadata.name}")
    assert [e.reason for e in events.items] == ["FailedScheduling"]


def test_attached_nodes_join_with_label_and_taint_and_leave_when_removed(sb, kube):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 1)
    wait_running(ecs, ids)
    api = kube.client()
    core = client.CoreV1Api(api)
    task = cs.attach_instances(EDGE, cm.AttachInstancesRequest(instances=ids, password=PASSWORD)).body.task_id
    wait_for(lambda: cs.describe_task_info(task).body.state == "success")
    node = wait_for(lambda: next((n for n in core.list_node().items if n.spec.provider_id == f"cn-hangzhou.{ids[0]}"),
                                 None))
    assert node.metadata.labels[CLOUD_NODE_LABEL] == "false"
    assert TAINT_KEY in [t.key for t in node.spec.taints]
    wait_for(lambda: any(c.type == "Ready" and c.status == "True" for c in core.read_node(node.metadata.name).status.conditions))
    assert "node.kubernetes.io/not-ready" not in [t.key for t in core.read_node(node.metadata.name).spec.taints]
    name = node.metadata.name
    removal = cs.delete_cluster_nodes(EDGE, cm.DeleteClusterNodesRequest(nodes=[name], drain_node=True)).body.task_id
    assert wait_for(lambda: core.read_node(name).spec.unschedulable)  # cordoned while it drains
    wait_for(lambda: cs.describe_task_info(removal).body.state == "success")
    wait_for(lambda: name not in [n.metadata.name for n in core.list_node().items])


def test_faults_node_without_taint_and_not_ready(sb, kube):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 2)
    wait_running(ecs, ids)
    sb.faults({"kind": "taint_missing", "times": 1}, {"kind": "not_ready", "seconds": 3, "times": 1})
    task = cs.attach_instances(EDGE, cm.AttachInstancesRequest(instances=ids, password=PASSWORD)).body.task_id
    wait_for(lambda: cs.describe_task_info(task).body.state == "success")
    core = client.CoreV1Api(kube.client())
    node = wait_for(lambda: next((n for n in core.list_node().items if n.spec.provider_id == f"cn-hangzhou.{ids[0]}"),
                                 None))
    assert TAINT_KEY not in [t.key for t in node.spec.taints or []]
    assert not any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)
    time.sleep(1.5)
    node = core.read_node(node.metadata.name)
    assert not any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)  # still NotReady
    wait_for(lambda: any(c.type == "Ready" and c.status == "True"
                         for c in core.read_node(node.metadata.name).status.conditions), timeout=10)


def test_typed_client_crud_errors_and_watch(kube):
    api = kube.client()
    core = client.CoreV1Api(api)
    made = core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="cfg"), data={"a": "1"}))
    assert made.metadata.uid and made.metadata.resource_version and made.metadata.creation_timestamp
    with pytest.raises(ApiException) as caught:
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cfg")))
    assert (caught.value.status, caught.value.reason) == (409, "Conflict")
    assert json.loads(caught.value.body)["reason"] == "AlreadyExists"
    made.data["b"] = "2"
    core.replace_namespaced_config_map("cfg", "default", made)
    with pytest.raises(ApiException) as caught:
        core.replace_namespaced_config_map("cfg", "default", made)  # stale resourceVersion
    assert json.loads(caught.value.body)["reason"] == "Conflict"
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_config_map("nope", "default")
    assert (caught.value.status, caught.value.reason) == (404, "Not Found")
    with pytest.raises(ApiException) as caught:
        core.create_namespaced_pod("default", {"metadata": {"name": "bad"}, "spec": {"containers": []}})
    assert caught.value.status == 422 and json.loads(caught.value.body)["details"]["causes"][0]["field"] == \
        "spec.containers"
    with pytest.raises(ApiException) as caught:
        core.create_namespaced_config_map("nowhere", {"metadata": {"name": "x"}})
    assert caught.value.status == 404 and json.loads(caught.value.body)["message"] == 'namespaces "nowhere" not found'
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.patch_namespaced_config_map("cfg", "default", {"data": {"a": None, "c": "3"}})
    events = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(
        core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=1)]
    assert events == [("MODIFIED", "cfg")]
    assert core.read_namespaced_config_map("cfg", "default").data == {"b": "2", "c": "3"}
    unchanged = core.patch_namespaced_config_map("cfg", "default", {"data": {"b": "2"}})
    assert unchanged.metadata.resource_version == core.read_namespaced_config_map("cfg", "default").metadata.resource_version


def test_strategic_merge_and_dry_run(kube):
    api = kube.client()
    apps = client.AppsV1Api(api)
    body = deployment("smp", 1)
    body["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    apps.create_namespaced_deployment("default", body)
    generation = apps.read_namespaced_deployment("smp", "default").metadata.generation
    apps.patch_namespaced_deployment("smp", "default", {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "app"}],
        "containers": [{"name": "app", "image": "nginx:1.26"}, {"$patch": "delete", "name": "side"}],
        "tolerations": [{"key": "a", "operator": "Exists"}]}}}})
    after = apps.read_namespaced_deployment("smp", "default")
    assert [(c.name, c.image) for c in after.spec.template.spec.containers] == [("app", "nginx:1.26")]
    assert after.spec.template.spec.containers[0].resources.requests == {"cpu": "100m", "memory": "64Mi"}
    assert after.metadata.generation == generation + 1
    dry = apps.patch_namespaced_deployment("smp", "default", {"spec": {"replicas": 5}}, dry_run="All")
    assert dry.spec.replicas == 5 and apps.read_namespaced_deployment("smp", "default").spec.replicas == 1
    apps.create_namespaced_deployment("default", deployment("dry", 1), dry_run="All")
    with pytest.raises(ApiException):
        apps.read_namespaced_deployment("dry", "default")


def test_dynamic_client_discovery(kube):
    dyn = DynamicClient(kube.client())
    pods = dyn.resources.get(api_version="v1", kind="Pod")
    assert set(pods.subresources) >= {"eviction", "status"}
    deploys = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert "scale" in deploys.subresources
    names = [d.metadata.name for d in deploys.get(namespace="kube-system").items]
    assert "metrics-server" in names


def test_eviction_respects_disruption_budgets(kube):
    api = kube.client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    apps.create_namespaced_deployment("default", deployment("guarded", 1))
    wait_for(lambda: [p for p in pods_of(api, "guarded") if p.status.phase == "Running"])
    client.PolicyV1Api(api).create_namespaced_pod_disruption_budget("default", {
        "metadata": {"name": "guard"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}})
    pod = pods_of(api, "guarded")[0]
    wait_for(lambda: client.PolicyV1Api(api).read_namespaced_pod_disruption_budget("guard", "default").status)
    with pytest.raises(ApiException) as caught:
        core.create_namespaced_pod_eviction(pod.metadata.name, "default", {"metadata": {"name": pod.metadata.name}})
    assert (caught.value.status, caught.value.reason) == (429, "Too Many Requests")


def test_namespace_deletion_cascades(kube):
    api = kube.client()
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": "team"}})
    apps.create_namespaced_deployment("team", dict(deployment("t", 1), metadata={"name": "t", "namespace": "team"}))
    wait_for(lambda: core.list_namespaced_pod("team").items)
    core.delete_namespace("team")
    wait_for(lambda: "team" not in [n.metadata.name for n in core.list_namespace().items])
    assert core.list_namespaced_pod("team").items == []


def test_kubectl_get_describe_apply_taint_drain_rollout(kube, tmp_path):
    kubectl = kube.kubectl
    out = kubectl("get", "nodes").stdout
    assert out.split("\n")[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert out.count("Ready") == 4
    assert "Taints:             node-role.alibabacloud.com/addon:NoSchedule" in kubectl(
        "describe", "node", "-l", f"{CLOUD_NODE_LABEL}=false").stdout
    manifest = tmp_path / "web.json"
    manifest.write_text(json.dumps(deployment("kweb", 2)))
    assert "created" in kubectl("apply", "-f", str(manifest)).stdout
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/kweb", "--timeout=30s").stdout
    assert "unchanged" in kubectl("apply", "-f", str(manifest)).stdout
    manifest.write_text(json.dumps(deployment("kweb", 2, image="nginx:1.26")))
    assert "configured" in kubectl("apply", "-f", str(manifest)).stdout
    assert "successfully rolled out" in kubectl("rollout", "status", "deploy/kweb", "--timeout=30s").stdout
    assert "nginx:1.26" in kubectl("get", "deploy", "kweb", "-o", "wide").stdout
    kubectl("scale", "deploy/kweb", "--replicas=3")
    kubectl("wait", "--for=condition=Available", "deploy/kweb", "--timeout=30s")
    pods = json.loads(kubectl("get", "pods", "-l", "app=kweb", "-o", "json").stdout)["items"]
    assert len(pods) == 3
    node = pods[0]["spec"]["nodeName"]
    kubectl("taint", "node", node, "dedicated=gpu:NoSchedule")
    assert "dedicated=gpu:NoSchedule" in kubectl("describe", "node", node).stdout
    kubectl("taint", "node", node, "dedicated-")
    drained = kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s")
    assert "drained" in drained.stdout
    assert "SchedulingDisabled" in kubectl("get", "node", node).stdout
    assert node not in kubectl("get", "pods", "-l", "app=kweb", "-o", "wide").stdout
    kubectl("uncordon", node)
    assert "SchedulingDisabled" not in kubectl("get", "node", node).stdout
    assert "kweb" in kubectl("get", "all").stdout


def test_kubernetes_core_modules(kube, tmp_path):
    collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
    if not any(os.path.isdir(os.path.join(p, "ansible_collections", "kubernetes", "core"))
               for p in collections.split(os.pathsep) if p):
        pytest.skip("kubernetes.core is not on ANSIBLE_COLLECTIONS_PATH (make test provides it)")
    playbook = tmp_path / "k8s.yml"
    definition = deployment("ans", 2)
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars": {"ansible_python_interpreter": sys.executable},
        "module_defaults": {"group/kubernetes.core.k8s": {"kubeconfig": kube.kubeconfig}},
        "tasks": [
            {"kubernetes.core.k8s": {"definition": definition}, "check_mode": True, "register": "check"},
            {"kubernetes.core.k8s": {"definition": definition, "wait": True, "wait_timeout": 60}, "register": "made"},
            {"kubernetes.core.k8s": {"definition": definition, "wait": True}, "register": "again"},
            {"kubernetes.core.k8s_info": {"kind": "Pod", "namespace": "default",
                                          "label_selectors": ["app in (ans)"]}, "register": "pods"},
            {"kubernetes.core.k8s_taint": {"name": "edge-node-3", "taints": [{"key": "d", "value": "g",
                                                                              "effect": "NoSchedule"}]},
             "register": "tainted"},
            {"kubernetes.core.k8s_taint": {"name": "edge-node-3", "taints": [{"key": "d", "value": "g",
                                                                              "effect": "NoSchedule"}]},
             "register": "tainted_again"},
            {"kubernetes.core.k8s_drain": {"name": "edge-node-3", "delete_options": {
                "ignore_daemonsets": True, "force": True, "wait_timeout": 30}}, "register": "drained"},
            {"ansible.builtin.assert": {"that": [
                "check is changed", "made is changed", "again is not changed",
                "made.result.status.readyReplicas == 2", "pods.resources | length == 2",
                "tainted is changed", "tainted_again is not changed", "drained is changed"]}},
        ]}]))
    env = dict(os.environ, HOME=kube.home, ANSIBLE_LOCALHOST_WARNING="False", K8S_AUTH_KUBECONFIG=kube.kubeconfig)
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                             str(playbook)], capture_output=True, text=True, env=env, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr


def test_objects_survive_a_restart(tmp_path):
    from conftest import Kube, SandboxProcess
    box = SandboxProcess(str(tmp_path / "state"), "--quiet").start()
    config = box.cs().describe_cluster_user_kubeconfig(EDGE, cm.DescribeClusterUserKubeconfigRequest()).body.config
    (tmp_path / "kubeconfig").write_text(config)
    kube = Kube(str(tmp_path / "kubeconfig"), str(tmp_path))
    client.CoreV1Api(kube.client()).create_namespaced_config_map("default", {"metadata": {"name": "kept"}})
    assert box.stop() == 0
    box = SandboxProcess(str(tmp_path / "state"), "--quiet").start()
    try:  # same ports, same token: the old kubeconfig still works
        assert client.CoreV1Api(kube.client()).read_namespaced_config_map("kept", "default").metadata.name == "kept"
    finally:
        assert box.stop() == 0
