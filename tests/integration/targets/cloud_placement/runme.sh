#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
dest="${OUTPUT_DIR:-$(mktemp -d)}/placement.kubeconfig"
run_playbook playbook.yml -e "kubeconfig_dest=$dest"
assert_no_secrets "$(sed -n 's/^ *token: *//p' "$dest")"
