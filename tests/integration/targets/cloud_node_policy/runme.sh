#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
dest="${OUTPUT_DIR:-$(mktemp -d)}/policy.kubeconfig"
run_playbook playbook.yml -e "kubeconfig_dest=$dest"
token=$(sed -n 's/^ *token: *//p' "$dest")
[ -n "$token" ]
assert_no_secrets "$token" "Policy-Pa55word!"
