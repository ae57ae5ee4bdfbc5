import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.preflight import preflight, preflight_variables

GOOD = {
    "cloud_nodes_count": 2, "purchase_wait_timeout": 900, "purchase_vswitch_ids": [], "purchase_security_group_ids": [],
    "purchase_instance_type": "ecs.g6.large", "purchase_instance_name": "cloud-node-[1,3]", "purchase_tags": {},
    "purchase_max_create": 20,
    "attach_password": "Fleet-Node-Pa55", "attach_key_pair": "", "attach_wait_timeout": 1800, "attach_tags": {},
    "taints_mode": "enforce", "taints_required_labels": {"alibabacloud.com/is-edge-worker": "false"},
    "taints_required_taints": [{"key": "node-role.alibabacloud.com/addon", "effect": "NoSchedule"}],
    "taints_wait_timeout": 600, "addons_wait_timeout": 600, "addons_managed": [], "addons_manifests": [],
}
ALL = ["purchase", "attach", "taints", "addons"]


def test_good_settings_pass_and_the_names_cover_every_rule():
    assert preflight(GOOD, ALL) == []
    assert preflight_variables(ALL) == sorted(GOOD)


@pytest.mark.parametrize("change, expected", [
    ({"attach_password": "weakpassword"}, "attach_password: must contain at least three of"),
    ({"attach_password": ""}, "attach_password: set exactly one of attach_password (from a vault) and attach_key_pair, "
                              "not neither"),
    ({"attach_key_pair": "kp"}, "attach_password: set exactly one of attach_password (from a vault) and "
                                "attach_key_pair, not both"),
    ({"attach_password": 'Quote"Pa55'}, "attach_password: may contain only"),
    ({"cloud_nodes_count": 0}, "cloud_nodes_count: must be at least 1 (got 0)"),
    ({"cloud_nodes_count": "two"}, "cloud_nodes_count: must be a whole number"),
    ({"purchase_vswitch_ids": "vsw-1"}, "purchase_vswitch_ids: must be a list of IDs"),
    ({"purchase_instance_name": "1-bad"}, "purchase_instance_name: must be 2 to 128 characters"),
    ({"taints_mode": "repair"}, "taints_mode: must be enforce or verify"),
    ({"addons_manifests": [{"file": "a.yml", "definition": {"kind": "Pod"}}]},
     "addons_manifests: must be a list of items with exactly one of"),
    ({"attach_wait_timeout": 0}, "attach_wait_timeout: must be a whole number of seconds"),
])
def test_each_broken_rule_names_the_role_variable(change, expected):
    problems = preflight(dict(GOOD, **change), ALL)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_secrets_are_never_echoed():
    problems = preflight(dict(GOOD, attach_password="weak-but-secret"), "attach")
    assert problems and not any("weak-but-secret" in p for p in problems)


def test_unknown_roles_and_missing_variables_are_errors_of_the_caller():
    with pytest.raises(AnsibleFilterError, match="unknown role"):
        preflight(GOOD, ["purchse"])
    with pytest.raises(AnsibleFilterError, match="attach needs the variables attach_key_pair"):
        preflight({"attach_password": "x", "attach_wait_timeout": 1, "attach_tags": {}}, "attach")


def test_role_failure_names_the_role_variables_the_user_set():
    from ansible_collections.ack_edge.cloud_nodes.plugins.filter.role_failure import role_failure
    result = {"failed": True, "msg": "Invalid input: ...", "invalid_input": [
        {"option": "max_create", "rule": "this run would buy 30 instance(s), more than max_create 20; raise "
                                         "max_create to 30 if you mean it"},
        {"option": "image_id", "rule": "img is not an image available in cn-hangzhou"},
        {"option": "exact_count", "rule": "buying 30 x t needs 60 vCPUs; ask for fewer"}]}
    assert role_failure(result, "purchase", {"image_id": "purchase_image_alinux3"}) == (
        "purchase_max_create: this run would buy 30 instance(s), more than purchase_max_create 20; raise "
        "purchase_max_create to 30 if you mean it; purchase_image_alinux3: img is not an image available in "
        "cn-hangzhou; cloud_nodes_count: buying 30 x t needs 60 vCPUs; ask for fewer. Nothing was changed.")
    assert role_failure({"failed": True, "msg": "boom"}, "purchase") == "boom"


def test_role_failure_leaves_values_that_contain_an_option_name_alone():
    from ansible_collections.ack_edge.cloud_nodes.plugins.filter.role_failure import role_failure
    result = {"invalid_input": [{"option": "image_id", "rule": "my-tags-image is not an image; see image_id."}]}
    assert role_failure(result, "purchase") == ("purchase_image_id: my-tags-image is not an image; see "
                                                "purchase_image_id.. Nothing was changed.")
