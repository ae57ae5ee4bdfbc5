#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
dest="${OUTPUT_DIR:-$(mktemp -d)}/edge.kubeconfig"
run_playbook playbook.yml -e "kubeconfig_dest=$dest"
# The token and CA of the kubeconfig that was written must appear nowhere in the output.
token=$(sed -n 's/^ *token: *//p' "$dest")
[ -n "$token" ]
assert_no_secrets "$token"
