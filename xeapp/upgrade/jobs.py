"""The job manager: submits, schedules, runs, cancels and clears upgrade jobs.

Jobs live in the store, so a restart finds them again: `start` marks jobs that were Running
as Failed ("interrupted") and re-reads their devices, re-arms scheduled jobs, runs those due
within `settings.missed_job_grace_s`, and marks older ones Missed. A scheduled job never runs
later than that grace on its own. At most `max_parallel` jobs run at once (worker threads);
the others wait as Pending. A device has at most one Pending or Running job.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

from xeapp.discovery import facts_to_record
from xeapp.drivers.facts import read_device
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import InvalidInputError, NotFoundError, XeappError
from xeapp.events import EventBus
from xeapp.images import validate_image_filename
from xeapp.logs import JobLogs
from xeapp.prechecks import PrecheckService
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.upgrade import jobstore
from xeapp.upgrade.context import CopyUrl, JobContext, TransferBytes
from xeapp.upgrade.job import UpgradeJob
from xeapp.upgrade.options import UpgradeOptions
from xeapp.upgrade.prechecks import PrecheckRunner
from xeapp.upgrade.record import (
    ACTIVE_STATES,
    CANCELLED,
    FAILED,
    FINISHED_STATES,
    MISSED,
    PENDING,
    RUNNING,
    JobRecorder,
    now_iso,
)
from xeapp.upgrade.reload import DeviceReader
from xeapp.upgrade.schedule import aware, decide_start, stored_time

log = logging.getLogger(__name__)

_WAIT_POLL_S = 0.1


class JobManager:
    """Runs upgrade jobs on worker threads and keeps their records in the store.

    `prechecks` is the pre-check engine a job re-runs as its first step; without it the
    manager builds a PrecheckService on `logins` and `store`.
    """

    def __init__(
        self,
        store: Store,
        job_logs: JobLogs,
        events: EventBus | None,
        settings: Settings,
        logins: LoginResolver,
        *,
        backups_dir: Path,
        copy_url: CopyUrl,
        transfer_bytes: TransferBytes | None = None,
        prechecks: PrecheckRunner | None = None,
        options: UpgradeOptions | None = None,
        reader: DeviceReader = read_device,
        max_parallel: int | None = None,
    ) -> None:
        self.store = store
        self.job_logs = job_logs
        self.events = events
        self.settings = settings
        self.logins = logins
        self.backups_dir = backups_dir
        self.copy_url = copy_url
        self.transfer_bytes: TransferBytes = transfer_bytes or (lambda _ip, _name: None)
        # Jobs re-run the checks one device each, on their own worker thread.
        self.prechecks = prechecks or PrecheckService(logins, store, workers=1)
        self.options = options or UpgradeOptions.from_settings(settings)
        self.reader = reader
        self.max_parallel = max_parallel or settings.max_parallel_upgrades
        self._lock = threading.RLock()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._running: dict[str, JobContext] = {}
        self._workers: list[threading.Thread] = []
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._armed_before_start: dict[str, datetime] = {}
        self._started = False

    # Lifecycle

    def start(self) -> list[dict[str, Any]]:
        """Recover jobs left by the last run, start the scheduler and the workers.

        Returns the jobs whose state changed during recovery.
        """
        changed = self._recover()
        self._scheduler.start()
        for index in range(self.max_parallel):
            worker = threading.Thread(target=self._work, name=f"upgrade-{index}", daemon=True)
            worker.start()
            self._workers.append(worker)
        self._started = True
        for job_id, due in self._armed_before_start.items():
            self._arm(job_id, due)
        self._armed_before_start.clear()
        log.info("job manager started with %d workers", self.max_parallel)
        return changed

    def shutdown(self, wait_s: float = 0.0) -> None:
        """Stop scheduling; cancel jobs that have not sent their install command.

        Waits up to `wait_s` for running jobs; those still running are recorded as Failed
        ("interrupted") with their last step, since their threads end with the process.
        """
        if self._started:
            self._scheduler.shutdown(wait=False)
        with self._lock:
            running = dict(self._running)
        for context in running.values():
            context.request_cancel()
        for _ in self._workers:
            self._queue.put(None)
        deadline = time.monotonic() + wait_s
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            left = list(self._running)
        for job_id in left:
            self._interrupt(job_id, "the app stopped")
        self._started = False

    # Submitting

    def submit(
        self,
        hosts: Iterable[str],
        image: str,
        *,
        at: datetime | None = None,
        two_phase: bool = False,
        stop_after_failures: int | None = None,
        source_interface: str | None = None,
        acknowledge_warnings: bool = False,
    ) -> list[dict[str, Any]]:
        """Create one job per host for `image`, to run now or at `at`; returns the records.

        With `acknowledge_warnings` the jobs accept every pre-check Warn; otherwise a Warn
        stops a job unless the device's warnings were acknowledged for `image` beforehand.

        Raises InvalidInputError (or NotFoundError) for an image not in the repository, an
        invalid address, a device with a Pending or Running job, or a bad failure limit.
        """
        filename = validate_image_filename(image)
        record = self.store.get_image(filename)
        if record is None:
            raise NotFoundError(f"image {filename} is not in the repository; add it first")
        if stop_after_failures is not None and stop_after_failures < 1:
            raise InvalidInputError("the failure limit of a batch must be 1 or more")
        targets = list(dict.fromkeys(hosts))
        due = aware(at) if at is not None else None
        self._check_not_past(due)
        batch_id = uuid.uuid4().hex[:12]

        with self._lock:
            busy = {j["target_ip"] for j in self.store.list_jobs() if j["status"] in ACTIVE_STATES}
            jobs = []
            for host in targets:
                job = _new_record(host, record, due, two_phase, batch_id)
                job["source_interface"] = source_interface
                job["acknowledge_warnings"] = acknowledge_warnings
                job["stop_after_failures"] = stop_after_failures
                job["log_output"] = str(self.job_logs.path(job["job_id"]))
                if job["target_ip"] in busy:
                    raise InvalidInputError(
                        f"{job['target_ip']} already has a pending or running job; cancel it first"
                    )
                jobs.append(job)
            stored = [self.store.add_job(job) for job in jobs]
        for job in stored:
            self.job_logs.append(job["job_id"], f"job created for {job['target_ip']}: {filename}")
            self._dispatch(job["job_id"], due)
        return stored

    def _check_not_past(self, due: datetime | None) -> None:
        """Raise InvalidInputError for a start time older than the missed-job grace period.

        A time within the grace period runs now, as a job that came due while the app was
        closed would; an older one is almost surely a typo, and the install reloads devices.
        """
        if due is None:
            return
        grace = timedelta(seconds=self.settings.missed_job_grace_s)
        if due < datetime.now(UTC) - grace:
            raise InvalidInputError(
                f"start time {due.isoformat(timespec='minutes')} is in the past; give a future "
                "time, or none to start now"
            )

    def _dispatch(self, job_id: str, due: datetime | None) -> None:
        if due is None or due <= datetime.now(UTC):
            self._queue.put(job_id)
        elif self._started:
            self._arm(job_id, due)
        else:
            self._armed_before_start[job_id] = due

    def _arm(self, job_id: str, due: datetime) -> None:
        self._scheduler.add_job(
            self._queue.put,
            DateTrigger(run_date=due),
            args=[job_id],
            id=job_id,
            misfire_grace_time=max(1, self.settings.missed_job_grace_s),
            replace_existing=True,
        )
        log.info("job %s scheduled for %s", job_id, due.isoformat())

    def _on_missed(self, event: JobExecutionEvent) -> None:
        self._finish_pending(event.job_id, MISSED, "the scheduler could not start it in time")

    # Cancelling and clearing

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a Pending job, or ask a Running one to stop before its install command.

        Returns the record (a Running job shows Cancelled once it reaches its next cancel
        point). Raises NotFoundError, and InvalidInputError for a finished job or one that
        already sent its install command.
        """
        job = self.get(job_id)
        with self._lock:
            context = self._running.get(job_id)
        if job["status"] == RUNNING and context is not None:
            if not context.request_cancel():
                raise InvalidInputError(
                    f"job {job_id} already sent the install command to {job['target_ip']}; "
                    "it can no longer be cancelled"
                )
            context.recorder.line("cancel requested; stopping at the next step")
            return self.get(job_id)
        if job["status"] != PENDING:
            raise InvalidInputError(f"job {job_id} is {job['status']}; only active jobs cancel")
        return self._finish_pending(job_id, CANCELLED, "cancelled by the user") or job

    def clear(self, job_id: str) -> None:
        """Remove a finished job and its log; raises NotFoundError or InvalidInputError."""
        jobstore.clear_job(self.store, self.job_logs, job_id)

    def clear_finished(self) -> int:
        """Remove every finished job and its log; returns how many were removed."""
        return jobstore.clear_finished(self.store, self.job_logs)

    # Reading

    def get(self, job_id: str) -> dict[str, Any]:
        """Return a job record; raises NotFoundError."""
        return jobstore.get_job(self.store, job_id)

    def list_jobs(self) -> list[dict[str, Any]]:
        """Return every job, oldest first."""
        return self.store.list_jobs()

    def wait(self, job_ids: Iterable[str], timeout_s: float | None = None) -> bool:
        """Block until every job in `job_ids` is finished; False when `timeout_s` passed first."""
        ids = list(job_ids)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            records = [self.store.get_job(job_id) for job_id in ids]
            if all(r is None or r["status"] in FINISHED_STATES for r in records):
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(_WAIT_POLL_S)

    # Running

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._run(job_id)
            except Exception:  # a store or bug error must not end the worker
                log.exception("job %s: worker failed", job_id)

    def _run(self, job_id: str) -> None:
        job = self.store.get_job(job_id)
        if job is None or job["status"] != PENDING:
            return
        recorder = JobRecorder(job, self.store, self.job_logs, self.events)
        try:
            context = self._context(job, recorder)
        except XeappError as exc:
            recorder.line(f"job Failed: {exc}")
            recorder.set_state(FAILED, str(exc), finished_at=now_iso())
            self._after_failure(job)
            return
        with self._lock:
            self._running[job_id] = context
        try:
            status = UpgradeJob(context, self.prechecks, self.store, self.reader).run()
        finally:
            with self._lock:
                self._running.pop(job_id, None)
        if status == FAILED:
            self._after_failure(job)

    def _context(self, job: dict[str, Any], recorder: JobRecorder) -> JobContext:
        image = self.store.get_image(job["image"])
        if image is None:
            raise NotFoundError(f"image {job['image']} is no longer in the repository")
        return JobContext(
            recorder=recorder,
            login=self.logins.login(job["target_ip"]),
            image=image,
            options=self.options,
            copy_url=self.copy_url,
            transfer_bytes=self.transfer_bytes,
            backups_dir=self.backups_dir,
            two_phase=bool(job.get("two_phase")),
            acknowledge_warnings=bool(job.get("acknowledge_warnings")),
            source_interface=job.get("source_interface"),
        )

    def _after_failure(self, job: dict[str, Any]) -> None:
        """Cancel the batch's Pending jobs once its failures reach its limit."""
        limit = job.get("stop_after_failures")
        if not limit:
            return
        batch = [j for j in self.store.list_jobs() if j.get("batch_id") == job["batch_id"]]
        failures = sum(1 for j in batch if j["status"] == FAILED)
        if failures < limit:
            return
        reason = f"batch stopped after {failures} failed jobs (limit {limit})"
        for other in batch:
            if other["status"] == PENDING:
                self._finish_pending(other["job_id"], CANCELLED, reason)

    def _finish_pending(self, job_id: str, status: str, reason: str) -> dict[str, Any] | None:
        """Move a Pending job to `status`; returns the record, None if it was no longer Pending."""
        with self._lock:
            if self._started and self._scheduler.get_job(job_id) is not None:
                self._scheduler.remove_job(job_id)
            return jobstore.finish_pending(
                self.store, self.job_logs, self.events, job_id, status, reason
            )

    # Recovery at start

    def _recover(self) -> list[dict[str, Any]]:
        changed = []
        for job in self.store.list_jobs():
            if job["status"] == RUNNING:
                changed.append(self._interrupt(job["job_id"], None))
                threading.Thread(target=self._reread, args=(job["target_ip"],), daemon=True).start()
            elif job["status"] == PENDING:
                due = stored_time(job.get("schedule_time")) or stored_time(job.get("created_at"))
                decision = decide_start(due or datetime.now(UTC), self.settings.missed_job_grace_s)
                if decision.action == "arm":
                    self._armed_before_start[job["job_id"]] = decision.due
                elif decision.action == "run":
                    self._queue.put(job["job_id"])
                else:
                    reason = (
                        f"scheduled for {decision.due.isoformat()} while the app was not running "
                        f"(more than {self.settings.missed_job_grace_s} s ago); reschedule it"
                    )
                    record = self._finish_pending(job["job_id"], MISSED, reason)
                    changed.append(record or job)
        return changed

    def _interrupt(self, job_id: str, cause: str | None) -> dict[str, Any]:
        return jobstore.interrupt(self.store, self.job_logs, self.events, job_id, cause)

    def _reread(self, ip_address: str) -> None:
        """Read a device whose job was interrupted, so the inventory shows its real state."""
        try:
            facts = self.reader(self.logins.login(ip_address))
            self.store.upsert_device(facts_to_record(facts))
            log.info("%s: re-read after an interrupted job: %s", ip_address, facts.current_version)
        except XeappError as exc:
            log.warning("%s: could not re-read after an interrupted job: %s", ip_address, exc)


def _new_record(
    host: str, image: dict[str, Any], due: datetime | None, two_phase: bool, batch_id: str
) -> dict[str, Any]:
    return {
        "job_id": uuid.uuid4().hex[:12],
        "target_ip": host,
        "image": image["filename"],
        "target_version": image.get("version"),
        "schedule_time": due.isoformat() if due else None,
        "status": PENDING,
        "two_phase": two_phase,
        "batch_id": batch_id,
        "steps": [],
        "current_step": None,
        "from_version": None,
        "to_version": None,
        "reason": None,
    }
