"""Job record changes that need no running job: finish a Pending job, interrupt, clear."""

from __future__ import annotations

from typing import Any

from xeapp.errors import InvalidInputError, NotFoundError
from xeapp.events import EventBus
from xeapp.logs import JobLogs
from xeapp.store import Store
from xeapp.upgrade.record import FAILED, FINISHED_STATES, PENDING, JobRecorder, now_iso


def get_job(store: Store, job_id: str) -> dict[str, Any]:
    """Return a job record; raises NotFoundError."""
    job = store.get_job(job_id)
    if job is None:
        raise NotFoundError(f"job {job_id} not found")
    return job


def finish_pending(
    store: Store, job_logs: JobLogs, events: EventBus | None, job_id: str, status: str, reason: str
) -> dict[str, Any] | None:
    """Move a Pending job to `status` (Cancelled, Missed) with `reason`.

    Returns the record, or None when the job was no longer Pending.
    """
    job = store.get_job(job_id)
    if job is None or job["status"] != PENDING:
        return None
    recorder = JobRecorder(job, store, job_logs, events)
    recorder.line(f"job {status}: {reason}")
    return recorder.set_state(status, reason, finished_at=now_iso())


def interrupt(
    store: Store, job_logs: JobLogs, events: EventBus | None, job_id: str, cause: str | None
) -> dict[str, Any]:
    """Mark a job Failed as interrupted during its last step; returns the record."""
    job = get_job(store, job_id)
    recorder = JobRecorder(job, store, job_logs, events)
    reason = f"interrupted during step {job.get('current_step') or 'none'}"
    if cause:
        reason += f": {cause}"
    recorder.line(f"job {FAILED}: {reason}")
    return recorder.set_state(FAILED, reason, finished_at=now_iso())


def clear_job(store: Store, job_logs: JobLogs, job_id: str) -> None:
    """Remove a finished job and its log; raises NotFoundError or InvalidInputError."""
    job = get_job(store, job_id)
    if job["status"] not in FINISHED_STATES:
        raise InvalidInputError(
            f"job {job_id} is {job['status']}; only finished jobs can be cleared"
        )
    store.remove_job(job_id)
    job_logs.remove(job_id)


def clear_finished(store: Store, job_logs: JobLogs) -> int:
    """Remove every finished job and its log; returns how many were removed."""
    finished = [j["job_id"] for j in store.list_jobs() if j["status"] in FINISHED_STATES]
    for job_id in finished:
        clear_job(store, job_logs, job_id)
    return len(finished)
