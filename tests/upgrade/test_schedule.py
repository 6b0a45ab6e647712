"""Scheduled jobs start on time, follow the grace rule after a restart, and recover from a kill."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from labjobs import STACK_IMAGE, UpgradeEnv

from xeapp.datadir import DataDir
from xeapp.errors import InvalidInputError
from xeapp.store import Store
from xeapp.upgrade.topics import JOB_STATE


def test_job_two_seconds_ahead_starts_on_time(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env("c9500")
    manager = env.manager()
    started: dict[str, float] = {}

    def on_state(_topic: str, payload: dict[str, Any]) -> None:
        if payload["status"] == "Running":
            started[payload["job_id"]] = time.time()

    env.events.subscribe(JOB_STATE, on_state)
    due = datetime.now(UTC) + timedelta(seconds=2)
    [job] = manager.submit([env.lab.devices[0].ip], STACK_IMAGE, at=due)

    assert manager.get(job["job_id"])["status"] == "Pending"
    assert manager.wait([job["job_id"]], 20)
    late_s = started[job["job_id"]] - due.timestamp()
    assert late_s >= 0
    assert late_s < 1.0
    assert manager.get(job["job_id"])["status"] == "Success"


def test_start_time_past_grace_rejected(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env("c9500")
    manager = env.manager()
    past = datetime.now(UTC) - timedelta(seconds=env.settings.missed_job_grace_s + 60)

    with pytest.raises(InvalidInputError, match="is in the past"):
        manager.submit([env.lab.devices[0].ip], STACK_IMAGE, at=past)

    assert manager.list_jobs() == []


def schedule_then_stop(env: UpgradeEnv) -> str:
    """Schedule a job one second ahead, then stop the manager before it is due."""
    manager = env.manager()
    due = datetime.now(UTC) + timedelta(seconds=1)
    [job] = manager.submit([env.lab.devices[0].ip], STACK_IMAGE, at=due)
    manager.shutdown()
    time.sleep(2)
    return str(job["job_id"])


def test_job_due_while_stopped_is_missed(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env("c9500")
    job_id = schedule_then_stop(env)

    env.settings = dataclasses.replace(env.settings, missed_job_grace_s=0)
    manager = env.manager()
    record = manager.get(job_id)

    assert record["status"] == "Missed"
    assert "reschedule it" in record["reason"]


def test_job_due_within_grace_runs_after_restart(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env("c9500")
    job_id = schedule_then_stop(env)

    env.settings = dataclasses.replace(env.settings, missed_job_grace_s=60)
    manager = env.manager()

    assert manager.wait([job_id], 20)
    assert manager.get(job_id)["status"] == "Success"


def wait_for_step(db_dir: Any, step: str, timeout_s: float) -> dict[str, Any] | None:
    """Poll the store read-only until a job is Running in `step`; returns that job."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        store = Store(db_dir, read_only=True)
        jobs = store.list_jobs()
        store.close()
        for job in jobs:
            if job["status"] == "Running" and job.get("current_step") == step:
                return job
        time.sleep(0.2)
    return None


def test_killed_run_is_marked_interrupted(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env("c9500")
    device = env.lab.devices[0]
    with device.device.lock:
        device.device.reload_seconds = 60.0
    env.store.close()
    env.server.stop()
    command = [
        sys.executable, "-m", "xeapp", "--data-dir", str(env.root), "upgrade", device.ip,
        "--image", STACK_IMAGE, "--wait", "--serve-bind", "127.0.0.1", "--serve-port", "0",
        "--poll-interval", "0.2", "--reload-timeout", "120",
    ]  # fmt: skip
    environment = {**os.environ, "XEAPP_USERNAME": "admin", "XEAPP_PASSWORD": "admin"}
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        job = wait_for_step(DataDir(env.root).db_dir, "reload", 30)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert job is not None

    env.store = Store(DataDir(env.root).db_dir, events=env.events)
    env.server.start()
    manager = env.manager()
    record = manager.get(job["job_id"])

    assert record["status"] == "Failed"
    assert record["reason"] == "interrupted during step reload"
