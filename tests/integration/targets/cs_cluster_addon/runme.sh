#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
run_playbook playbook.yml
assert_no_secrets
