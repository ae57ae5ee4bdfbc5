#!/usr/bin/env bash
# A fleet across two regions: one provision over the clusters inventory of both, which gives each host its
# cloud_nodes_region; each cluster gets its node in its own region; a rerun changes nothing and writes nothing.
source ../setup_sandbox/runme-lib.sh
set -x

# Credentials and endpoints from the environment, as an AWX credential injects them. cloud_nodes_auth names the
# default region explicitly: the host's cloud_nodes_region must win over it.
export ALICLOUD_ACCESS_KEY ALICLOUD_SECRET_KEY ALICLOUD_REGION ALICLOUD_ECS_ENDPOINT ALICLOUD_CS_ENDPOINT ALICLOUD_CA_BUNDLE
ALICLOUD_ACCESS_KEY="$(config_value alicloud_access_key)"
ALICLOUD_SECRET_KEY="$(config_value alicloud_secret_key)"
ALICLOUD_REGION="$(config_value alicloud_region)"
ALICLOUD_ECS_ENDPOINT="$(config_value ecs_endpoint)"
ALICLOUD_CS_ENDPOINT="$(config_value cs_endpoint)"
ALICLOUD_CA_BUNDLE="$(config_value ca_bundle)"
FLEET=(-i two-regions.clusters.yml -e cloud_nodes_hosts=two_regions -e '{"cloud_nodes_auth": {"alicloud_region": "cn-hangzhou"}}'
       -e attach_password=Region-Node-Pa55 -e "cloud_nodes_kubeconfig_dir=${OUTPUT_DIR:-/tmp}/kube"
       -e '{"addons_managed": [{"name": "alicloud-monitor-controller"}]}')

sandbox_control POST /reset > /dev/null
ansible-inventory -i two-regions.clusters.yml --host edge-shanghai | tee -a "$LOG" | grep -q '"cloud_nodes_region": "cn-shanghai"'

since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --forks 2
python check.py "$since"

since=$(sandbox_mark)
run_playbook ack_edge.cloud_nodes.provision "${FLEET[@]}" --forks 2 | tee rerun.log
[ "$(grep -cE '^(edge-hangzhou|edge-shanghai) +: ok=[0-9]+ +changed=0 ' rerun.log)" -eq 2 ]
run_playbook ../playbooks/assert-calls.yml -e since="$since"

# A cluster asked in a region it is not in is not found (issue 15): the message names the region asked and the
# variables that set it.
if ansible localhost -i localhost, -c local -e ansible_python_interpreter="$(command -v python)" \
        -m ack_edge.cloud_nodes.cs_cluster_info \
        -a "cluster_id=c42aed26f494c013fed84630c26d2c10d alicloud_region=cn-nowhere-9" > wrong-region.log 2>&1; then
    echo "a cluster asked in the wrong region should not be found"; exit 1
fi
cat wrong-region.log >> "$LOG"
grep -q "does not exist in region cn-nowhere-9" wrong-region.log && grep -q "cloud_nodes_region" wrong-region.log

assert_no_secrets "Region-Node-Pa55"
