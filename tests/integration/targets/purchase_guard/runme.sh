#!/usr/bin/env bash
# Issue 15: the purchase guard refuses, with zero mutating calls, what the user did not mean; two provision runs of
# one cluster started together both end green, with the exact count.
source ../setup_sandbox/runme-lib.sh
set -x
sandbox_control POST /reset > /dev/null
for name in race-buy race-attach; do
    sandbox_control POST /clusters "{\"name\": \"$name\"}" | python -c 'import json, sys; print(json.load(sys.stdin)["cluster_id"], end="")' > "$name.id"
done
sed "s/RACE_BUY_ID/$(cat race-buy.id)/; s/RACE_ATTACH_ID/$(cat race-attach.id)/" race.yml > race-run.yml
RACE=(-i race-run.yml -e cloud_nodes_hosts=race)

writes_since() {
    sandbox_control GET "/calls?since=$1&mutating=true" | python -c 'import json, sys; print(len(json.load(sys.stdin)["calls"]))'
}

refused() {
    # refused <expected text> <provision args...>: provision fails, says the text, and writes nothing
    local expected="$1" since out
    shift
    since=$(sandbox_mark)
    out="refused-$RANDOM.log"
    if run_playbook ack_edge.cloud_nodes.provision "${RACE[@]}" --limit race-buy "$@" > "$out"; then
        echo "provision $* should have failed"; exit 1
    fi
    grep -qF -- "$expected" "$out" || { echo "expected '$expected' in $out"; grep -E 'fatal|FAILED' "$out"; exit 1; }
    [ "$(writes_since "$since")" -eq 0 ] || { echo "provision $* wrote to the cloud"; exit 1; }
}

# More than purchase_max_create (20 by default).
refused "purchase_max_create: this run would buy 25 instance(s), more than purchase_max_create 20" \
    -e cloud_nodes_count=25
# More than the account's vCPU quota: 6 vCPUs free, 3 x ecs.g6.large need 6... and 4 need 8.
used=$(sandbox_control GET /state | python -c 'import json, sys; print(json.load(sys.stdin)["instances"]["total"] * 2)')
sandbox_control POST /quota "{\"vcpus\": $((used + 6))}"
refused "cloud_nodes_count: buying 4 x ecs.g6.large (2 vCPUs each) needs 8 vCPUs, but only 6 of the account's" \
    -e cloud_nodes_count=4
sandbox_control POST /quota '{"vcpus": 2000}'
# An unknown instance type and image, each named by its role variable.
refused "purchase_instance_type: ecs.nope.large is not an instance type ECS offers in cn-hangzhou" \
    -e purchase_instance_type=ecs.nope.large -e purchase_image_id=no-such-image
grep -qF "purchase_image_id: no-such-image is not an image available in cn-hangzhou" refused-*.log
# Check mode refuses a bad type as the real run would.
refused "purchase_instance_type: ecs.nope.large is not an instance type" --check -e purchase_instance_type=ecs.nope.large

# Two runs of one cluster at once, with 4 s of latency on RunInstances, then (another cluster) on AttachInstances.
for variant in RunInstances:race-buy AttachInstances:race-attach; do
    action=${variant%%:*} host=${variant##*:}
    before=$(sandbox_control GET /state | python -c 'import json, sys; print(json.load(sys.stdin)["instances"]["total"])')
    since=$(sandbox_mark)
    sandbox_control POST /faults "{\"seed\": 1, \"faults\": [{\"kind\": \"latency\", \"action\": \"$action\", \"seconds\": 4}]}"
    run_playbook ack_edge.cloud_nodes.provision "${RACE[@]}" --limit "$host" > "race-$host-1.log" 2>&1 &
    first=$!
    run_playbook ack_edge.cloud_nodes.provision "${RACE[@]}" --limit "$host" > "race-$host-2.log" 2>&1 &
    second=$!
    rc1=0; wait $first || rc1=$?
    rc2=0; wait $second || rc2=$?
    sandbox_control DELETE /faults
    if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
        grep -hE 'fatal|FAILED|msg' "race-$host-"*.log | tail -20
        exit 1
    fi
    run_playbook assert-cluster.yml "${RACE[@]}" -e check_host="$host" -e expected=2 -e before="$before"
    # The race happened: both runs sent the slow call. Each purchase (one per vSwitch) went out twice under one
    # client token, so ECS replayed it; both runs asked to attach.
    sandbox_control GET "/calls?since=$since&mutating=true" | python -c '
import collections, json, sys
calls = [c for c in json.load(sys.stdin)["calls"] if c["action"].split()[0] == sys.argv[1]]
print([(c["action"], c["status"], c["error_code"], c["params"].get("ClientToken")) for c in calls])
if sys.argv[1] == "RunInstances":
    tokens = collections.Counter(c["params"]["ClientToken"] for c in calls)
    assert tokens and set(tokens.values()) == {2}, tokens
else:
    assert len(calls) == 2, calls' "$action"
done
assert_no_secrets Race-Node-Pa55
