"""The pre-check gate a job passes before it touches the device.

A gate takes the job context and a fresh read of the device and returns check results; any
result "Fail" stops the job. JobManager takes the gate as an argument, so the app can pass the
full pre-check engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xeapp.devicefacts import DeviceFacts
from xeapp.upgrade.context import JobContext
from xeapp.versions import try_parse_version

PASS = "Pass"
WARN = "Warn"
FAIL = "Fail"


@dataclass(frozen=True)
class CheckResult:
    """One pre-check outcome: its stable name, Pass/Warn/Fail and a message."""

    check_name: str
    result: str
    message: str


PrecheckGate = Callable[[JobContext, DeviceFacts], list[CheckResult]]


def basic_prechecks(context: JobContext, facts: DeviceFacts) -> list[CheckResult]:
    """Run the checks that protect a job: version, install state, stack, space, ROMMON flag.

    NOTE: a subset of the pre-check engine (no boot variable, platform or verified-image
    checks); pass the full engine to JobManager(prechecks=...) where it is available.
    Returns one result per check.
    """
    return [
        _version(context, facts),
        _install_state(facts),
        _stack_health(facts),
        _disk_space(context, facts),
        _rommon_flags(facts),
    ]


def _version(context: JobContext, facts: DeviceFacts) -> CheckResult:
    target = try_parse_version(str(context.image.get("version") or ""))
    running = try_parse_version(facts.current_version)
    if target is None:
        return CheckResult("version", FAIL, f"{context.filename} has no known version")
    if running is None:
        return CheckResult("version", FAIL, "could not read the running version")
    if running.release == target.release:
        return CheckResult("version", FAIL, f"the device already runs {facts.current_version}")
    if running.release > target.release:
        message = f"downgrade from {facts.current_version} to {target.short}"
        return CheckResult("version", WARN, message)
    return CheckResult("version", PASS, f"{facts.current_version} to {target.short}")


def _install_state(facts: DeviceFacts) -> CheckResult:
    state = facts.install_state
    if state is None:
        return CheckResult("install_state", PASS, "no install summary (bundle mode or not read)")
    if state.operation_in_progress:
        return CheckResult(
            "install_state", FAIL, f"install operation in progress: {state.operation_in_progress}"
        )
    if state.uncommitted or state.auto_abort_active:
        return CheckResult(
            "install_state",
            FAIL,
            "an activation is not committed or the auto-abort timer runs; run `install commit` "
            "or `install abort` first",
        )
    return CheckResult("install_state", PASS, "no install operation pending")


def _stack_health(facts: DeviceFacts) -> CheckResult:
    bad = [
        f"member {member.number} is {member.state}"
        for member in facts.members
        if member.state and member.state != "Ready"
    ]
    if bad:
        return CheckResult("stack_health", FAIL, "; ".join(bad))
    return CheckResult("stack_health", PASS, f"{len(facts.members) or 1} members Ready")


def _disk_space(context: JobContext, facts: DeviceFacts) -> CheckResult:
    size = context.image_size
    short = [
        f"{m.filesystem or 'member ' + str(m.number)} has {m.free_bytes} bytes free, the image "
        f"needs {size}"
        for m in facts.members
        if m.free_bytes is not None and m.free_bytes < size
    ]
    if short:
        return CheckResult(
            "disk_space", FAIL, "; ".join(short) + "; free space with `install remove inactive`"
        )
    return CheckResult("disk_space", PASS, f"every member has room for {size} bytes")


def _rommon_flags(facts: DeviceFacts) -> CheckResult:
    if facts.romvars.get("SWITCH_IGNORE_STARTUP_CFG", "").strip() == "1":
        return CheckResult(
            "rommon_flags",
            FAIL,
            "SWITCH_IGNORE_STARTUP_CFG=1: the device would boot without its configuration",
        )
    return CheckResult("rommon_flags", PASS, "no ROMMON flag blocks the upgrade")
