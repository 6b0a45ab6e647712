"""The install step: the one-step (or two-phase) install command, its result, and clean-up."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers.dir import parse_dir
from xeapp.parsers.install_output import (
    FailureKind,
    InstallOutcome,
    InstallResult,
    classify_install_output,
)
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import STEP_INSTALL, JobFailed
from xeapp.upgrade.session import Answer, CliSession, SessionDropped
from xeapp.upgrade.stage import image_path
from xeapp.versions import try_parse_version

_SUCCESS_LINE = re.compile(r"^SUCCESS: install_\w+", re.MULTILINE)
_YES_NO = re.compile(r"\[y/n\]\s*$")
REMOVE_INACTIVE = "install remove inactive"


@dataclass(frozen=True)
class InstallRun:
    """The classified output of one install command and whether the session dropped."""

    result: InstallResult
    dropped: bool


def install_command(context: JobContext) -> str:
    """Return the install command: one-step with commit, or with an auto-abort timer."""
    path = image_path(context)
    if context.two_phase:
        minutes = context.options.auto_abort_minutes
        return f"install add file {path} activate auto-abort-timer {minutes} prompt-level none"
    return f"install add file {path} activate commit prompt-level none"


def run_install(context: JobContext, cli: CliSession) -> InstallRun:
    """Send the install command and read until SUCCESS, FAILED, the prompt or a dropped session.

    From here on the job cannot be cancelled. Returns the run; raises DeviceTimeoutError when
    the install neither finishes nor drops the session within the install timeout.
    """
    command = install_command(context)
    context.mark_install_sent()
    try:
        output = cli.run_interactive(
            command,
            step="install",
            timeout_s=context.options.install_timeout_s,
            on_line=context.recorder.device_output,
            until=lambda text: _SUCCESS_LINE.search(text) is not None,
        )
        dropped = False
    except SessionDropped as exc:
        output, dropped = exc.output, True
    return InstallRun(classify_install_output(output), dropped)


def failure_reason(result: InstallResult, *, cleaned_up: bool) -> str:
    """Return the reason a user reads for a FAILED install, with the fix where one is known."""
    reason = result.reason or "no reason given"
    kind = result.failure_kind
    if kind is FailureKind.NOT_ENOUGH_SPACE:
        numbers = ""
        if result.required_kb is not None and result.available_kb is not None:
            numbers = f": {result.required_kb} KB needed, {result.available_kb} KB free"
        return (
            f"install failed, not enough free space{numbers} ({reason}); free space with "
            f"`{REMOVE_INACTIVE}` or by deleting unused files, then run the upgrade again"
        )
    if kind is FailureKind.ALREADY_ADDED:
        done = f"xeapp ran `{REMOVE_INACTIVE}` and retried once; " if cleaned_up else ""
        return (
            f"install failed, the super package is already added ({reason}); {done}run "
            f"`{REMOVE_INACTIVE}` on the device, check `show install summary`, then run the "
            "upgrade again"
        )
    if kind is FailureKind.CONFIG_NOT_SAVED:
        return f"install failed, the configuration is not saved ({reason}); run `write memory`"
    return f"install failed: {reason}"


def target_already_added(context: JobContext) -> bool:
    """Return True when an earlier attempt added the target image and left it Inactive."""
    facts = context.facts
    target = try_parse_version(str(context.image.get("version") or ""))
    if facts is None or facts.install_state is None or target is None:
        return False
    for package in facts.install_state.packages:
        version = try_parse_version(package.filename)
        if package.state == "I" and version is not None and version.release == target.release:
            return True
    return False


def leftover_packages(context: JobContext, cli: CliSession) -> list[str]:
    """Return the .pkg files of the target release on the image filesystem.

    An add whose install record was since cleared leaves such files. Returns an empty list
    when the `dir` output cannot be parsed.
    """
    target = try_parse_version(str(context.image.get("version") or ""))
    if target is None:
        return []
    filesystem = image_path(context).split(":", 1)[0] + ":"
    try:
        listing = parse_dir(cli.send_command(f"dir {filesystem}", step="dir"))
    except ParserError:
        return []
    token = f".{target.release}."
    return [e.name for e in listing.entries if e.name.endswith(".pkg") and token in e.name]


def remove_inactive(context: JobContext, cli: CliSession) -> None:
    """Run `install remove inactive`, answering its [y/n]; raises JobFailed when it fails.

    It also deletes every .bin the device does not boot, so the image is staged afterwards.
    """
    context.recorder.line(f"running `{REMOVE_INACTIVE}` to discard packages added earlier")
    # run_interactive, not SshDriver.send_interactive, because it streams each line of the
    # output to the job log as the device prints it.
    output = cli.run_interactive(
        REMOVE_INACTIVE,
        step=REMOVE_INACTIVE,
        timeout_s=context.options.command_base_timeout_s * 10,
        on_line=context.recorder.device_output,
        answers=[Answer(_YES_NO, "y")],
    )
    result = classify_install_output(output)
    if result.outcome is not InstallOutcome.SUCCESS:
        raise JobFailed(f"`{REMOVE_INACTIVE}` failed: {result.reason or 'no SUCCESS line'}")


def start_install_step(context: JobContext) -> None:
    """Record the start of the install step with the command it sends."""
    context.recorder.start_step(STEP_INSTALL, install_command(context))
