#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh

export inventory_dir_out="${OUTPUT_DIR:-$(mktemp -d)}/inventories"
mkdir -p "$inventory_dir_out"
run_playbook setup.yml -e inventory_dir_out="$inventory_dir_out"
ansible-inventory -i "$inventory_dir_out/fleet.clusters.yml" --list > clusters.json
ansible-inventory -i "$inventory_dir_out/nodes.ecs.yml" --list > nodes.json
since=$(sandbox_mark)
ansible-inventory -i "$inventory_dir_out/nodes.ecs.yml" --list > cached.json
# The second ECS listing came from the cache: no call at all.
[ "$(sandbox_control GET "/calls?since=$since" | python -c 'import json, sys; print(len(json.load(sys.stdin)["calls"]))')" -eq 0 ]
SECRET="$(config_value alicloud_secret_key)" python check.py clusters.json nodes.json cached.json
cat clusters.json nodes.json >> "$LOG"
assert_no_secrets
