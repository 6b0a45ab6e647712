"""Each lab fault ends its job in the expected state and reason; a healthy job next to them
still succeeds. Every job runs at once on one lab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from labjobs import FAST, STACK_IMAGE, UpgradeEnv, build_env

from xeapp.upgrade import UpgradeOptions

# fault name, its parameters, extra faults, the expected reason fragment
FAULT_CASES: list[tuple[str, dict[str, Any], dict[str, dict[str, Any]], str]] = [
    ("copy_http_404", {}, {}, "failed: %Error opening"),
    ("copy_corrupt", {}, {}, "the copy was corrupt and was deleted"),
    ("install_no_space", {}, {}, "not enough free space"),
    ("install_super_package_added", {}, {}, "xeapp ran `install remove inactive`"),
    ("reload_never_returns", {}, {}, "did not come back within 15 s"),
    ("reload_rollback", {}, {}, "rolled back"),
    ("reload_member_missing", {"member": 3}, {}, "member 3 is"),
    (
        "connection_reset",
        {"command": "install"},
        {"install_failed": {}},
        "session dropped during the install command",
    ),
]
# Longer than the 16 characters netmiko keeps of a prompt.
HEALTHY = "healthy-stack-next-to-faults"
# A device comes back within about 3 s alone. Nine reloading at once on a busy machine took
# over 8 s, so the reload timeout is 15 s, and each faulty job must still fail within the limit.
OPTIONS = UpgradeOptions(**{**FAST.__dict__, "reload_timeout_s": 15.0, "down_timeout_s": 3.0})
LIMIT_S = 30.0


def hostname(fault: str) -> str:
    return fault.replace("_", "-")


@pytest.fixture(scope="module")
def fault_jobs(
    tmp_path_factory: pytest.TempPathFactory, lab_login: None
) -> Iterator[tuple[UpgradeEnv, dict[str, dict[str, Any]]]]:
    """Run one job per faulty device and one on a healthy device at once; return the records."""
    specs = [
        {"profile": "c9300-stack3", "hostname": hostname(fault), "faults": {fault: params, **extra}}
        for fault, params, extra, _ in FAULT_CASES
    ]
    env = build_env(
        tmp_path_factory.mktemp("faults"),
        *specs,
        {"profile": "c9300-stack3", "hostname": HEALTHY},
        base="127.0.0.110",
    )
    try:
        manager = env.manager(options=OPTIONS, max_parallel=len(specs) + 1)
        jobs = manager.submit([device.ip for device in env.lab.devices], STACK_IMAGE)
        finished = manager.wait([job["job_id"] for job in jobs], LIMIT_S + 10)
        records = {env.lab.device(j["target_ip"]).hostname: manager.get(j["job_id"]) for j in jobs}
        running = [name for name, record in records.items() if record["status"] == "Running"]
        assert finished, f"still running: {running}"
        yield env, records
    finally:
        env.close()


def run_time_s(record: dict[str, Any]) -> float:
    started = datetime.fromisoformat(record["started_at"])
    return (datetime.fromisoformat(record["finished_at"]) - started).total_seconds()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [(case[0], case[3]) for case in FAULT_CASES],
    ids=[case[0] for case in FAULT_CASES],
)
def test_fault_fails_its_job(
    fault_jobs: tuple[UpgradeEnv, dict[str, dict[str, Any]]], fault: str, reason: str
) -> None:
    env, records = fault_jobs
    record = records[hostname(fault)]

    assert record["status"] == "Failed"
    assert reason in record["reason"], env.log(record["job_id"])
    assert run_time_s(record) < LIMIT_S


def test_healthy_job_next_to_faults_succeeds(
    fault_jobs: tuple[UpgradeEnv, dict[str, dict[str, Any]]],
) -> None:
    env, records = fault_jobs
    record = records[HEALTHY]

    assert record["status"] == "Success", env.log(record["job_id"])


def test_corrupt_copy_is_deleted(fault_jobs: tuple[UpgradeEnv, dict[str, dict[str, Any]]]) -> None:
    env, _ = fault_jobs
    state = env.lab.device(hostname("copy_corrupt")).device
    with state.lock:
        assert STACK_IMAGE not in state.active_member.filesystem.files
