"""Step 1 of a job: re-run every pre-check for the device and image, and decide whether to go on.

The job runs the same ten checks as `xeapp precheck` and the Inventory page, through the
PrecheckService, so the results it stores replace the device's earlier ones. Any Fail stops the
job. A Warn stops it too unless the user accepted it: either the device's warnings were
acknowledged for this image before the job ran (only the checks that warned then count as
accepted), or the job was submitted with `acknowledge_warnings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from xeapp.errors import XeappError
from xeapp.prechecks import CheckResult, DevicePrechecks, TargetImage
from xeapp.targets import Target
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import JobFailed


class PrecheckRunner(Protocol):
    """The PrecheckService calls a job makes."""

    def target_image(self, filename: str) -> TargetImage: ...

    def check_device(self, target: Target, image: TargetImage) -> DevicePrechecks: ...

    def load(self, ip_address: str) -> DevicePrechecks | None: ...

    def acknowledge(
        self, ip_address: str, image_filename: str | None = None
    ) -> DevicePrechecks: ...


def run_prechecks(context: JobContext, service: PrecheckRunner) -> DevicePrechecks:
    """Re-run every pre-check of the job's device against its image and log each result.

    Returns the device's results. Raises JobFailed naming the failed checks, or the warnings
    that were neither acknowledged for this image nor accepted with the job.
    """
    recorder = context.recorder
    accepted = acknowledged_checks(service.load(context.host), context.filename)
    try:
        image = service.target_image(context.filename)
    except XeappError as exc:
        raise JobFailed(f"pre-check: {exc}") from exc
    target = Target(
        context.host, ssh_port=context.login.ssh_port, netconf_port=context.login.netconf_port
    )
    outcome = service.check_device(target, image)
    for check in outcome.checks:
        recorder.line(f"pre-check {check.check_name}: {check.result.value}: {check.message}")

    if outcome.failures:
        raise JobFailed("pre-check failed: " + describe(outcome.failures))
    unaccepted = [c for c in outcome.warnings if c.check_name not in accepted]
    if unaccepted and not context.acknowledge_warnings:
        raise JobFailed(
            "pre-check warnings not acknowledged: "
            + describe(unaccepted)
            + "; acknowledge them (Inventory page, or `xeapp precheck HOST --image FILENAME "
            "--ack-warnings`) or start the upgrade with --ack-warnings"
        )
    if not outcome.warnings:
        return outcome

    # Storing the new results cleared the earlier acknowledgement, so record it again.
    when = "with the job" if context.acknowledge_warnings else "before the job"
    recorder.line(f"pre-check warnings accepted {when}: {', '.join(_names(outcome.warnings))}")
    try:
        return service.acknowledge(context.host, context.filename)
    except XeappError as exc:
        recorder.line(f"could not store the warning acknowledgement: {exc}")
        return outcome


def acknowledged_checks(previous: DevicePrechecks | None, filename: str) -> set[str]:
    """Return the names of the checks whose warnings the user acknowledged for `filename`."""
    if previous is None or previous.image != filename or not previous.acknowledged:
        return set()
    return set(_names(previous.warnings))


def describe(checks: Iterable[CheckResult]) -> str:
    """Return `name: message` of each check, joined by semicolons."""
    return "; ".join(f"{check.check_name}: {check.message}" for check in checks)


def _names(checks: Iterable[CheckResult]) -> list[str]:
    return [check.check_name for check in checks]
