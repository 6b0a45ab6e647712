"""Two-phase upgrades against the lab: commit after confirmation, abort or timer when it fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from labjobs import FAST, STACK_IMAGE, UpgradeEnv, build_env

from xeapp.drivers.facts import read_device
from xeapp.upgrade.topics import JOB_STEP

# hostname: faults of a C9300 stack of three
DEVICES: dict[str, dict[str, dict[str, Any]]] = {
    "confirmed": {},
    "member-missing": {"reload_member_missing": {"member": 3}},
    "rolled-back": {"reload_rollback": {}},
    # Logins fail from the confirmation on, so `install abort` cannot be sent.
    "abort-lost": {"reload_member_missing": {"member": 3}},
}


def lock_out_at_confirm(env: UpgradeEnv, hostname: str) -> Callable[[str, dict[str, Any]], None]:
    """Return a `job.step` callback that makes `hostname` reject logins once it is confirmed."""

    def on_step(_topic: str, payload: dict[str, Any]) -> None:
        if payload["target_ip"] == env.ip(hostname) and payload["step"] == "confirm":
            env.lab.set_fault(hostname, "wrong_credentials")

    return on_step


@pytest.fixture(scope="module")
def two_phase(
    tmp_path_factory: pytest.TempPathFactory, lab_login: None
) -> Iterator[tuple[UpgradeEnv, dict[str, dict[str, Any]]]]:
    """Run one two-phase job per device at once; return the environment and the final records."""
    env = build_env(
        tmp_path_factory.mktemp("two-phase"),
        *[
            {"profile": "c9300-stack3", "hostname": name, "faults": faults}
            for name, faults in DEVICES.items()
        ],
        base="127.0.0.80",
    )
    try:
        env.events.subscribe(JOB_STEP, lock_out_at_confirm(env, "abort-lost"))
        manager = env.manager(options=FAST)
        jobs = manager.submit([env.ip(name) for name in DEVICES], STACK_IMAGE, two_phase=True)
        assert manager.wait([job["job_id"] for job in jobs], 60)
        pairs = zip(DEVICES, jobs, strict=True)
        records = {name: manager.get(job["job_id"]) for name, job in pairs}
        yield env, records
    finally:
        env.close()


def steps(record: dict[str, Any]) -> list[str]:
    return [step["step"] for step in record["steps"]]


def test_confirmed_activation_is_committed(
    two_phase: tuple[UpgradeEnv, dict[str, dict[str, Any]]],
) -> None:
    env, records = two_phase
    record = records["confirmed"]
    log = env.log(record["job_id"])

    assert record["status"] == "Success", record["reason"]
    assert "activate auto-abort-timer 60 prompt-level none" in log
    assert steps(record)[-2:] == ["confirm", "commit"]
    facts = read_device(env.logins.login(env.ip("confirmed")))
    assert facts.install_state is not None
    assert not facts.install_state.uncommitted
    assert not facts.install_state.auto_abort_active


def test_missing_member_sends_install_abort(
    two_phase: tuple[UpgradeEnv, dict[str, dict[str, Any]]],
) -> None:
    env, records = two_phase
    record = records["member-missing"]

    assert record["status"] == "Failed"
    assert "member 3 is" in record["reason"]
    assert (
        "xeapp sent `install abort`; the device reloaded and runs 17.09.04a again"
        in (record["reason"])
    )
    assert steps(record)[-2:] == ["confirm", "abort"]
    device = env.lab.device("member-missing").device
    with device.lock:
        assert device.version == "17.9.4a"


def test_rollback_leaves_nothing_to_abort(
    two_phase: tuple[UpgradeEnv, dict[str, dict[str, Any]]],
) -> None:
    _, records = two_phase
    record = records["rolled-back"]

    assert record["status"] == "Failed"
    assert record["reason"].startswith("rolled back:")
    assert "nothing to abort" in record["reason"]


def test_lost_abort_leaves_the_timer(
    two_phase: tuple[UpgradeEnv, dict[str, dict[str, Any]]],
) -> None:
    env, records = two_phase
    record = records["abort-lost"]

    assert record["status"] == "Failed"
    assert "`install abort` failed" in record["reason"]
    assert "the auto-abort timer rolls the device back within 60 minutes" in record["reason"]
    device = env.lab.device("abort-lost").device
    with device.lock:
        assert device.install.auto_abort_deadline is not None
