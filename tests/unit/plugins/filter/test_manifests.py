import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.manifest_documents import manifest_documents
from ansible_collections.ack_edge.cloud_nodes.plugins.filter.match_tags import match_tags
from ansible_collections.ack_edge.cloud_nodes.plugins.filter.pod_placement import pod_placement

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "op"}}


def test_documents_keep_the_items_order_and_skip_empty_documents():
    items = [{"file": "a.yml"}, {"definition": DEPLOY}, {"template": "b.yml.j2"}]
    files = {"a.yml": "kind: Namespace\nmetadata: {name: ops}\n---\n"}
    templates = {"b.yml.j2": "kind: Service\nmetadata: {name: s}\n---\nkind: ConfigMap\nmetadata: {name: c}\n"}
    kinds = [d["kind"] for d in manifest_documents(items, files, templates)]
    assert kinds == ["Namespace", "Deployment", "Service", "ConfigMap"]


@pytest.mark.parametrize("items, message", [
    ([{"file": "a.yml", "definition": DEPLOY}], "exactly one of"),
    ([{}], "exactly one of"),
    ([{"file": "bad.yml"}], "not valid YAML"),
    ([{"definition": {"metadata": {}}}], "without a kind"),
])
def test_bad_items_name_addons_manifests(items, message):
    with pytest.raises(AnsibleFilterError, match=message) as caught:
        manifest_documents(items, {"bad.yml": "a: [1"}, {})
    assert "addons_manifests" in str(caught.value)


def test_pod_placement_counts_pods_on_cloud_nodes():
    results = [{"item": DEPLOY, "resources": [{"spec": {"nodeName": "cloud-1"}}, {"spec": {"nodeName": "edge-1"}}]}]
    assert pod_placement(results, [{"metadata": {"name": "cloud-1"}}]) == [
        {"workload": "Deployment/op", "pods": 2, "on_cloud_nodes": 1}]


def test_match_tags_is_the_one_spelling():
    assert match_tags("c1") == {"cloud-nodes/cluster": "c1", "cloud-nodes/role": "management"}
    with pytest.raises(AnsibleFilterError, match="cloud_nodes_cluster_id"):
        match_tags("")


def test_release_plan_is_ecs_instances_own_order():
    from ansible_collections.ack_edge.cloud_nodes.plugins.filter.release_plan import release_plan
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._ecs_instance import plan

    instances = [{"instance_id": f"i-{n}", "status": status, "creation_time": "2026-12-01T10:05Z",
                  "instance_name": f"cloud-node-00{n}", "tags": tags}
                 for n, status, tags in ((1, "Running", {"ack.aliyun.com": "c1"}), (2, "Stopped", {}),
                                         (3, "Running", {"ack.aliyun.com": "c1"}), (4, "Running", {"ack.aliyun.com": "c1"}))]
    params = {"state": "present", "exact_count": 1, "tags": None, "match_tags": {"k": "v"}, "purge_tags": False}
    assert release_plan(instances, 1) == plan(instances, params)["release"] == ["i-2", "i-4", "i-3"]
    assert release_plan(instances, 4) == [] and release_plan(instances, "9") == []
    with pytest.raises(AnsibleFilterError, match="whole number"):
        release_plan(instances, "two")


def test_a_list_document_is_replaced_by_its_items():
    # Issue 10 item 8: a List went to the cloud_placement filter and to kubernetes.core whole, so nothing in it
    # was pinned, waited for or checked.
    text = ("apiVersion: v1\nkind: List\nitems:\n- {kind: Service, metadata: {name: s}}\n- null\n"
            "- {apiVersion: v1, kind: List, items: [{kind: Pod, metadata: {name: p}}]}\n---\n"
            "apiVersion: apps/v1\nkind: DeploymentList\nitems: [{metadata: {name: d}}]\n---\n")
    documents = manifest_documents([{"file": "l.yml"}], {"l.yml": text})
    assert [(d["kind"], d["metadata"]["name"]) for d in documents] == [("Service", "s"), ("Pod", "p"),
                                                                       ("Deployment", "d")]
    assert documents[2]["apiVersion"] == "apps/v1"


@pytest.mark.parametrize("items, message", [
    ([{"kind": "List", "items": [{"metadata": {"name": "x"}}]}], r"item 1 \(definition\), in its List, holds a"),
    ([{"kind": "List", "items": ["oops"]}], "not a mapping"),
])
def test_bad_list_items_name_addons_manifests(items, message):
    with pytest.raises(AnsibleFilterError, match=message) as caught:
        manifest_documents([{"definition": items}])
    assert str(caught.value).startswith("addons_manifests: item 1")
