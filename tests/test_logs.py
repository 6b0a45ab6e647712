"""Tests of logging: redaction, the device adapter, the log file and the job logs."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from xeapp import logs
from xeapp.events import JOB_LOG_LINE, EventBus
from xeapp.logs import (
    REDACTED,
    DeviceLogAdapter,
    JobLogs,
    RedactingFilter,
    configure_logging,
    redact,
    register_secret,
)


def make_record(msg: str, *args: Any, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_redact_longest_secret_first() -> None:
    register_secret("short-9c1")
    register_secret("short-9c1-and-longer")

    assert redact("x short-9c1-and-longer y") == f"x {REDACTED} y"


def test_filter_redacts_args() -> None:
    register_secret("arg-secret-4e7a")
    record = make_record("login with %s", "arg-secret-4e7a")

    RedactingFilter().filter(record)

    assert record.getMessage() == f"login with {REDACTED}"


def test_filter_redacts_exception_text() -> None:
    register_secret("exc-secret-b2d8")
    try:
        raise RuntimeError("auth failed for exc-secret-b2d8")
    except RuntimeError:
        record = make_record("failed", exc_info=sys.exc_info())

    RedactingFilter().filter(record)

    assert record.exc_text is not None
    assert "exc-secret-b2d8" not in record.exc_text
    assert REDACTED in record.exc_text


def test_log_file_redacted(tmp_path: Path, reset_logging: None) -> None:
    register_secret("file-secret-5a0c")
    configure_logging("DEBUG", tmp_path)
    logger = logging.getLogger("xeapp.test")

    logger.debug("password is %s", "file-secret-5a0c")
    try:
        raise ValueError("file-secret-5a0c")
    except ValueError:
        logger.exception("device rejected file-secret-5a0c")
    # Stopping the listener drains its queue into the file.
    logs.stop_logging()

    text = (tmp_path / "xeapp.log").read_text()
    assert "file-secret-5a0c" not in text
    assert f"password is {REDACTED}" in text
    assert "ValueError" in text


def test_device_adapter_prefixes_host_and_job(caplog: pytest.LogCaptureFixture) -> None:
    adapter = DeviceLogAdapter(logging.getLogger("xeapp.test"), "10.0.0.1", job_id="3fa2")

    with caplog.at_level(logging.INFO, logger="xeapp.test"):
        adapter.info("copy finished in %d s", 42)

    assert caplog.records[-1].getMessage() == "10.0.0.1 job 3fa2: copy finished in 42 s"
    assert caplog.records[-1].host == "10.0.0.1"
    assert caplog.records[-1].job_id == "3fa2"


def test_device_adapter_without_job(caplog: pytest.LogCaptureFixture) -> None:
    adapter = DeviceLogAdapter(logging.getLogger("xeapp.test"), "10.0.0.2")

    with caplog.at_level(logging.INFO, logger="xeapp.test"):
        adapter.info("online")

    assert caplog.records[-1].getMessage() == "10.0.0.2: online"


def test_job_log_append_read_tail(tmp_path: Path) -> None:
    job_logs = JobLogs(tmp_path)

    job_logs.append("j1", "staging image")
    job_logs.append("j1", "line 2\nline 3")

    lines = job_logs.read("j1")
    assert [line.split(" ", 1)[1] for line in lines] == ["staging image", "line 2", "line 3"]
    assert [line.split(" ", 1)[1] for line in job_logs.tail("j1", 2)] == ["line 2", "line 3"]
    assert job_logs.read("missing") == []
    assert job_logs.tail("missing") == []


def test_job_log_redacts_secrets(tmp_path: Path) -> None:
    register_secret("job-secret-08ee")
    job_logs = JobLogs(tmp_path)

    job_logs.append("j1", "enable secret job-secret-08ee")

    assert "job-secret-08ee" not in job_logs.path("j1").read_text()


def test_job_log_publishes_numbered_lines(tmp_path: Path) -> None:
    (tmp_path / "j1.log").write_text("2026-01-01T00:00:00.000Z earlier run\n")
    bus = EventBus()
    events: list[dict[str, Any]] = []
    bus.subscribe(JOB_LOG_LINE, lambda topic, payload: events.append(payload))

    JobLogs(tmp_path, bus).append("j1", "a\nb")

    assert [e["line_number"] for e in events] == [2, 3]
    assert events[0]["job_id"] == "j1"


@pytest.mark.parametrize("job_id", ["", "../x", "a/b", ".hidden"])
def test_job_log_rejects_path_ids(tmp_path: Path, job_id: str) -> None:
    with pytest.raises(ValueError, match="invalid job id"):
        JobLogs(tmp_path).path(job_id)


@pytest.mark.parametrize(
    ("level", "expected"), [("INFO", logging.CRITICAL), ("DEBUG", logging.DEBUG)]
)
def test_library_loggers_quiet_below_debug(level: str, expected: int) -> None:
    logs.configure_logging(level)
    try:
        assert logging.getLogger("ncclient").level == expected
        assert logging.getLogger("paramiko").level == expected
    finally:
        logs.stop_logging()
    assert logging.getLogger("ncclient").level == logging.NOTSET


def test_log_file_private(tmp_path: Path) -> None:
    logs.configure_logging("INFO", tmp_path)
    try:
        mode = (tmp_path / logs.LOG_FILE_NAME).stat().st_mode & 0o777
    finally:
        logs.stop_logging()
    assert mode == 0o600
