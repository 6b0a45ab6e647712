"""Each lab fault ends its job in the expected state and reason; the healthy job next to it
still succeeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from labjobs import FAST, STACK_IMAGE, UpgradeEnv

from xeapp.upgrade import UpgradeOptions

# fault name, its parameters, extra faults, the expected reason fragment
FAULT_CASES: list[tuple[str, dict[str, Any], dict[str, dict[str, Any]], str]] = [
    ("copy_http_404", {}, {}, "failed: %Error opening"),
    ("copy_corrupt", {}, {}, "the copy was corrupt and was deleted"),
    ("install_no_space", {}, {}, "not enough free space"),
    ("install_super_package_added", {}, {}, "xeapp ran `install remove inactive`"),
    ("reload_never_returns", {}, {}, "did not come back within 8 s"),
    ("reload_rollback", {}, {}, "rolled back"),
    ("reload_member_missing", {"member": 3}, {}, "member 3 is"),
    (
        "connection_reset",
        {"command": "install"},
        {"install_failed": {}},
        "session dropped during the install command",
    ),
]
# The healthy device comes back within about 3 s; the faulty one must fail within the limit.
OPTIONS = UpgradeOptions(**{**FAST.__dict__, "reload_timeout_s": 8.0, "down_timeout_s": 3.0})
LIMIT_S = 30.0


@pytest.mark.parametrize(
    ("fault", "params", "extra", "reason"),
    FAULT_CASES,
    ids=[case[0] for case in FAULT_CASES],
)
def test_fault_fails_only_its_job(
    upgrade_env: Callable[..., UpgradeEnv],
    fault: str,
    params: dict[str, Any],
    extra: dict[str, dict[str, Any]],
    reason: str,
) -> None:
    env = upgrade_env(
        {"profile": "c9300-stack3", "hostname": "faulty", "faults": {fault: params, **extra}},
        {"profile": "c9300-stack3", "hostname": "healthy"},
    )
    manager = env.manager(options=OPTIONS)
    started = time.monotonic()
    jobs = manager.submit([env.ip("faulty"), env.ip("healthy")], STACK_IMAGE)

    finished = manager.wait([job["job_id"] for job in jobs], LIMIT_S)
    faulty, healthy = (manager.get(job["job_id"]) for job in jobs)
    logs = "\n".join(env.job_logs.read(faulty["job_id"]) + env.job_logs.read(healthy["job_id"]))
    assert finished, logs
    assert time.monotonic() - started < LIMIT_S
    assert faulty["status"] == "Failed"
    assert reason in faulty["reason"], logs
    assert healthy["status"] == "Success", logs


def test_corrupt_copy_is_deleted(upgrade_env: Callable[..., UpgradeEnv]) -> None:
    env = upgrade_env({"profile": "c9500", "faults": {"copy_corrupt": {}}})
    manager = env.manager()
    [job] = manager.submit([env.lab.devices[0].ip], STACK_IMAGE)

    assert manager.wait([job["job_id"]], 20)
    assert manager.get(job["job_id"])["status"] == "Failed"
    state = env.lab.devices[0].device
    with state.lock:
        assert STACK_IMAGE not in state.active_member.filesystem.files
