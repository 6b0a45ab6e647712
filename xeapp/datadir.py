"""The data directory: its layout, its single-writer lock and crash-safe file writes."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

import platformdirs
import psutil

from xeapp.errors import DataDirLockedError, XeappError

log = logging.getLogger(__name__)

DATA_DIR_ENV = "XEAPP_DATA_DIR"


def default_data_dir() -> Path:
    """Return the per-user data directory platformdirs gives for xeapp."""
    return platformdirs.user_data_path("xeapp", appauthor=False)


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """Return the data directory: the option if given, else `XEAPP_DATA_DIR`, else the default."""
    if option:
        return Path(option).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    return default_data_dir()


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data directory."""

    root: Path

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def db_dir(self) -> Path:
        """Directory of the TinyDB files, one or more per table."""
        return self.root / "db"

    @property
    def repo_dir(self) -> Path:
        """Image repository."""
        return self.root / "repo"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def job_logs_dir(self) -> Path:
        return self.root / "logs" / "jobs"

    @property
    def backups_dir(self) -> Path:
        """Device configurations saved before upgrades."""
        return self.root / "backups"

    @property
    def lock_file(self) -> Path:
        return self.root / "xeapp.lock"

    @classmethod
    def create(cls, root: Path) -> DataDir:
        """Create the directory tree, readable by the user alone, and return its paths.

        Raises XeappError when a directory cannot be created.
        """
        data_dir = cls(root.resolve())
        subdirs = (
            data_dir.db_dir,
            data_dir.repo_dir,
            data_dir.job_logs_dir,
            data_dir.backups_dir,
        )
        try:
            for path in (data_dir.root, data_dir.logs_dir, *subdirs):
                path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise XeappError(f"cannot create data directory {root}: {exc}") from exc
        return data_dir


class DataDirLock:
    """An exclusive lock on a data directory, held by at most one process.

    The lock file contains the holder's PID. The operating system lock (flock on POSIX,
    msvcrt.locking on Windows) decides who wins, so two processes racing cannot both
    acquire it, and a lock whose holder died is free again because the OS drops it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock.

        Raises DataDirLockedError naming the PID of the live process holding it.
        """
        if self._file is not None:
            return
        lock_file = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - held until release
        try:
            os.chmod(self.path, 0o600)
            if not _try_lock(lock_file):
                raise DataDirLockedError(str(self.path.parent), _wait_for_pid(lock_file))

            previous = _read_pid(lock_file)
            if previous is not None and previous != os.getpid():
                log.warning(
                    "took over the lock of data directory %s from process %d, which is "
                    "no longer running or no longer holds it",
                    self.path.parent,
                    previous,
                )
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.write(f"{os.getpid()}\n")
            lock_file.flush()
        except BaseException:
            lock_file.close()
            raise
        self._file = lock_file
        log.debug("locked data directory %s", self.path.parent)

    def release(self) -> None:
        """Release the lock; the file stays, emptied, so no other process loses its handle."""
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self._file.seek(0)
            self._file.truncate()
            self._file.flush()
        _unlock(self._file)
        self._file.close()
        self._file = None
        log.debug("released data directory %s", self.path.parent)

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_holder(path: Path) -> int | None:
    """Return the PID recorded in a lock file if that process is alive, else None."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return None
    if not text.isdigit():
        return None
    pid = int(text)
    return pid if psutil.pid_exists(pid) else None


def _wait_for_pid(lock_file: IO[str]) -> int:
    # A holder writes its PID just after it takes the lock, so an empty file is a holder
    # that has not written yet.
    deadline = time.monotonic() + 2.0
    while (pid := _read_pid(lock_file)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid if pid is not None else -1


def _read_pid(lock_file: IO[str]) -> int | None:
    lock_file.seek(0)
    text = lock_file.read().strip()
    return int(text) if text.isdigit() else None


if sys.platform == "win32":
    import msvcrt

    # Windows locks byte ranges and blocks reads of locked bytes, so the lock covers a byte
    # far past the PID text.
    _LOCK_OFFSET = 1 << 20

    def _try_lock(lock_file: IO[str]) -> bool:
        # NOTE: this branch has not been run on Windows.
        lock_file.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(lock_file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(lock_file: IO[str]) -> None:
        lock_file.seek(_LOCK_OFFSET)
        with contextlib.suppress(OSError):
            msvcrt.locking(lock_file.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(lock_file: IO[str]) -> bool:
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        return True

    def _unlock(lock_file: IO[str]) -> None:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace a file's content so that a crash leaves either the old or the new content.

    The data goes to a temporary file in the same directory, is flushed and fsynced, then
    replaces the file with os.replace. The directory is fsynced too, so the rename survives a
    power loss. Raises OSError when any step fails, leaving the old file in place.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Flush a directory entry to disk; a no-op where directories cannot be opened (Windows)."""
    if sys.platform == "win32":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(directory: Path) -> None:
    """Delete temporary files an interrupted atomic_write left behind."""
    for tmp in directory.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            log.debug("removed leftover temporary file %s", tmp)


def move_aside(path: Path, reason: str) -> Path:
    """Rename an unusable file to `<name>.<reason>-<timestamp>` next to it and return the new path.

    The file is kept, never deleted, so a user can inspect or restore it.
    """
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{counter}")
        counter += 1
    os.replace(path, target)
    return target
