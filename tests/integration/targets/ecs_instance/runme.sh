#!/usr/bin/env bash
source ../setup_sandbox/runme-lib.sh
run_playbook playbook.yml
assert_no_secrets "Ladder-Pa55word!" "weakpassword" "user-data-marker-91c2" "c3VwZXI=" "Token-Pa55word1" "Token-Pa55word2"
