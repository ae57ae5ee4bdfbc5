"""The progress callback: the line format, what a wait shows and when, and the file a module's waiter appends to."""
import json
import os

from ansible_collections.ack_edge.cloud_nodes.plugins.callback import progress
from ansible_collections.ack_edge.cloud_nodes.plugins.callback.progress import CallbackModule, Watch, clock, render
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import (
    INSTANCE, PROGRESS_ENV, Deadline, ProgressLog, Waiter, describe_state)

TASK_RECORD = {"pid": 7, "wait": 1, "what": "task(s) T-1 to end", "poll": 9, "total": 1, "elapsed": 42.4,
               "timeout": 1200, "end": None,
               "pending": ["task T-1: running, stage InitNodes, 2 of 3 instances done"]}


def test_clock():
    assert [clock(s) for s in (0, 42.9, 1200, 3723, -1)] == ["0:00", "0:42", "20:00", "1:02:03", "0:00"]


def test_a_line_names_the_host_what_is_pending_the_elapsed_time_and_the_deadline():
    assert render("edge-hangzhou", TASK_RECORD) == (
        "progress [edge-hangzhou] waiting for task(s) T-1 to end (0:42 elapsed, deadline 20:00): "
        "task T-1: running, stage InitNodes, 2 of 3 instances done")


def test_several_items_are_counted_and_cut_to_three_unless_verbose():
    record = dict(TASK_RECORD, what="5 instance(s) to be Running", total=5, timeout=None,
                  pending=["i-1 Pending", "i-2 Starting", "i-3 Starting", "i-4 Pending"])
    assert render("h", record) == ("progress [h] waiting for 5 instance(s) to be Running (0:42 elapsed, no deadline): "
                                   "1 of 5 done; pending: i-1 Pending, i-2 Starting, i-3 Starting, 1 more")
    assert render("h", record, verbosity=1).endswith("(0:42 elapsed, no deadline, poll 9): 1 of 5 done; pending: "
                                                     "i-1 Pending, i-2 Starting, i-3 Starting, i-4 Pending")


def test_endings():
    assert render("h", dict(TASK_RECORD, end="done", pending=[])) == \
        "progress [h] done waiting for task(s) T-1 to end (0:42 elapsed, deadline 20:00)"
    assert "stopped waiting (deadline reached) for" in render("h", dict(TASK_RECORD, end="timeout"))
    assert "stopped waiting (it cannot succeed) for" in render("h", dict(TASK_RECORD, end="failed"))


class Appender:
    def __init__(self, path):
        self.path = path

    def __call__(self, **changes):
        with open(self.path, "a") as handle:
            handle.write(json.dumps(dict(TASK_RECORD, **changes)) + "\n")


def test_a_wait_is_shown_after_two_seconds_at_each_change_at_least_every_interval_and_at_its_end(tmp_path):
    write = Appender(str(tmp_path / "1.jsonl"))
    watch = Watch("h", write.path)
    assert watch.lines(0.0, 10, 0) == []  # no file yet: the task has not waited
    write(elapsed=0.0)
    assert watch.lines(1.0, 10, 0) == []  # a wait that ends within QUIET seconds is never shown
    [first] = watch.lines(3.0, 10, 0)
    assert "(0:02 elapsed" in first  # elapsed goes on with the callback's clock between polls
    write(elapsed=4.0)
    assert watch.lines(5.0, 10, 0) == []  # nothing changed
    assert watch.lines(12.0, 10, 0) == []
    [beat] = watch.lines(13.0, 10, 0)  # an interval after the last line: the same state, later
    assert "(0:12 elapsed" in beat
    write(elapsed=14.0, pending=["task T-1: running, stage JoinCluster, 3 of 3 instances done"])
    [change] = watch.lines(14.5, 10, 0)
    assert "JoinCluster" in change
    write(elapsed=16.0, end="done", pending=[])
    assert watch.lines(16.5, 10, 0) == ["progress [h] done waiting for task(s) T-1 to end (0:16 elapsed, "
                                        "deadline 20:00)"]
    assert watch.lines(40.0, 10, 0) == []  # an ended wait says nothing more


def test_a_short_wait_says_nothing_and_a_half_written_line_waits_for_its_end(tmp_path):
    write = Appender(str(tmp_path / "1.jsonl"))
    watch = Watch("h", write.path)
    write(elapsed=0.0)
    write(elapsed=0.5, end="done", pending=[])
    with open(write.path, "a") as handle:
        handle.write('{"pid": 7, "wait": 2, "what"')
    assert watch.lines(5.0, 10, 0) == []
    with open(write.path, "a") as handle:
        handle.write(': "x", "pending": ["a b"], "elapsed": 1, "poll": 1, "end": null}\n')
    assert watch.lines(6.0, 10, 0) == []
    assert watch.lines(8.0, 10, 0) == ["progress [h] waiting for x (0:03 elapsed, no deadline): a b"]


