"""Tests of the data directory: layout, permissions, the lock and atomic writes."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xeapp.datadir import (
    DataDir,
    DataDirLock,
    atomic_write,
    default_data_dir,
    lock_holder,
    move_aside,
    resolve_data_dir,
)
from xeapp.errors import DataDirLockedError

HOLD_LOCK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from xeapp.datadir import DataDirLock
    from xeapp.errors import DataDirLockedError

    lock = DataDirLock(Path(sys.argv[1]))
    try:
        lock.acquire()
    except DataDirLockedError as exc:
        print(f"locked-by {exc.pid}", flush=True)
        sys.exit(3)
    print("acquired", flush=True)
    sys.stdin.readline()
    """
)


def start_holder(lock_file: Path) -> subprocess.Popen[str]:
    """Start a process that takes the lock and holds it until its stdin closes."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_create_makes_private_tree(data_dir: Path) -> None:
    created = DataDir.create(data_dir)

    for path in (
        created.root,
        created.db_dir,
        created.repo_dir,
        created.logs_dir,
        created.job_logs_dir,
        created.backups_dir,
    ):
        assert path.is_dir(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_resolve_prefers_option(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XEAPP_DATA_DIR", str(tmp_path / "env"))

    assert resolve_data_dir(tmp_path / "option") == tmp_path / "option"
    assert resolve_data_dir(None) == tmp_path / "env"


def test_resolve_defaults_to_user_dir() -> None:
    assert resolve_data_dir(None) == default_data_dir()
    assert default_data_dir().name == "xeapp"


def test_lock_held_by_live_process(data_dir: Path) -> None:
    lock_file = DataDir.create(data_dir).lock_file
    holder = start_holder(lock_file)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "acquired"

        with pytest.raises(DataDirLockedError) as caught:
            DataDirLock(lock_file).acquire()
        assert caught.value.pid == holder.pid
        assert f"in use by process {holder.pid}" in str(caught.value)
        assert lock_holder(lock_file) == holder.pid
    finally:
        holder.communicate("\n", timeout=10)

    with DataDirLock(lock_file) as lock:
        assert lock.held
    assert lock_holder(lock_file) is None


def test_lock_of_killed_process_taken_over(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock_file = DataDir.create(data_dir).lock_file
    holder = start_holder(lock_file)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "acquired"
    holder.kill()
    holder.wait(timeout=10)
    assert lock_file.read_text().strip() == str(holder.pid)

    with caplog.at_level(logging.WARNING), DataDirLock(lock_file):
        assert lock_file.read_text().strip() == str(os.getpid())
    assert f"from process {holder.pid}" in caplog.text


def test_stale_pid_file_taken_over(data_dir: Path) -> None:
    lock_file = DataDir.create(data_dir).lock_file
    exited = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock_file.write_text(exited.stdout)

    with DataDirLock(lock_file) as lock:
        assert lock.held


def test_racing_processes_one_wins(data_dir: Path) -> None:
    lock_file = DataDir.create(data_dir).lock_file
    racers = [start_holder(lock_file) for _ in range(8)]
    try:
        results = []
        for racer in racers:
            assert racer.stdout is not None
            results.append(racer.stdout.readline().strip())
    finally:
        for racer in racers:
            racer.communicate("\n", timeout=10)

    assert results.count("acquired") == 1
    assert sum(line.startswith("locked-by ") for line in results) == 7


def test_release_empties_lock_file(data_dir: Path) -> None:
    lock_file = DataDir.create(data_dir).lock_file
    lock = DataDirLock(lock_file)
    lock.acquire()
    lock.release()

    assert lock_file.read_text() == ""
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600


def test_atomic_write_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "table.json"
    target.write_text("old")

    atomic_write(target, b"new")

    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]


def test_atomic_write_failure_keeps_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.replace is patched to raise, as a full disk or a lost mount would make it."""
    target = tmp_path / "table.json"
    target.write_text("old")

    def fail_replace(src: str, dst: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(OSError, match="Input/output error"):
        atomic_write(target, b"new")

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.json"]


def test_move_aside_keeps_both_copies(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("first")
    first = move_aside(target, "corrupt")
    target.write_text("second")
    second = move_aside(target, "corrupt")

    assert first != second
    assert first.name.startswith("settings.json.corrupt-")
    assert first.read_text() == "first"
    assert second.read_text() == "second"
    assert not target.exists()
