"""Logging set-up, secret redaction, device log lines and the append-only per-job logs."""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import re
import sys
import threading
from collections import deque
from collections.abc import MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xeapp.events import JOB_LOG_LINE, EventBus

log = logging.getLogger(__name__)

REDACTED = "********"
LOG_FILE_NAME = "xeapp.log"
LOG_FILE_MAX_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets_lock = threading.Lock()
_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None


def register_secret(secret: str | None) -> None:
    """Add a secret to the set every log record and job log line is redacted of."""
    global _secret_pattern
    if not secret:
        return
    with _secrets_lock:
        if secret in _secrets:
            return
        _secrets.add(secret)
        # Longer secrets come first in the pattern, so a secret containing another is replaced
        # whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Return `text` with every registered secret replaced by asterisks."""
    pattern = _secret_pattern
    if pattern is None or not text:
        return text
    return pattern.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Removes registered secrets from a record's message, arguments and exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secret_pattern is None:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not match the format are kept next to it, redacted too.
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class DeviceLogAdapter(logging.LoggerAdapter[logging.Logger]):
    """Prefixes each line with the device address and, when given, the job id.

    The address and job id also go into the record as `host` and `job_id` attributes.
    """

    def __init__(self, logger: logging.Logger, host: str, job_id: str | None = None) -> None:
        super().__init__(logger, {"host": host, "job_id": job_id})
        self.prefix = f"{host} job {job_id}" if job_id else host

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs["extra"] = {**(self.extra or {}), **kwargs.get("extra", {})}
        return f"{self.prefix}: {msg}", kwargs


_listener: logging.handlers.QueueListener | None = None
_queue_handler: logging.handlers.QueueHandler | None = None


LIBRARY_LOGGERS = ("ncclient", "paramiko")


def configure_logging(level: int | str = logging.INFO, log_dir: Path | None = None) -> None:
    """Send log records to stderr and, with `log_dir`, to a rotating `xeapp.log` in it.

    Records pass through a queue, so file I/O happens in a listener thread rather than in the
    thread that logs (the UI's event loop among them). Every record is redacted of registered
    secrets before it is queued. Calling it again replaces the earlier configuration.
    """
    global _listener, _queue_handler
    root = logging.getLogger()
    stop_logging()

    redacting = RedactingFilter()
    formatter = logging.Formatter(_FORMAT)
    console = _StderrHandler()
    handlers: list[logging.Handler] = [console]
    if log_dir is not None:
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Device addresses and hostnames go in this file, so it is the user's alone.
        log_file = log_dir / LOG_FILE_NAME
        log_file.touch(mode=0o600, exist_ok=True)
        log_file.chmod(0o600)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / LOG_FILE_NAME,
                maxBytes=LOG_FILE_MAX_BYTES,
                backupCount=LOG_FILE_BACKUPS,
                encoding="utf-8",
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redacting)

    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _queue_handler = logging.handlers.QueueHandler(records)
    _queue_handler.addFilter(redacting)
    _listener = logging.handlers.QueueListener(records, *handlers, respect_handler_level=True)
    root.addHandler(_queue_handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # The drivers turn SSH and NETCONF failures into xeapp errors that name the device and the
    # step, so below DEBUG the libraries' own records (ncclient's XML at INFO, paramiko's banner
    # tracebacks while a device reloads) only repeat them.
    library_level = logging.DEBUG if root.level <= logging.DEBUG else logging.CRITICAL
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(library_level)
    _listener.start()


class _StderrHandler(logging.StreamHandler[Any]):
    """A console handler that writes to whatever `sys.stderr` is when a record arrives.

    A plain StreamHandler keeps the stream it was created with, which breaks when that stream is
    swapped and closed later, as pytest does for each test that runs the CLI in-process.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def stop_logging() -> None:
    """Write out the queued records and remove what configure_logging installed."""
    global _listener, _queue_handler
    if _queue_handler is not None:
        logging.getLogger().removeHandler(_queue_handler)
        _queue_handler = None
    if _listener is not None:
        _listener.stop()
        for handler in _listener.handlers:
            handler.close()
        _listener = None
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


# Drains the queue before logging's own shutdown flushes and closes the handlers.
atexit.register(stop_logging)


class JobLogs:
    """Append-only log files, one per job, named `<job_id>.log` in one directory.

    Each line is stored with a UTC timestamp and redacted of registered secrets. With an
    event bus, every appended line is also published on `job.log.line` with its 1-based
    line number, so a reader that loaded N lines takes events numbered above N.
    """

    def __init__(self, directory: Path, events: EventBus | None = None) -> None:
        self.directory = directory
        self.events = events
        self._lock = threading.Lock()
        self._line_counts: dict[str, int] = {}

    def path(self, job_id: str) -> Path:
        if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
            raise ValueError(f"invalid job id {job_id!r}")
        return self.directory / f"{job_id}.log"

    def append(self, job_id: str, text: str) -> None:
        """Append each line of `text` to the job's log."""
        path = self.path(job_id)
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        lines = [f"{stamp} {redact(line)}" for line in text.splitlines() or [""]]
        with self._lock:
            count = self._line_counts.get(job_id)
            if count is None:
                count = len(self._read_lines(path))
            with open(path, "a", encoding="utf-8") as log_file:
                log_file.write("".join(f"{line}\n" for line in lines))
            self._line_counts[job_id] = count + len(lines)
        if self.events is not None:
            for offset, line in enumerate(lines, start=1):
                payload = {"job_id": job_id, "line_number": count + offset, "line": line}
                self.events.publish(JOB_LOG_LINE, payload)

    def read(self, job_id: str) -> list[str]:
        """Return every line of the job's log, oldest first; none for a job without a log."""
        with self._lock:
            return self._read_lines(self.path(job_id))

    def tail(self, job_id: str, count: int = 50) -> list[str]:
        """Return the last `count` lines of the job's log."""
        path = self.path(job_id)
        with self._lock:
            try:
                with open(path, encoding="utf-8") as log_file:
                    return [line.rstrip("\n") for line in deque(log_file, maxlen=count)]
            except FileNotFoundError:
                return []

    def remove(self, job_id: str) -> None:
        """Delete the job's log file if there is one."""
        with self._lock:
            self.path(job_id).unlink(missing_ok=True)
            self._line_counts.pop(job_id, None)

    @staticmethod
    def _read_lines(path: Path) -> list[str]:
        try:
            return path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
