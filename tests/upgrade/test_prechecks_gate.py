"""A job's first step re-runs every pre-check: a Fail stops it, a Warn needs acceptance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from labjobs import BUNDLE_IMAGE, BUNDLE_SPEC, FAST, STACK_IMAGE, UpgradeEnv, build_env

from xeapp.datadir import DataDir
from xeapp.prechecks import PrecheckService
from xeapp.targets import Target

Records = dict[str, dict[str, Any]]
IGNORE_STARTUP_CONFIG = {"SWITCH_IGNORE_STARTUP_CFG": "1"}


@pytest.fixture(scope="module")
def gated(
    tmp_path_factory: pytest.TempPathFactory, lab_login: None
) -> Iterator[tuple[UpgradeEnv, PrecheckService, Records]]:
    """Run one job per case at once; return the environment, its pre-checks and the records."""
    env = build_env(
        tmp_path_factory.mktemp("gate"),
        {
            "profile": "c9500",
            "hostname": "rommon-flag",
            "romvars": {"SWITCH_IGNORE_STARTUP_CFG": "1"},
        },
        {**BUNDLE_SPEC, "hostname": "not-acknowledged"},
        {**BUNDLE_SPEC, "hostname": "acknowledged-before"},
        {**BUNDLE_SPEC, "hostname": "accepted-with-job"},
        base="127.0.0.90",
    )
    try:
        service = PrecheckService(env.logins, env.store, workers=2)
        [before] = service.run([Target(env.ip("acknowledged-before"))], BUNDLE_IMAGE)
        assert before.needs_acknowledgement
        service.acknowledge(before.ip_address, BUNDLE_IMAGE)

        manager = env.manager(options=FAST, prechecks=service)
        jobs = manager.submit([env.ip("rommon-flag")], STACK_IMAGE)
        jobs += manager.submit(
            [env.ip("not-acknowledged"), env.ip("acknowledged-before")], BUNDLE_IMAGE
        )
        jobs += manager.submit(
            [env.ip("accepted-with-job")], BUNDLE_IMAGE, acknowledge_warnings=True
        )
        assert manager.wait([job["job_id"] for job in jobs], 60)
        records = {env.lab.device(j["target_ip"]).hostname: manager.get(j["job_id"]) for j in jobs}
        yield env, service, records
    finally:
        env.close()


def test_fail_stops_before_the_device(gated: tuple[UpgradeEnv, PrecheckService, Records]) -> None:
    env, _, records = gated
    record = records["rommon-flag"]

    assert record["status"] == "Failed"
    assert record["reason"].startswith("pre-check failed: rommon_flags: ")
    assert [step["step"] for step in record["steps"]] == ["precheck"]
    assert not (DataDir(env.root).backups_dir / env.ip("rommon-flag")).exists()
    device = env.lab.device("rommon-flag").device
    with device.lock:
        assert STACK_IMAGE not in device.active_member.filesystem.files


def test_warning_without_acknowledgement_fails(
    gated: tuple[UpgradeEnv, PrecheckService, Records],
) -> None:
    _, _, records = gated
    record = records["not-acknowledged"]

    assert record["status"] == "Failed"
    assert record["reason"].startswith("pre-check warnings not acknowledged: boot_variable: ")
    assert "disk_space: " in record["reason"]


def test_acknowledged_warnings_let_job_run(
    gated: tuple[UpgradeEnv, PrecheckService, Records],
) -> None:
    env, service, records = gated
    record = records["acknowledged-before"]

    assert record["status"] == "Success", record["reason"]
    stored = service.load(env.ip("acknowledged-before"))
    assert stored is not None
    assert stored.acknowledged


def test_warnings_accepted_with_job(gated: tuple[UpgradeEnv, PrecheckService, Records]) -> None:
    env, _, records = gated
    record = records["accepted-with-job"]

    assert record["status"] == "Success", record["reason"]
    assert "pre-check warnings accepted with the job" in env.log(record["job_id"])
