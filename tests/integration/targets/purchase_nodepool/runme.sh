#!/usr/bin/env bash
# Issue 11: the purchase role buys in the node pool's vSwitches, not the control plane's, with the newest system
# image of the family for the cluster's version, and refuses CentOS from 1.30 before buying.
source ../setup_sandbox/runme-lib.sh
run_playbook playbook.yml
assert_no_secrets
