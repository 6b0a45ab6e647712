"""A rerun installs an image an earlier attempt already added."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from labjobs import FAST, STACK_IMAGE, UpgradeEnv, build_env

Records = dict[str, tuple[dict[str, Any], dict[str, Any]]]
HOSTS = ("inactive", "files-only")


@pytest.fixture(scope="module")
def reruns(
    tmp_path_factory: pytest.TempPathFactory, lab_login: None
) -> Iterator[tuple[UpgradeEnv, Records]]:
    """Fail a job after its add (the device rolls back), then run it again without the fault.

    On "files-only" the Inactive install record is dropped before the rerun, so only the
    package files of the earlier add remain.
    """
    env = build_env(
        tmp_path_factory.mktemp("rerun"),
        *[
            {"profile": "c9300-stack3", "hostname": name, "faults": {"reload_rollback": {}}}
            for name in HOSTS
        ],
        base="127.0.0.100",
    )
    try:
        manager = env.manager(options=FAST)
        first = manager.submit([env.ip(name) for name in HOSTS], STACK_IMAGE)
        assert manager.wait([job["job_id"] for job in first], 60)
        for name in HOSTS:
            env.lab.clear_faults(name)
        device = env.lab.device("files-only").device
        with device.lock:
            device.install.packages = [p for p in device.install.packages if p.state != "I"]

        second = manager.submit([env.ip(name) for name in HOSTS], STACK_IMAGE)
        assert manager.wait([job["job_id"] for job in second], 60)
        records = {
            name: (manager.get(a["job_id"]), manager.get(b["job_id"]))
            for name, a, b in zip(HOSTS, first, second, strict=True)
        }
        yield env, records
    finally:
        env.close()


def test_first_attempt_rolled_back(reruns: tuple[UpgradeEnv, Records]) -> None:
    _, records = reruns
    for name in HOSTS:
        first, _ = records[name]
        assert first["status"] == "Failed"
        assert first["reason"].startswith("rolled back:")


def test_rerun_removes_inactive_image(reruns: tuple[UpgradeEnv, Records]) -> None:
    env, records = reruns
    _, second = records["inactive"]
    log = env.log(second["job_id"])

    assert second["status"] == "Success", second["reason"]
    assert "is added and Inactive from an earlier attempt" in log
    assert "install remove inactive" in log


def test_rerun_continues_over_package_files(reruns: tuple[UpgradeEnv, Records]) -> None:
    env, records = reruns
    _, second = records["files-only"]
    log = env.log(second["job_id"])

    assert second["status"] == "Success", second["reason"]
    assert "package files of 17.12.04 are on the device from an earlier attempt" in log
    assert "install remove inactive" not in log
