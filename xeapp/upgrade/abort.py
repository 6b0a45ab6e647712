"""Roll back a two-phase activation whose confirmation failed: `install abort` or the timer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.devicefacts import DeviceFacts
from xeapp.errors import DeviceError
from xeapp.parsers.install_output import InstallOutcome, classify_install_output
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import STEP_ABORT, STEP_FAILED, STEP_SKIPPED, JobFailed
from xeapp.upgrade.reload import DeviceReader, NotReloaded, wait_for_reload
from xeapp.upgrade.session import SessionDropped

_RESULT_LINE = re.compile(r"^(SUCCESS|FAILED): install_\w+", re.MULTILINE)
ABORT = "install abort"


@dataclass(frozen=True)
class AbortOutcome:
    """The result of an abort: a message for the job's reason, and the device read afterwards."""

    message: str
    facts: DeviceFacts | None = None


def abort_two_phase(context: JobContext, after: DeviceFacts, reader: DeviceReader) -> AbortOutcome:
    """Roll back the unconfirmed activation of a two-phase job; returns how it went.

    Nothing is sent when the device shows no uncommitted activation (it already came back on
    its old version). Otherwise xeapp sends `install abort` and waits for the reload it starts;
    when the abort cannot be sent or fails, the auto-abort timer is left to roll back. Never
    raises for a device error: the outcome message says what happened.
    """
    recorder = context.recorder
    install = after.install_state
    if install is not None and not install.uncommitted and not install.auto_abort_active:
        recorder.start_step(STEP_ABORT)
        recorder.finish_step(STEP_ABORT, STEP_SKIPPED, "no uncommitted activation")
        return AbortOutcome("no uncommitted activation is left on the device, so nothing to abort")

    recorder.start_step(STEP_ABORT, ABORT)
    output, error = _send_abort(context)
    result = classify_install_output(output)
    if result.outcome is not InstallOutcome.SUCCESS:
        cause = error or result.reason or "no SUCCESS line"
        recorder.finish_step(STEP_ABORT, STEP_FAILED, cause)
        return AbortOutcome(
            f"`{ABORT}` failed ({cause}), so the auto-abort timer rolls the device back within "
            f"{context.options.auto_abort_minutes} minutes of the activation"
        )

    try:
        facts = wait_for_reload(context, after, reader, step=STEP_ABORT)
    except (JobFailed, NotReloaded) as exc:
        recorder.finish_step(STEP_ABORT, STEP_FAILED, str(exc))
        return AbortOutcome(
            f"xeapp sent `{ABORT}`, but the device did not finish its reload ({exc}); check it "
            "with `show install summary`"
        )
    return AbortOutcome(
        f"xeapp sent `{ABORT}`; the device reloaded and runs {facts.current_version} again",
        facts,
    )


def _send_abort(context: JobContext) -> tuple[str, str | None]:
    """Send `install abort`; return its output up to the result line, and the error if any."""
    try:
        with context.open_cli() as cli:
            output = cli.run_interactive(
                ABORT,
                step=ABORT,
                timeout_s=context.options.command_base_timeout_s * 10,
                on_line=context.recorder.device_output,
                until=lambda text: _RESULT_LINE.search(text) is not None,
            )
            # A successful abort reloads the device, which never replies to a logout.
            cli.abandon()
            return output, None
    except SessionDropped as exc:
        return exc.output, None
    except DeviceError as exc:
        context.recorder.line(f"{ABORT}: {exc.reason}")
        return "", exc.reason
