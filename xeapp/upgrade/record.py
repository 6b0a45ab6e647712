"""Job states, step names, and the recorder that writes a job's steps, log and state."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any, Protocol

from xeapp.events import EventBus
from xeapp.logs import DeviceLogAdapter, JobLogs
from xeapp.upgrade.topics import JOB_PROGRESS, JOB_STATE, JOB_STEP

log = logging.getLogger(__name__)

PENDING = "Pending"
RUNNING = "Running"
SUCCESS = "Success"
FAILED = "Failed"
CANCELLED = "Cancelled"
MISSED = "Missed"
ACTIVE_STATES = (PENDING, RUNNING)
FINISHED_STATES = (SUCCESS, FAILED, CANCELLED, MISSED)

# Step names, in the order a job runs them. "commit" runs only in two-phase mode, and "abort"
# replaces it there when the confirmation fails.
STEP_PRECHECK = "precheck"
STEP_BACKUP = "backup"
STEP_STAGE = "stage"
STEP_VERIFY = "verify"
STEP_SAVE = "save"
STEP_INSTALL = "install"
STEP_RELOAD = "reload"
STEP_CONFIRM = "confirm"
STEP_COMMIT = "commit"
STEP_ABORT = "abort"

STEP_RUNNING = "running"
STEP_DONE = "done"
STEP_SKIPPED = "skipped"
STEP_FAILED = "failed"

_PROGRESS_INTERVAL_S = 0.5


class JobFailed(Exception):
    """A job ends as Failed; `reason` is the message shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class JobCancelled(Exception):
    """A job was cancelled before the install command was sent."""


class JobStore(Protocol):
    """The store calls a job makes."""

    def update_job(self, job_id: str, fields: dict[str, Any]) -> dict[str, Any]: ...

    def get_job(self, job_id: str) -> dict[str, Any] | None: ...


def now_iso() -> str:
    """Return the current time as ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class JobRecorder:
    """Writes one job's steps, log lines, progress and state to the store, its log and the bus.

    Log lines of one job are appended under one lock, so their `job.log.line` events are
    published in line-number order.
    """

    def __init__(
        self,
        job: dict[str, Any],
        store: JobStore,
        job_logs: JobLogs,
        events: EventBus | None,
    ) -> None:
        self.job_id: str = job["job_id"]
        self.host: str = job["target_ip"]
        self.store = store
        self.job_logs = job_logs
        self.events = events
        self.log = DeviceLogAdapter(log, self.host, self.job_id)
        self.steps: list[dict[str, Any]] = list(job.get("steps") or [])
        self.current_step: str | None = job.get("current_step")
        self._log_lock = threading.Lock()
        self._last_progress = 0.0

    # Log

    def line(self, text: str) -> None:
        """Append an xeapp line to the job's log and to the app log."""
        self.log.info("%s", text)
        self._append(text)

    def device_output(self, text: str) -> None:
        """Append lines the device printed, each marked with `| `."""
        for line in text.splitlines():
            self.log.debug("device: %s", line)
            self._append(f"| {line}")

    def _append(self, text: str) -> None:
        with self._log_lock:
            self.job_logs.append(self.job_id, text)

    # Steps

    def start_step(self, step: str, message: str = "") -> None:
        """Record that `step` starts, in the job record, the log and on the bus."""
        entry = {
            "step": step,
            "status": STEP_RUNNING,
            "started_at": now_iso(),
            "finished_at": None,
            "message": message,
        }
        self.steps.append(entry)
        self.current_step = step
        self.line(f"step {step}: started{': ' + message if message else ''}")
        self.update({"steps": self.steps, "current_step": step})
        self._publish(JOB_STEP, {"target_ip": self.host, **entry})

    def finish_step(self, step: str, status: str = STEP_DONE, message: str = "") -> None:
        """Record the end of `step` with status done, skipped or failed."""
        entry = next((s for s in reversed(self.steps) if s["step"] == step), None)
        if entry is None:
            entry = {"step": step, "started_at": now_iso(), "message": ""}
            self.steps.append(entry)
        entry["status"] = status
        entry["finished_at"] = now_iso()
        if message:
            entry["message"] = message
        self.line(f"step {step}: {status}{': ' + message if message else ''}")
        self.update({"steps": self.steps})
        self._publish(JOB_STEP, {"target_ip": self.host, **entry})

    def progress(
        self, step: str, done_bytes: int, total_bytes: int, *, force: bool = False
    ) -> None:
        """Publish copy progress, at most every half second unless `force`."""
        now = time.monotonic()
        if not force and now - self._last_progress < _PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        fraction = min(1.0, done_bytes / total_bytes) if total_bytes > 0 else 0.0
        self._publish(
            JOB_PROGRESS,
            {
                "step": step,
                "done_bytes": done_bytes,
                "total_bytes": total_bytes,
                "fraction": round(fraction, 4),
            },
        )

    # Record and state

    def update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Merge `fields` into the job record; returns the stored record."""
        return self.store.update_job(self.job_id, fields)

    def set_state(self, status: str, reason: str | None = None, **fields: Any) -> dict[str, Any]:
        """Store a new state with its reason and publish `job.state`; returns the record."""
        record = self.update({"status": status, "reason": reason, **fields})
        self._publish(
            JOB_STATE,
            {
                "target_ip": self.host,
                "status": status,
                "reason": reason,
                "current_step": self.current_step,
            },
        )
        return record

    def _publish(self, topic: str, payload: dict[str, Any]) -> None:
        if self.events is not None:
            self.events.publish(topic, {"job_id": self.job_id, **payload})
