"""Event bus topics an upgrade job publishes, with the payload of each.

Every payload carries `job_id`. Callbacks run in the job's worker thread, so a UI hands each
event to its event loop instead of touching widgets.

- `job.state` (JOB_STATE): `{job_id, target_ip, status, reason, current_step}` when a job
  changes state (Pending, Running, Success, Failed, Cancelled, Missed).
- `job.step` (JOB_STEP): `{job_id, target_ip, step, status, started_at, finished_at, message}`
  when a step starts (status "running") and when it ends ("done", "skipped", "failed").
- `job.progress` (JOB_PROGRESS): `{job_id, step, done_bytes, total_bytes, fraction}` while an
  image is copied, at most every half second per job.
- `job.log.line` (xeapp.events.JOB_LOG_LINE, published by xeapp.logs.JobLogs):
  `{job_id, line_number, line}` for every line appended to the job's log; `line_number` is
  1-based and equals the line's position in the log file (see xeapp.upgrade.logfollow).
- `jobs.changed` (xeapp.events.JOBS_CHANGED, published by the store) on every job record write.
"""

from __future__ import annotations

from xeapp.events import JOB_LOG_LINE, JOBS_CHANGED

JOB_STATE = "job.state"
JOB_STEP = "job.step"
JOB_PROGRESS = "job.progress"

__all__ = ["JOBS_CHANGED", "JOB_LOG_LINE", "JOB_PROGRESS", "JOB_STATE", "JOB_STEP"]
