#!/usr/bin/env bash
# AWX without an AWX server: job templates run the way AWX runs them (ansible-runner, credential injectors, job
# slicing, remote execution), the execution environment definition, and the job-templates-as-code playbook.
source ../setup_sandbox/runme-lib.sh
set -x

run_playbook setup.yml

# Credential injectors rendered as AWX does; provision as 3 concurrent job slices of a 6-cluster fleet; the
# unsliced rerun through transmit | worker | process; an empty slice; STS credentials; then the secret scan of
# every file the jobs left, command artifacts included.
python awx_jobs.py slices verify inventory sts scan control 2>&1 | tee -a "$LOG"
[ "${PIPESTATUS[0]}" -eq 0 ]

./check-packaging.sh 2>&1 | tee -a "$LOG"
[ "${PIPESTATUS[0]}" -eq 0 ]

assert_no_secrets "Awx-Node-Pa55w0rd" "$(config_value sts_token)" "$(config_value sts_secret_key)"
