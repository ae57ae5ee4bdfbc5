"""Ground truth for the lifecycle walk: what the sandbox really holds, never what a playbook said.

Three sources, each read directly: the sandbox control API (state, call log, faults), ECS through the official SDK
(instances with their tags, also used for out-of-band drift), and each cluster's Kubernetes API through the
kubernetes client (nodes, pods). The walk marks the call log around every playbook run, so its own reads and drift
calls never count against a playbook.
"""

import json
import ssl
import urllib.request

import yaml

MATCH = {"cloud-nodes/role": "management"}  # plus cloud-nodes/cluster=<id>: plugins/module_utils/_constants.py
CLUSTER_TAG = "cloud-nodes/cluster"
CLOUD_LABEL = ("alibabacloud.com/is-edge-worker", "false")
CLOUD_TAINT = ("node-role.alibabacloud.com/addon", "NoSchedule")
WALK_LABEL = "lifecycle-walk"  # on every object the walk itself creates in a cluster


class Ground:
    def __init__(self, env):
        self.env = env
        self.control_url = env["ACK_SANDBOX_CONTROL"]
        self.tls = ssl.create_default_context(cafile=env["ALICLOUD_CA_BUNDLE"])
        self._ecs = None
        self._cs = None
        self._kube = {}
        self._seen = 0

    # -- control API --------------------------------------------------------------------------------------
    def control(self, method, route, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.control_url + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=self.tls, timeout=60) as response:
            return json.loads(response.read())

    def mark(self):
        """The newest call's sequence number (reading only what follows the previous mark)."""
        self._seen = self.control("GET", f"/calls?since={self._seen}")["last_seq"]
        return self._seen

    def calls(self, since, until=None):
        calls = self.control("GET", f"/calls?since={since}")["calls"]
        return [c for c in calls if until is None or c["seq"] <= until]

    def state(self):
        return self.control("GET", "/state")

    def faults(self, rules, seed):
        return self.control("POST", "/faults", {"seed": seed, "faults": rules})

    def clear_faults(self):
        return self.control("DELETE", "/faults")

    # -- ECS ----------------------------------------------------------------------------------------------
    def _config(self, endpoint):
        from alibabacloud_tea_openapi.utils_models import Config  # pylint: disable=import-error
        return Config(access_key_id=self.env["ALICLOUD_ACCESS_KEY"], access_key_secret=self.env["ALICLOUD_SECRET_KEY"],
                      region_id=self.env["ALICLOUD_REGION"], endpoint=endpoint, ca=self.env["ALICLOUD_CA_BUNDLE"])

    @property
    def ecs(self):
        if self._ecs is None:
            from alibabacloud_ecs20140526.client import Client  # pylint: disable=import-error
            self._ecs = Client(self._config(self.env["ALICLOUD_ECS_ENDPOINT"]))
        return self._ecs

    @property
    def cs(self):
        if self._cs is None:
            from alibabacloud_cs20151215.client import Client  # pylint: disable=import-error
            self._cs = Client(self._config(self.env["ALICLOUD_CS_ENDPOINT"]))
        return self._cs

    def instances(self):
        """Every instance in the region: id, status, vpc, zone, tags, created."""
        from alibabacloud_ecs20140526 import models  # pylint: disable=import-error
        found, page = [], 1
        while True:
            body = self.ecs.describe_instances(models.DescribeInstancesRequest(
                region_id=self.env["ALICLOUD_REGION"], page_size=100, page_number=page)).body.to_map()
            rows = body.get("Instances", {}).get("Instance", [])
            for row in rows:
                found.append({"id": row["InstanceId"], "status": row["Status"], "vpc": row.get("VpcAttributes", {})
                              .get("VpcId"), "zone": row.get("ZoneId"), "created": row.get("CreationTime"),
                              "tags": {t["TagKey"]: t["TagValue"] for t in row.get("Tags", {}).get("Tag", [])}})
            if len(rows) < 100:
                return found
            page += 1

    def managed(self, cluster_id):
        """The instances the collection keeps for a cluster: those with its match tags."""
        return [i for i in self.instances() if i["tags"].get(CLUSTER_TAG) == cluster_id
                and all(i["tags"].get(k) == v for k, v in MATCH.items())]

    def stop_instance(self, iid):
        from alibabacloud_ecs20140526 import models  # pylint: disable=import-error
        self.ecs.stop_instances(models.StopInstancesRequest(region_id=self.env["ALICLOUD_REGION"], instance_id=[iid],
                                                            force_stop=True))

    def release_instance(self, iid):
        from alibabacloud_ecs20140526 import models  # pylint: disable=import-error
        self.ecs.delete_instances(models.DeleteInstancesRequest(region_id=self.env["ALICLOUD_REGION"],
                                                                instance_id=[iid], force=True))

    # -- Kubernetes ---------------------------------------------------------------------------------------
    def kube(self, cluster_id):
        """A CoreV1Api for the cluster; the kubeconfig stays in this process, never on disk."""
        if cluster_id not in self._kube:
            from alibabacloud_cs20151215 import models  # pylint: disable=import-error
            from kubernetes import client  # pylint: disable=import-error
            config = yaml.safe_load(self.cs.describe_cluster_user_kubeconfig(
                cluster_id, models.DescribeClusterUserKubeconfigRequest()).body.config)
            conf = client.Configuration()
            conf.host = config["clusters"][0]["cluster"]["server"]
            conf.api_key = {"authorization": "Bearer " + config["users"][0]["user"]["token"]}
            # The sandbox CA is already a file; the kubeconfig's inline copy equals it.
            conf.ssl_ca_cert = self.env["ALICLOUD_CA_BUNDLE"]
            self._kube[cluster_id] = (client.CoreV1Api(client.ApiClient(conf)), config["users"][0]["user"]["token"])
        return self._kube[cluster_id][0]

    def kube_tokens(self):
        return [token for _, token in self._kube.values()]

    def nodes(self, cluster_id):
        api = self.kube(cluster_id)
        return api.api_client.sanitize_for_serialization(api.list_node())["items"]

    def pods(self, cluster_id):
        api = self.kube(cluster_id)
        return api.api_client.sanitize_for_serialization(api.list_pod_for_all_namespaces())["items"]

    def patch_node(self, cluster_id, name, body):
        self.kube(cluster_id).patch_node(name, body)

    def foreign_pod(self, cluster_id, node_name, name):
        """A pod bound to a cloud node without the toleration, as `kubectl run --overrides nodeName` would do."""
        self.kube(cluster_id).create_namespaced_pod("default", {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {WALK_LABEL: "foreign"}},
            "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "registry.example.com/busybox"}]}})