class Clock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def time(self):
        return self.now


def test_the_waiter_appends_one_line_per_poll_only_when_the_callback_named_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv(PROGRESS_ENV, raising=False)
    assert ProgressLog().path is None
    path = str(tmp_path / "3.jsonl")
    monkeypatch.setenv(PROGRESS_ENV, path)
    clock_ = Clock()
    waiter = Waiter(Deadline(600, clock_.time), sleep=clock_.sleep)
    states = iter(["Pending", "Starting", "Running"])

    def fetch():
        state = next(states)
        return {"i-1": {"status": state}, "i-2": {"status": "Running"}}

    waiter.until("2 instance(s) to be Running", fetch, INSTANCE["Running"], lambda i: describe_state(i, "status"))
    with open(path) as handle:
        records = [json.loads(line) for line in handle]
    assert [(r["wait"], r["poll"], r["pending"], r["end"], r["total"], r["timeout"]) for r in records] == [
        (1, 1, ["i-1 Pending"], None, 2, 600), (1, 2, ["i-1 Starting"], None, 2, 600), (1, 3, [], "done", 2, 600)]
    assert records[0]["pid"] == os.getpid() and records[2]["elapsed"] == 1.2


def test_a_progress_file_that_cannot_be_written_never_fails_the_wait(tmp_path):
    log = ProgressLog(str(tmp_path / "missing-dir" / "1.jsonl"))
    waiter = Waiter(Deadline(60), progress=log)
    assert waiter.until("x", lambda: {"i-1": {"status": "Running"}}, INSTANCE["Running"], str) == \
        {"i-1": {"status": "Running"}}
    assert log.path is None


class FakeDisplay:
    verbosity = 0

    def __init__(self):
        self.shown = []

    def display(self, msg, **dummy):
        self.shown.append(msg)


class Named:
    def __init__(self, name, uuid="u-1", no_log=False):
        self.name, self._uuid, self.no_log = name, uuid, no_log

    def get_name(self):
        return self.name


class Result:
    def __init__(self, host, task):
        self._host, self._task = host, task


def test_each_task_start_names_its_own_file_and_lines_name_their_host(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "TICK", 3600)  # the thread stays idle: ticks are driven by the test
    display = FakeDisplay()
    callback = CallbackModule(display=display)
    callback.get_option = {"interval": 10}.get  # options come from the plugin loader, which these tests skip
    one, two = Named("edge-hangzhou"), Named("edge-shanghai")
    task = Named("Attach", uuid="t-1")
    callback.v2_runner_on_start(one, task)
    first = os.environ[PROGRESS_ENV]
    callback.v2_runner_on_start(two, task)
    second = os.environ[PROGRESS_ENV]
    assert first != second and os.path.dirname(first) == os.path.dirname(second)
    Appender(first)(elapsed=5.0)
    Appender(second)(elapsed=6.0)
    callback._tick(now=100.0)
    callback._tick(now=103.0)
    assert sorted(line.split("]")[0] for line in display.shown) == ["progress [edge-hangzhou", "progress [edge-shanghai"]
    callback.v2_runner_on_ok(Result(one, task))
    assert not os.path.exists(first)
    callback.v2_playbook_on_stats(None)
    assert not os.path.exists(os.path.dirname(first)) and PROGRESS_ENV not in os.environ


def test_a_no_log_task_shows_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "TICK", 3600)
    display = FakeDisplay()
    callback = CallbackModule(display=display)
    callback.get_option = {"interval": 10}.get  # options come from the plugin loader, which these tests skip
    callback.v2_runner_on_start(Named("h"), Named("secret task", no_log=True))
    Appender(os.environ[PROGRESS_ENV])(elapsed=5.0)
    callback._tick(now=100.0)
    callback._tick(now=103.0)
    assert display.shown == []
    callback.v2_playbook_on_stats(None)


def test_a_wait_can_describe_its_pending_items_for_the_lines(tmp_path):
    log = ProgressLog(str(tmp_path / "1.jsonl"))
    clock_ = Clock()
    tasks = iter([{"state": "running"}, {"state": "success"}])
    Waiter(Deadline(60, clock_.time), sleep=clock_.sleep, progress=log).until(
        "task(s) T-1 to end", lambda: {"T-1": next(tasks)}, lambda t: t["state"] == "success", lambda t: t["state"],
        describe=lambda key, task: f"task {key}: {task['state']}, stage InitNodes")
    with open(log.path) as handle:
        assert [json.loads(line)["pending"] for line in handle] == [["task T-1: running, stage InitNodes"], []]
