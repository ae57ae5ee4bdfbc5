#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
dest="${OUTPUT_DIR:-$(mktemp -d)}/edge.kubeconfig"
run_playbook playbook.yml -e "kubeconfig_dest=$dest"
# The token and CA of the kubeconfig that was written must appear nowhere in the output.
token=$(sed -n 's/^ *token: *//p' "$dest")
[ -n "$token" ]

# provision with addons_manifests on a controller that never ran it, with an empty HOME and TMPDIR as in a fresh
# AWX execution environment (issue 10 item 6): check mode succeeds and writes nothing, and neither it nor the real
# run leaves a kubeconfig behind.
fresh="$(mktemp -d)"
mkdir -p "$fresh/home" "$fresh/tmp"
since=$(sandbox_mark)
HOME="$fresh/home" TMPDIR="$fresh/tmp" run_playbook ack_edge.cloud_nodes.provision -i provision.yml -e cloud_nodes_hosts=clusters --check
sandbox_control GET "/calls?since=$since&mutating=true" \
    | python -c 'import json, sys; calls = json.load(sys.stdin)["calls"]; assert not calls, calls'
HOME="$fresh/home" TMPDIR="$fresh/tmp" run_playbook ack_edge.cloud_nodes.provision -i provision.yml -e cloud_nodes_hosts=clusters
if grep -rl "current-context" "$fresh"; then
    echo "a kubeconfig was left behind"; exit 1
fi
if grep -q "current-context" "$LOG"; then
    echo "a kubeconfig's content is in the output"; exit 1
fi
assert_no_secrets "$token" "Fresh-Node-Pa55"
