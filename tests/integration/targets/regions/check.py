"""Ground truth after a two-region provision, from the sandbox's control API: each region's cluster got its node,
bought and attached in its own region, and no call of one cluster went to the other region."""
import json
import ssl
import sys
import urllib.request

import yaml

CONFIG = yaml.safe_load(open("../../integration_config.yml"))
CLUSTERS = {"cn-hangzhou": "c06f4ee49f430ccdb94c22abc073301fb", "cn-shanghai": "c42aed26f494c013fed84630c26d2c10d"}
PREFIX = {"cn-hangzhou": "i-bp1", "cn-shanghai": "i-uf6"}


def control(route):
    context = ssl.create_default_context(cafile=CONFIG["ca_bundle"])
    with urllib.request.urlopen(CONFIG["sandbox_control"] + route, context=context) as response:
        return json.loads(response.read())


calls = control(f"/calls?since={sys.argv[1]}")["calls"]
bought = {c["params"]["RegionId"]: c for c in calls if c["action"] == "RunInstances" and c["mutating"]}
attached = {c["region"]: c for c in calls if c["action"] == "AttachInstances" and c["status"] == 200}
for region, cluster_id in CLUSTERS.items():
    state = control(f"/state?region={region}")
    [cluster] = [c for c in state["clusters"] if c["cluster_id"] == cluster_id]
    assert len(cluster["cloud_nodes"]) == 2, (region, cluster)  # the fixture's node and the one bought now
    assert set(cluster["cloud_nodes"]) <= set(state["instances"]["ids"]), (region, state["instances"])
    assert int(bought[region]["params"]["Amount"]) == 1, bought
    [new] = attached[region]["params"]["body"]["instances"]
    assert new in cluster["cloud_nodes"] and new.startswith(PREFIX[region]), (region, new)
    assert attached[region]["params"]["ClusterId"] == cluster_id, attached[region]
assert sorted(bought) == sorted(CLUSTERS) and sorted(attached) == sorted(CLUSTERS), (sorted(bought), sorted(attached))
# Every CS call about a cluster went to that cluster's region, so none was answered "not found".
for call in calls:
    if call["service"] == "cs":
        for region, cluster_id in CLUSTERS.items():
            if cluster_id in json.dumps(call["params"]):
                assert call["region"] == region, call
assert not [c for c in calls if c["error_code"] == "ErrorClusterNotFound"], "a cluster was asked in the wrong region"
print("two regions OK:", {r: attached[r]["params"]["body"]["instances"] for r in CLUSTERS})
