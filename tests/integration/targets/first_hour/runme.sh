#!/usr/bin/env bash
# Issue 13: the eight mistakes of a first hour (mistakes.yml, one host each) in one provision run. Each host's first
# error names the variable the user set and the fix, in one line, and the sandbox sees no mutating call at all.
source ../setup_sandbox/runme-lib.sh
set -x
# No credentials but the ones the inventory gives, and no ECS metadata service to wait for.
unset ALICLOUD_ACCESS_KEY ALICLOUD_SECRET_KEY ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
since=$(sandbox_mark)
# Not run_playbook: at -vvv a failure spans many lines, and the first error is to be read as the user sees it.
if ansible-playbook ack_edge.cloud_nodes.provision -i mistakes.yml -e @../../integration_config.yml --forks 8 \
        > mistakes.log 2>&1; then
    echo "provision should have failed for every host"; exit 1
fi
cat mistakes.log >> "$LOG"
writes=$(sandbox_control GET "/calls?since=$since&mutating=true" | python -c 'import json, sys; print(len(json.load(sys.stdin)["calls"]))')
[ "$writes" -eq 0 ] || { echo "the mistakes made $writes mutating call(s)"; exit 1; }
python - mistakes.log <<'PY'
import json, re, sys

# host: what its first error must say - the user's own variable, and the fix.
EXPECTED = {
    "wrong-region": ["cloud_nodes_region) to the cluster's region", "does not exist in region cn-shanghai"],
    "misspelt-cluster-id": ["cloud_nodes_cluster_id) with ack_edge.cloud_nodes.cs_cluster_info"],
    # Another change rewrites the credential message; it must keep naming the option, in one line.
    "no-credentials": ["alicloud_access_key"],
    "lower-case-password": ["attach_password: must contain at least three of"],
    "count-zero": ["cloud_nodes_count: must be at least 1"],
    "vswitch-of-another-vpc": ["purchase_vswitch_ids: vsw-bp1othersandboxzoneh1 is in vpc-bp1othersandbox000001"],
    "unknown-instance-type": ["purchase_instance_type: ecs.nope.large is not an instance type"],
    "no-cluster-id": ["cloud_nodes_cluster_id is not set; give each host of the inventory the ID of its"],
}
output = open(sys.argv[1]).read()
problems = []
for host, wanted in EXPECTED.items():
    first = re.search(r"^fatal: \[%s\]: FAILED! => (.*)$" % re.escape(host), output, re.M)
    if not first:
        problems.append(f"{host}: no failure")
        continue
    msg = json.loads(first.group(1))["msg"]
    print(f"{host}: {msg}")
    problems += [f"{host}: {text!r} not in its first error" for text in wanted if text not in msg]
    if "\n" in msg or len(first.group(0)) > 1500:
        problems.append(f"{host}: its first error is {len(first.group(0))} characters over several lines")
if len(re.search(r"^fatal: \[no-cluster-id\].*$", output, re.M).group(0)) > 500:
    problems.append("no-cluster-id: not one short line (the roles' argument spec dump?)")
assert not problems, "\n".join(problems)
PY
assert_no_secrets First-Hour-Pa55 onlylowercaseletters
