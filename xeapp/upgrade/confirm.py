"""Confirmation: every member runs the target, committed, booting from packages.conf."""

from __future__ import annotations

from xeapp.devicefacts import DeviceFacts
from xeapp.parsers.install_output import InstallOutcome, classify_install_output
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import STEP_COMMIT, STEP_CONFIRM, JobFailed
from xeapp.upgrade.session import CliSession
from xeapp.versions import IOSXEVersion, parse_version, try_parse_version


def target_version(context: JobContext) -> IOSXEVersion:
    """Return the version of the job's image; raises InvalidInputError when it has none."""
    return parse_version(str(context.image.get("version") or ""))


def confirm_upgrade(context: JobContext, before: DeviceFacts, after: DeviceFacts) -> None:
    """Check every member is Ready on the target, install committed, boot from packages.conf.

    In two-phase mode the activation may still be uncommitted. Records the ROMMON version.
    Raises JobFailed ("rolled back" when the device runs its old version again).
    """
    recorder = context.recorder
    target = target_version(context)
    recorder.start_step(STEP_CONFIRM, f"expecting {target.short} on every member")
    recorder.update({"rommon_version": after.rommon_version, "to_version": after.current_version})

    running = try_parse_version(after.current_version)
    old = try_parse_version(before.current_version)
    if running is not None and old is not None and running.release == old.release:
        raise JobFailed(
            f"rolled back: the device came back on {after.current_version}, its version before "
            f"the upgrade, not on {target.short}"
        )
    problems = _problems(context, before, after, target)
    if problems:
        raise JobFailed("confirmation failed: " + "; ".join(problems))
    recorder.finish_step(
        STEP_CONFIRM,
        message=f"{after.current_version} on {len(after.members) or 1} members, "
        f"ROMMON {after.rommon_version or 'unknown'}",
    )


def _problems(
    context: JobContext, before: DeviceFacts, after: DeviceFacts, target: IOSXEVersion
) -> list[str]:
    problems: list[str] = []
    running = try_parse_version(after.current_version)
    if running is None or running.release != target.release:
        problems.append(f"the device runs {after.current_version or 'an unknown version'}")
    numbers = {member.number for member in after.members}
    for member in before.members:
        if member.number not in numbers:
            problems.append(f"member {member.number} is missing")
    for member in after.members:
        if member.state and member.state != "Ready":
            problems.append(f"member {member.number} is {member.state}")
        version = try_parse_version(member.version) if member.version else running
        if version is None or version.release != target.release:
            problems.append(f"member {member.number} runs {member.version or 'unknown'}")
    install = after.install_state
    if install is not None and install.uncommitted and not context.two_phase:
        problems.append("the activation is not committed")
    for boot in after.boot_variables:
        entries = boot.next_reload or boot.current
        if entries and not all(entry.endswith("packages.conf") for entry in entries):
            where = f" on {boot.location}" if boot.location else ""
            problems.append(f"boot variable{where} is {','.join(entries)}, not packages.conf")
    return problems


def commit_install(context: JobContext, cli: CliSession) -> None:
    """Run `install commit` after a confirmed two-phase activation; raises JobFailed."""
    recorder = context.recorder
    recorder.start_step(STEP_COMMIT, "install commit")
    output = cli.run_interactive(
        "install commit",
        step="install commit",
        timeout_s=context.options.command_base_timeout_s * 10,
        on_line=recorder.device_output,
    )
    result = classify_install_output(output)
    if result.outcome is not InstallOutcome.SUCCESS:
        raise JobFailed(f"install commit failed: {result.reason or 'no SUCCESS line'}")
    recorder.finish_step(STEP_COMMIT)


def check_committed(context: JobContext, after: DeviceFacts) -> None:
    """Raise JobFailed unless the device reads back committed, with no auto-abort timer."""
    install = after.install_state
    if install is None:
        context.recorder.line("install state not read after `install commit`")
        return
    if install.uncommitted or install.auto_abort_active:
        raise JobFailed(
            "`install commit` reported SUCCESS, but the device still shows an uncommitted "
            f"activation or a running auto-abort timer ({install.auto_abort_timer or 'no timer'}); "
            "run `install commit` on the device before the timer expires"
        )
    context.recorder.line("install state committed, no auto-abort timer")
