"""cs_cluster_addon and cs_kubeconfig, on the run context and the in-memory cloud."""
import os
import stat

import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs_cluster_addon as addon
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs_kubeconfig as kubeconfig
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import InvalidInput
from ansible_collections.ack_edge.cloud_nodes.tests.unit.fake_cloud import FakeCloud, context

ADDON = {"cluster_id": "c1", "name": "metrics-server", "version": None, "config": None, "state": "present",
         "wait": True, "wait_timeout": 600}


def test_addon_install_waits_out_a_busy_cluster_and_the_task():
    cloud = FakeCloud(busy_until=4.0)
    result = addon.ensure(context(cloud), dict(ADDON))
    assert result["action"] == "install" and result["addon"]["state"] == "active"
    assert cloud.addons["metrics-server"]["version"] == "v2" and cloud.clock.now >= 4.0
    assert not addon.ensure(context(cloud), dict(ADDON))["changed"]


def test_addon_unknown_to_ack_is_refused_before_any_change():
    cloud = FakeCloud()
    with pytest.raises(InvalidInput, match="it offers metrics-server"):
        addon.ensure(context(cloud), dict(ADDON, name="no-such-addon"))
    assert cloud.mutating() == []


def test_addon_plan():
    current = {"version": "v1", "config": {"a": 1}}
    assert addon.plan(current, dict(ADDON, version="v2"), None) == ("upgrade", "v2")
    assert addon.plan(current, dict(ADDON, config={"a": 2}), None) == ("configure", "v1")
    assert addon.plan(None, dict(ADDON, state="absent"), None) == ("none", None)


def test_kubeconfig_is_written_0600_its_token_masked_and_rerun_unchanged(tmp_path):
    ctx = context(FakeCloud())
    p = {"cluster_id": "c1", "dest": str(tmp_path / "edge.yaml"), "private_ip": False,
         "temporary_duration_minutes": None}
    assert kubeconfig.ensure(ctx, p)["changed"]
    assert stat.S_IMODE(os.stat(p["dest"]).st_mode) == 0o600 and "secret-token" in ctx.no_log_values
    assert not kubeconfig.ensure(context(FakeCloud()), p)["changed"]


def test_kubeconfig_bad_input_names_the_option(tmp_path):
    p = {"cluster_id": "c1", "dest": str(tmp_path / "missing" / "edge.yaml"), "private_ip": False,
         "temporary_duration_minutes": 5}
    with pytest.raises(InvalidInput) as caught:
        kubeconfig.ensure(context(FakeCloud()), p)
    assert caught.value.details["invalid_options"] == ["temporary_duration_minutes", "dest"]


def test_kubeconfig_check_mode_predicts_a_write_into_a_directory_not_made_yet(tmp_path):
    # Issue 10 item 6: on a fresh controller the task that makes the directory did not run in check mode either.
    p = {"cluster_id": "c1", "dest": str(tmp_path / "kube" / "edge.yaml"), "private_ip": False,
         "temporary_duration_minutes": 15}
    result = kubeconfig.ensure(context(FakeCloud(), check_mode=True), p)
    assert result["changed"] and not (tmp_path / "kube").exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidInput, match="does not exist"):  # a path through a file can never be made
        kubeconfig.ensure(context(FakeCloud(), check_mode=True), dict(p, dest=str(tmp_path / "file" / "edge.yaml")))
