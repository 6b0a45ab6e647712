"""Job logs: 50 jobs logging at once, followed live from line 1, lose and repeat no line."""

from __future__ import annotations

import threading
from pathlib import Path

from xeapp.events import EventBus
from xeapp.logs import JobLogs
from xeapp.store import Store
from xeapp.upgrade.logfollow import LineCallback, LogFollower
from xeapp.upgrade.record import JobRecorder

JOBS = 50
LINES = 200


def collector(received: dict[str, list[tuple[int, str]]]) -> LineCallback:
    def collect(job_id: str, number: int, line: str) -> None:
        received[job_id].append((number, line))

    return collect


def test_fifty_jobs_lose_no_line(tmp_path: Path) -> None:
    events = EventBus()
    store = Store(tmp_path / "db")
    (tmp_path / "jobs").mkdir()
    job_logs = JobLogs(tmp_path / "jobs", events)
    recorders = [
        JobRecorder(store.add_job({"target_ip": f"127.0.1.{i + 1}"}), store, job_logs, events)
        for i in range(JOBS)
    ]
    received: dict[str, list[tuple[int, str]]] = {r.job_id: [] for r in recorders}
    followers: list[LogFollower] = []
    halfway = threading.Barrier(JOBS + 1)

    def write(recorder: JobRecorder) -> None:
        for index in range(LINES):
            recorder.device_output(f"line {index}")
            if index == LINES // 2:
                halfway.wait(timeout=30)

    threads = [threading.Thread(target=write, args=(r,)) for r in recorders]
    for thread in threads:
        thread.start()
    halfway.wait(timeout=30)
    for recorder in recorders:
        follower = LogFollower(job_logs, events, recorder.job_id, collector(received))
        followers.append(follower.start())
    for thread in threads:
        thread.join(timeout=60)

    for recorder in recorders:
        numbers = [number for number, _ in received[recorder.job_id]]
        assert numbers == list(range(1, LINES + 1))
        assert [text for _, text in received[recorder.job_id]] == job_logs.read(recorder.job_id)
    for follower in followers:
        follower.close()
    store.close()
