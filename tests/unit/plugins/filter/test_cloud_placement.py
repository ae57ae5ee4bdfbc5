import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.cloud_placement import (
    POD_SPEC_PATHS, TOLERATION, FilterModule, cloud_placement)

SELECTOR = {"alibabacloud.com/is-edge-worker": "false", "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux"}
POD_SPEC = {"containers": [{"name": "app", "image": "nginx"}]}


def manifest(kind):
    body = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}}
    if kind == "Pod":
        body["spec"] = copy.deepcopy(POD_SPEC)
    elif kind == "PodTemplate":
        body["template"] = {"spec": copy.deepcopy(POD_SPEC)}
    elif kind == "CronJob":
        body["spec"] = {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": copy.deepcopy(POD_SPEC)}}}}
    else:
        body["spec"] = {"template": {"spec": copy.deepcopy(POD_SPEC)}}
    return body


def pod_spec(body):
    node = body
    for key in POD_SPEC_PATHS[body["kind"]]:
        node = node[key]
    return node


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_every_workload_kind_gets_the_selector_and_toleration(kind):
    original = manifest(kind)
    placed = cloud_placement(original)
    spec = pod_spec(placed)
    assert spec["nodeSelector"] == SELECTOR
    assert spec["tolerations"] == [TOLERATION]
    assert spec["containers"] == POD_SPEC["containers"]
    assert "nodeSelector" not in pod_spec(original)  # the input is not modified


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_applying_twice_gives_the_same_result(kind):
    once = cloud_placement(manifest(kind))
    assert cloud_placement(once) == once


def test_existing_selectors_and_tolerations_are_kept_without_duplicates():
    body = manifest("Deployment")
    spec = pod_spec(body)
    spec["nodeSelector"] = {"team": "ops", "beta.kubernetes.io/arch": "arm64"}
    spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "mgmt", "effect": "NoSchedule"},
                           {"key": "node-role.alibabacloud.com/addon", "operator": "Exists"}]
    placed = pod_spec(cloud_placement(body))
    assert placed["nodeSelector"] == {"team": "ops", "beta.kubernetes.io/arch": "arm64",
                                      "alibabacloud.com/is-edge-worker": "false", "beta.kubernetes.io/os": "linux"}
    assert placed["tolerations"] == spec["tolerations"]  # an effect-less Exists toleration already covers it


def test_a_toleration_for_another_effect_does_not_count():
    body = manifest("Pod")
    body["spec"]["tolerations"] = [{"key": "node-role.alibabacloud.com/addon", "operator": "Exists",
                                    "effect": "NoExecute"}]
    assert len(cloud_placement(body)["spec"]["tolerations"]) == 2


def test_stable_labels_and_other_architectures():
    spec = pod_spec(cloud_placement(manifest("DaemonSet"), stable_labels=True, arch="arm64"))
    assert spec["nodeSelector"] == {"alibabacloud.com/is-edge-worker": "false", "kubernetes.io/arch": "arm64",
                                    "kubernetes.io/os": "linux"}


def test_other_kinds_pass_through_and_lists_keep_their_shape():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}}
    placed = cloud_placement([service, manifest("Deployment"), config])
    assert placed[0] == service and placed[2] == config
    assert pod_spec(placed[1])["nodeSelector"] == SELECTOR
    assert FilterModule().filters()["cloud_placement"] is cloud_placement


def test_missing_template_is_created_and_bad_input_is_refused():
    assert pod_spec(cloud_placement({"kind": "Deployment", "metadata": {"name": "x"}}))["tolerations"] == [TOLERATION]
    with pytest.raises(AnsibleFilterError, match="expects a manifest"):
        cloud_placement("kind: Deployment")
    with pytest.raises(AnsibleFilterError, match="not a mapping"):
        cloud_placement({"kind": "Pod", "spec": ["oops"]})


# Issue 10 item 8: the holes the filter had.
def test_empty_documents_from_a_trailing_separator_are_dropped():
    import yaml

    documents = list(yaml.safe_load_all("kind: Pod\nmetadata: {name: x}\nspec: {}\n---\n"))
    assert documents[-1] is None
    placed = cloud_placement(documents)
    assert len(placed) == 1 and placed[0]["spec"]["nodeSelector"] == SELECTOR


@pytest.mark.parametrize("kind", ["ReplicationController", "PodTemplate"])
def test_every_kind_that_describes_pods_is_pinned(kind):
    spec = pod_spec(cloud_placement(manifest(kind)))
    assert spec["nodeSelector"] == SELECTOR and spec["tolerations"] == [TOLERATION]


def test_the_items_of_a_list_are_pinned():
    listed = {"apiVersion": "v1", "kind": "List", "items": [manifest("Deployment"), None, manifest("Job")]}
    placed = cloud_placement(listed)
    assert [pod_spec(i)["nodeSelector"] for i in placed["items"]] == [SELECTOR, SELECTOR]
    assert "nodeSelector" not in pod_spec(listed["items"][0])


def test_a_typed_list_gives_its_kind_to_items_without_one():
    item = manifest("Deployment")
    del item["kind"], item["apiVersion"]
    placed = cloud_placement({"apiVersion": "apps/v1", "kind": "DeploymentList", "items": [item]})["items"][0]
    assert placed["kind"] == "Deployment" and placed["apiVersion"] == "apps/v1"
    assert pod_spec(placed)["nodeSelector"] == SELECTOR


@pytest.mark.parametrize("value", ["true", "", True, "yes"])
def test_a_conflicting_cloud_selector_fails_naming_the_manifest_and_the_key(value):
    body = manifest("Deployment")
    body["metadata"]["namespace"] = "ops"
    pod_spec(body)["nodeSelector"] = {"alibabacloud.com/is-edge-worker": value}
    for wrapped in (body, [body], {"kind": "List", "items": [body]}):
        with pytest.raises(AnsibleFilterError, match="Deployment/ops/x .*alibabacloud.com/is-edge-worker") as caught:
            cloud_placement(wrapped)
        assert "allow_conflicting_selector" in str(caught.value)


def test_a_conflicting_cloud_selector_is_kept_when_allowed():
    body = manifest("Pod")
    body["spec"]["nodeSelector"] = {"alibabacloud.com/is-edge-worker": "true"}
    placed = cloud_placement(body, allow_conflicting_selector=True)
    assert placed["spec"]["nodeSelector"]["alibabacloud.com/is-edge-worker"] == "true"
    assert placed["spec"]["tolerations"] == [TOLERATION]


def test_an_unquoted_false_selector_becomes_the_string_the_api_wants():
    body = manifest("Pod")
    body["spec"]["nodeSelector"] = {"alibabacloud.com/is-edge-worker": False}
    assert cloud_placement(body)["spec"]["nodeSelector"] == SELECTOR
