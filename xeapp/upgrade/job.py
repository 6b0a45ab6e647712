"""One upgrade job from pre-check to confirmation, with every step recorded."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from xeapp.backups import backup_configs, config_differs
from xeapp.devicefacts import DeviceFacts
from xeapp.discovery import facts_to_record
from xeapp.drivers.facts import read_device
from xeapp.errors import DeviceError, XeappError
from xeapp.parsers.install_output import FailureKind, InstallOutcome
from xeapp.upgrade import install
from xeapp.upgrade.abort import abort_two_phase
from xeapp.upgrade.confirm import check_committed, commit_install, confirm_upgrade
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.prechecks import PrecheckRunner, run_prechecks
from xeapp.upgrade.record import (
    CANCELLED,
    FAILED,
    RUNNING,
    STEP_BACKUP,
    STEP_CONFIRM,
    STEP_FAILED,
    STEP_INSTALL,
    STEP_PRECHECK,
    STEP_SAVE,
    STEP_SKIPPED,
    STEP_VERIFY,
    SUCCESS,
    JobCancelled,
    JobFailed,
    now_iso,
)
from xeapp.upgrade.reload import DeviceReader, NotReloaded, wait_for_reload
from xeapp.upgrade.session import CliSession
from xeapp.upgrade.stage import stage_image, verify_image

log = logging.getLogger(__name__)


class InventoryWriter(Protocol):
    """The store call a job makes to record what it read."""

    def upsert_device(self, device: dict[str, Any]) -> dict[str, Any]: ...


class UpgradeJob:
    """Runs one job in the calling thread; `run` turns every step error into a Failed record."""

    def __init__(
        self,
        context: JobContext,
        prechecks: PrecheckRunner,
        inventory: InventoryWriter | None,
        reader: DeviceReader = read_device,
    ) -> None:
        self.context = context
        self.prechecks = prechecks
        self.inventory = inventory
        self.reader = reader

    def run(self) -> str:
        """Run every step; returns the final status (Success, Failed or Cancelled)."""
        recorder = self.context.recorder
        recorder.set_state(RUNNING, started_at=now_iso())
        status, reason = SUCCESS, None
        try:
            self._run_steps()
        except JobCancelled:
            status, reason = CANCELLED, "cancelled before the install command was sent"
        except JobFailed as exc:
            status, reason = FAILED, exc.reason
        except DeviceError as exc:
            status, reason = FAILED, f"{exc.step}: {exc.reason}"
        except XeappError as exc:
            status, reason = FAILED, str(exc)
        except Exception as exc:  # a bug must end this job, never the worker or other jobs
            recorder.log.exception("job failed unexpectedly")
            status, reason = FAILED, f"unexpected error: {exc!r}"

        if status != SUCCESS and recorder.current_step:
            step = recorder.steps[-1] if recorder.steps else None
            if step is not None and step.get("finished_at") is None:
                recorder.finish_step(step["step"], STEP_FAILED, reason or "")
        recorder.line(f"job {status}{': ' + reason if reason else ''}")
        if status == FAILED:
            recorder.log.error("upgrade failed: %s", reason)
        recorder.set_state(status, reason, finished_at=now_iso())
        return status

    def _run_steps(self) -> None:
        context = self.context
        before = self._precheck()
        context.check_cancel()
        with context.open_cli() as cli:
            self._prepare(cli)
            outcome = self._install(cli)
            if outcome.dropped or outcome.result.outcome is InstallOutcome.SUCCESS:
                cli.abandon()
        after = self._track_reload(before, outcome)
        self._confirm(before, after)

    def _precheck(self) -> DeviceFacts:
        context, recorder = self.context, self.context.recorder
        recorder.start_step(STEP_PRECHECK, f"target {context.filename}")
        try:
            facts = self.reader(context.login)
        except DeviceError as exc:
            raise JobFailed(f"pre-check: could not read the device: {exc.reason}") from exc
        context.facts = facts
        recorder.update({"from_version": facts.current_version})
        outcome = run_prechecks(context, self.prechecks)
        counts = outcome.counts()
        recorder.finish_step(
            STEP_PRECHECK,
            message=f"{len(outcome.checks)} checks: {counts['Pass']} Pass, {counts['Warn']} Warn "
            "accepted, none failed",
        )
        return facts

    def _prepare(self, cli: CliSession) -> None:
        """Back up, stage, verify and save, each step ending at a cancel point."""
        context, recorder = self.context, self.context.recorder
        recorder.start_step(STEP_BACKUP, "running and startup configuration")
        running = cli.send_command("show running-config", step="show running-config")
        startup = cli.send_command("show startup-config", step="show startup-config")
        backup = backup_configs(context.backups_dir, context.host, running, startup)
        recorder.update({"backup_files": [str(backup.running), str(backup.startup)]})
        recorder.finish_step(STEP_BACKUP, message=str(backup.running.parent))
        context.check_cancel()

        self._clear_earlier_add(cli)
        self._stage(cli)
        context.check_cancel()

        self._save(cli, running, startup)
        context.check_cancel()

    def _clear_earlier_add(self, cli: CliSession) -> None:
        """Let a rerun install an image an earlier attempt already added.

        `install add` rejects a release that is already added and Inactive, so that one is
        discarded. Package files without an install record are left, because the add
        writes them again.
        """
        context = self.context
        version = context.image.get("version")
        if install.target_already_added(context):
            context.recorder.line(f"{version} is added and Inactive from an earlier attempt")
            install.remove_inactive(context, cli)
            return
        leftovers = install.leftover_packages(context, cli)
        if leftovers:
            context.recorder.line(
                f"{len(leftovers)} package files of {version} are on the device from an "
                f"earlier attempt ({', '.join(leftovers)}); install add writes them again"
            )

    def _save(self, cli: CliSession, running: str, startup: str) -> None:
        """Run `write memory` when the running configuration differs from startup."""
        recorder = self.context.recorder
        facts = self.context.facts
        unsaved = facts.unsaved_config if facts is not None else None
        source = "NETCONF unsaved-config"
        if unsaved is None:
            # Without NETCONF the device has no flag to read, so compare the backed-up texts.
            unsaved, source = config_differs(running, startup), "comparison of the backups"
        if unsaved:
            recorder.start_step(STEP_SAVE, f"running configuration differs from startup ({source})")
            cli.save_config()
            recorder.finish_step(STEP_SAVE, message="write memory")
        else:
            recorder.start_step(STEP_SAVE)
            recorder.finish_step(STEP_SAVE, STEP_SKIPPED, f"configuration already saved ({source})")

    def _stage(self, cli: CliSession) -> None:
        context = self.context
        stage_image(context, cli)
        if context.recorder.steps[-1]["status"] == STEP_SKIPPED:
            context.recorder.start_step(STEP_VERIFY)
            context.recorder.finish_step(STEP_VERIFY, STEP_SKIPPED, "MD5 checked while staging")
        else:
            verify_image(context, cli)

    def _install(self, cli: CliSession) -> install.InstallRun:
        context = self.context
        install.start_install_step(context)
        run = install.run_install(context, cli)
        result = run.result
        cleaned_up = False
        if result.failure_kind is FailureKind.ALREADY_ADDED:
            context.recorder.line("the image was added by an earlier attempt; cleaning up")
            install.remove_inactive(context, cli)
            self._stage(cli)
            install.start_install_step(context)
            run = install.run_install(context, cli)
            result, cleaned_up = run.result, True
        # A session cut inside the FAILED line leaves no reason: the result is unknown.
        cut = run.dropped and result.outcome is InstallOutcome.FAILED and result.reason is None
        if result.outcome is InstallOutcome.FAILED and not cut:
            raise JobFailed(install.failure_reason(result, cleaned_up=cleaned_up))
        if result.outcome is InstallOutcome.SUCCESS:
            context.recorder.finish_step(STEP_INSTALL, message="SUCCESS; the device reloads")
        elif not run.dropped:
            raise JobFailed("install ended without a SUCCESS or FAILED line")
        return run

    def _track_reload(self, before: DeviceFacts, run: install.InstallRun) -> DeviceFacts:
        context = self.context
        if run.result.outcome is not InstallOutcome.SUCCESS:
            context.recorder.line(
                "the session dropped before the install reported a result; watching for a reload"
            )
        try:
            return wait_for_reload(context, before, self.reader)
        except NotReloaded as exc:
            running = exc.facts.current_version
            if run.result.outcome is InstallOutcome.SUCCESS:
                raise JobFailed(
                    f"install reported SUCCESS but the device did not reload within "
                    f"{context.options.down_timeout_s:g} s; it still runs {running}"
                ) from exc
            raise JobFailed(
                "the SSH session dropped during the install command before SUCCESS or FAILED, "
                f"and the device did not reload within {context.options.down_timeout_s:g} s; "
                f"it still runs {running}; check `show install summary` on the device"
            ) from exc

    def _confirm(self, before: DeviceFacts, after: DeviceFacts) -> None:
        context = self.context
        try:
            confirm_upgrade(context, before, after)
        except JobFailed as exc:
            self._store_facts(after)
            if not context.two_phase:
                raise
            context.recorder.finish_step(STEP_CONFIRM, STEP_FAILED, exc.reason)
            aborted = abort_two_phase(context, after, self.reader)
            if aborted.facts is not None:
                self._store_facts(aborted.facts)
            raise JobFailed(f"{exc.reason}; {aborted.message}") from exc
        if context.two_phase:
            with context.open_cli() as cli:
                commit_install(context, cli)
            after = self.reader(context.login)
            check_committed(context, after)
        self._store_facts(after)

    def _store_facts(self, facts: DeviceFacts) -> None:
        if self.inventory is not None:
            try:
                self.inventory.upsert_device(facts_to_record(facts))
            except XeappError as exc:
                self.context.recorder.line(f"could not update the inventory: {exc}")
