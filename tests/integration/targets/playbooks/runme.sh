#!/usr/bin/env bash
# The whole job: provision a fleet of three clusters, rerun, grow one, decommission, audit, repair, refuse.
source ../setup_sandbox/runme-lib.sh
set -x
FLEET=(-i fleet.yml -e cloud_nodes_hosts=fleet)

run_playbook setup.yml

since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --forks 3 | tee first.log
run_playbook assert-fleet.yml -i fleet.yml -e expected=2
run_playbook assert-calls.yml -e since="$since" -e bought=6 -e attached=6 \
    -e '{"expected_writes": ["RunInstances","RunInstances","RunInstances","RunInstances","RunInstances","RunInstances",
         "AttachInstances","AttachInstances","AttachInstances",
         "InstallClusterAddons","InstallClusterAddons","InstallClusterAddons",
         "POST","POST","POST"]}'

# A rerun changes nothing and writes nothing.
since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --forks 3 | tee rerun.log
[ "$(grep -cE '^(edge-hangzhou|fleet-1|fleet-2) +: ok=[0-9]+ +changed=0 ' rerun.log)" -eq 3 ]
run_playbook assert-calls.yml -e since="$since"

# One more node on one cluster buys and attaches only the difference.
since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --limit fleet-1 -e cloud_nodes_count=3
run_playbook assert-fleet.yml -i fleet.yml -e check_hosts=fleet-1 -e expected=3
run_playbook assert-calls.yml -e since="$since" -e bought=1 -e attached=1 \
    -e '{"expected_writes": ["RunInstances", "AttachInstances"]}'

# Decommission previews in check mode, then goes back down, and refuses to go to zero.
since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-1 -e cloud_nodes_count=2 --check \
    | tee decommission-check.log
run_playbook assert-calls.yml -e since="$since"
grep -q "would release 1 instance(s) i-" decommission-check.log
run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-1 -e cloud_nodes_count=2
run_playbook assert-fleet.yml -i fleet.yml -e check_hosts=fleet-1 -e expected=2
if run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-1 -e cloud_nodes_count=0 > zero.log; then
    echo "decommission to zero should have failed"; exit 1
fi
grep -q "refuses to remove them all" zero.log

# Verify passes; a lost taint makes it fail; provision (enforce) repairs it; verify passes again.
run_playbook ack_edge.cloud_nodes.verify "${FLEET[@]}"
run_playbook lose-taint.yml -i fleet.yml
if ANSIBLE_SHOW_CUSTOM_STATS=1 run_playbook ack_edge.cloud_nodes.verify "${FLEET[@]}" > verify-broken.log; then
    echo "verify should have failed on the lost taint"; exit 1
fi
grep -q "taint node-role.alibabacloud.com/addon:NoSchedule missing" verify-broken.log
# The fleet summary (set_stats, what AWX shows as the job's artifacts) names the drifted cluster and its violation.
python - <<'PY'
import re
text = open("verify-broken.log").read()
stats = text[text.rindex("CUSTOM STATS"):]
assert re.search(r"c06f4ee49f430ccdb94c22abc073301fb.{0,400}taint node-role.alibabacloud.com/addon:NoSchedule missing",
                 stats, re.S), stats[:3000]
PY
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --limit edge-hangzhou -e taints_mode=enforce
run_playbook ack_edge.cloud_nodes.verify "${FLEET[@]}"

# Decommission releases exactly what it drained. fleet-2 has two managed nodes; add B (managed, stopped, never a
# node) and then C (managed, a node, newer than B). Down to 3, B goes and no node is drained; down to 2, one node is
# drained, removed and released, and it is the same instance throughout.
run_playbook abc-setup.yml -i fleet.yml
B=$(python -c 'import json; print(json.load(open("abc.json"))["b"])')
since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-2 -e cloud_nodes_count=3 | tee abc-3.log
run_playbook assert-decommission.yml -i fleet.yml -e since="$since" -e released_count=1 -e "{\"expect_released\": [\"$B\"]}"
grep -q "released 1 instance(s) $B, of which 0 were drained" abc-3.log
since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-2 -e cloud_nodes_count=2
run_playbook assert-decommission.yml -i fleet.yml -e since="$since" -e released_count=1
# More than cloud_nodes_max_release is refused before any change.
since=$(sandbox_mark)
if run_playbook ack_edge.cloud_nodes.decommission "${FLEET[@]}" --limit fleet-2 -e cloud_nodes_count=1 \
        -e cloud_nodes_max_release=0 > max-release.log; then
    echo "decommission past cloud_nodes_max_release should have failed"; exit 1
fi
grep -q "raise cloud_nodes_max_release to allow it. Nothing was changed" max-release.log
run_playbook assert-calls.yml -e since="$since"

# Wrong credentials and an unknown cluster fail in the first task that needs them, and nothing is bought.
since=$(sandbox_mark)
python -c 'import json, yaml; c = yaml.safe_load(open("../../integration_config.yml")); print(json.dumps({"cloud_nodes_auth": dict(
    {k: c[k] for k in ("alicloud_access_key", "alicloud_region", "ecs_endpoint", "cs_endpoint", "ca_bundle")},
    alicloud_secret_key="not-the-secret")}))' > wrong-auth.json
if run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --limit fleet-2 -e @wrong-auth.json > wrong-secret.log; then
    echo "a wrong secret should have failed"; exit 1
fi
# The first failure is in the first task that calls the cloud, and it names the option to fix.
sed -n '/TASK \[ack_edge.cloud_nodes.purchase : Read the cluster\]/,/^TASK /p' wrong-secret.log > first-cloud-task.log
if ! { grep -q 'SignatureDoesNotMatch' first-cloud-task.log && grep -q 'check alicloud_secret_key' first-cloud-task.log; }; then
    cat first-cloud-task.log; exit 1
fi
[ "$(grep -c '^fatal:' wrong-secret.log)" -eq 1 ]
if run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --limit fleet-2 \
        -e cloud_nodes_cluster_id=c00000000000000000000000000000000 > unknown.log; then
    echo "an unknown cluster should have failed"; exit 1
fi
grep -q "does not exist" unknown.log
# Refused input of every role (a weak attach_password, cloud_nodes_count 0, a vSwitch of another VPC) is walked
# by the lifecycle walk's fixed set, which checks that such a run makes no mutating call (tests/lifecycle).
run_playbook assert-calls.yml -e since="$since"

# The same playbooks through ansible-runner, as AWX runs them, with the secret scan of what they leave: the awx
# target.

assert_no_secrets "Fleet-Node-Pa55"
