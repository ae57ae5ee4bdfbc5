"""Every role documents every default, with the same value, in meta/argument_specs.yml (prometheus.prometheus
style): a default nobody documented, or a documented default that drifted, fails here."""

import os

import pytest
import yaml

ROLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                     "roles")


def load(role, *path):
    with open(os.path.join(ROLES, role, *path)) as handle:
        return yaml.safe_load(handle) or {}


@pytest.mark.parametrize("role", sorted(os.listdir(ROLES)))
def test_defaults_and_argument_specs_agree(role):
    defaults = load(role, "defaults", "main.yml")
    options = load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert set(defaults) - set(options) == set(), "defaults without an argument spec"
    for name, spec in options.items():
        if spec.get("required"):
            assert name not in defaults, f"{name} is required, so it must not have a default"
            continue
        assert name in defaults, f"{name} is documented but has no default in defaults/main.yml"
        assert spec.get("default") == defaults[name], f"{name}: documented default differs from defaults/main.yml"


@pytest.mark.parametrize("role", sorted(os.listdir(ROLES)))
def test_role_variables_are_prefixed(role):
    for name in load(role, "defaults", "main.yml"):
        assert name.startswith((f"{role}_", "cloud_nodes_")), f"{name} must start with {role}_ or cloud_nodes_"
