#!/usr/bin/env bash
# Sourced by the runme.sh of every target: run playbooks at -vvv with --diff against the sandbox, keep all
# output, and fail if any secret appears in it.
set -euo pipefail

LOG="${OUTPUT_DIR:-/tmp}/$(basename "$(pwd)")-output.log"
: > "$LOG"
export ANSIBLE_ROLES_PATH=..

run_playbook() {
    # run_playbook <playbook> [extra ansible-playbook args...]; output goes to the terminal and to $LOG
    ansible-playbook -i ../../inventory -e @../../integration_config.yml -vvv --diff "$@" 2>&1 | tee -a "$LOG"
    return "${PIPESTATUS[0]}"
}

config_value() {
    python -c 'import sys, yaml; print(yaml.safe_load(open("../../integration_config.yml"))[sys.argv[1]])' "$1"
}

assert_no_secrets() {
    # assert_no_secrets <literal secret>...; the sandbox secret key is always checked
    local secret found=0
    for secret in "$(config_value alicloud_secret_key)" "$@"; do
        if grep -qF -- "$secret" "$LOG"; then
            echo "SECRET LEAKED: a secret value ($(echo -n "$secret" | wc -c) chars) appears in the output" >&2
            found=1
        fi
    done
    if [ "$found" -ne 0 ]; then
        return 1
    fi
    echo "no secret in $(wc -l < "$LOG") lines of -vvv --diff output"
}

sandbox_control() {
    # sandbox_control <METHOD> <route> [json body]: call the sandbox control API, print the JSON answer
    python - "$@" <<'PY'
import json, ssl, sys, urllib.request, yaml
config = yaml.safe_load(open("../../integration_config.yml"))
method, route = sys.argv[1], sys.argv[2]
body = sys.argv[3].encode() if len(sys.argv) > 3 else None
request = urllib.request.Request(config["sandbox_control"] + route, data=body, method=method,
                                 headers={"Content-Type": "application/json"})
context = ssl.create_default_context(cafile=config["ca_bundle"])
print(urllib.request.urlopen(request, context=context).read().decode())
PY
}

sandbox_mark() {
    # The sequence number of the newest call; pass it as `since` to read only what follows.
    sandbox_control GET /calls | python -c 'import json, sys; print(json.load(sys.stdin)["last_seq"])'
}
