"""How long things take. `fast` keeps tests quick; `realistic` follows the reference's typical durations."""

PROFILES = {
    "fast": {
        "instance_pending": 0.3,
        "instance_starting": 0.6,
        "instance_stopping": 0.5,
        "instance_releasing": 0.3,
        "attach_task": 2.0,
        "remove_task": 1.0,
        "addon_task": 1.0,
        "node_ready": 0.5,
        "pod_start": 0.4,
        "pod_stop": 0.3,
        "job_run": 0.5,
    },
    # ECS: Pending a few seconds, Starting up to ~30 s, a release about as long as a stop (reference: ecs-api.md 2.3,
    # durations UNCONFIRMED);
    # ACK: attaching existing instances runs a scale-out task of a few minutes; removal and add-on tasks
    # take around a minute. Scale the whole profile with --time-scale.
    "realistic": {
        "instance_pending": 5.0,
        "instance_starting": 20.0,
        "instance_stopping": 10.0,
        "instance_releasing": 10.0,
        "attach_task": 150.0,
        "remove_task": 60.0,
        "addon_task": 45.0,
        "node_ready": 15.0,
        "pod_start": 8.0,
        "pod_stop": 5.0,
        "job_run": 10.0,
    },
}


class Profile:
    def __init__(self, name="fast", time_scale=1.0):
        if name not in PROFILES:
            raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}")
        self.name = name
        self.time_scale = time_scale
        self._times = PROFILES[name]

    def seconds(self, key):
        return self._times[key] * self.time_scale

    def describe(self):
        return {"name": self.name, "time_scale": self.time_scale,
                "seconds": {k: round(self.seconds(k), 3) for k in self._times}}
