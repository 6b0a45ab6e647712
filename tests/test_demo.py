"""The demo's own checks, outside the browser and the page tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.api import ENDPOINT_FILE
from xeapp.datadir import DataDirLock
from xeapp.demo import DEMO_IMAGES, MARKER_FILE, prepare_demo, reset_demo_dir
from xeapp.errors import DataDirLockedError, XeappError
from xeapp.lab import fleet

STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_env(data: Path) -> dict[str, str]:
    """No OS keyring, no developer XEAPP_* variables, and no pytest marker for NiceGUI."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XEAPP_") and k != "PYTEST_CURRENT_TEST"
    }
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def demo_command(data: Path, lab_base: str) -> list[str]:
    return [
        sys.executable, "-m", "xeapp", "--data-dir", str(data), "demo", "--browser",
        "--no-show", "--port", str(free_port()), "--image-port", str(free_port()),
        "--lab-base", lab_base,
    ]  # fmt: skip


def wait_for_endpoint(root: Path, process: subprocess.Popen[str]) -> int:
    """Wait until the demo serves its local API; returns the PID in its endpoint file."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the demo did not write its api-endpoint file"
        try:
            return int(json.loads((root / ENDPOINT_FILE).read_text())["pid"])
        except (FileNotFoundError, ValueError, KeyError):
            time.sleep(0.2)


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def first_demo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A running `xeapp demo` subprocess; yields its data directory and PID."""
    data = tmp_path / "data"
    process = subprocess.Popen(
        demo_command(data, "127.0.13.10"),
        env=demo_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_endpoint(data / "demo", process)
        yield data, process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)


def test_second_demo_rejected(first_demo: tuple[Path, int]) -> None:
    data, pid = first_demo
    root = data / "demo"
    # The first demo keeps writing while it discovers its fleet, so the check is that every
    # file stays and that files it no longer changes keep their content.
    backup = root / "backups" / "demo-sentinel.cfg"
    backup.write_text("hostname demo-sentinel\n")
    images = {path.name: path.read_bytes() for path in (root / "repo").glob("*.bin")}
    before = files_under(root)

    second = subprocess.run(
        demo_command(data, "127.0.14.10"),
        env=demo_env(data),
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )

    assert second.returncode == 1, second.stderr[-3000:]
    assert f"in use by process {pid}" in second.stderr
    assert before <= files_under(root)
    assert backup.read_text() == "hostname demo-sentinel\n"
    assert len(images) == len(DEMO_IMAGES)
    assert {path.name: path.read_bytes() for path in (root / "repo").glob("*.bin")} == images


def test_run_rejected_after_second_demo(first_demo: tuple[Path, int]) -> None:
    data, pid = first_demo
    root = data / "demo"
    subprocess.run(
        demo_command(data, "127.0.14.10"),
        env=demo_env(data),
        capture_output=True,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )
    run_command = [
        sys.executable, "-m", "xeapp", "--data-dir", str(root), "run", "--browser",
        "--no-show", "--port", str(free_port()),
    ]  # fmt: skip

    result = subprocess.run(
        run_command,
        env=demo_env(root),
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_S,
        check=False,
    )

    assert result.returncode == 1, result.stderr[-3000:]
    assert f"in use by process {pid}" in result.stderr


def test_reset_keeps_lock_file(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    reset_demo_dir(root)
    (root / "db").mkdir()
    (root / "db" / "jobs.json").write_text("{}")
    lock_inode = (root / "xeapp.lock").stat().st_ino

    reset_demo_dir(root)

    assert not (root / "db").exists()
    assert (root / MARKER_FILE).is_file()
    assert (root / "xeapp.lock").stat().st_ino == lock_inode


def test_reset_rejects_locked_dir(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    reset_demo_dir(root)
    (root / "backups").mkdir()

    # A lock held by this process blocks the reset as one held by another would.
    locked = pytest.raises(DataDirLockedError, match=f"in use by process {os.getpid()}")
    with DataDirLock(root / "xeapp.lock"), locked:
        reset_demo_dir(root)

    assert (root / "backups").is_dir()


def test_reset_rejects_foreign_dir(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "settings.json").write_text("{}")

    with pytest.raises(XeappError, match="not created by `xeapp demo`"):
        reset_demo_dir(root)

    assert (root / "settings.json").is_file()


def test_demo_stops_without_loopback_aliases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for macOS, where only 127.0.0.1 can be bound until aliases are added.
    monkeypatch.setattr(fleet, "aliases_available", lambda base: False)

    with pytest.raises(XeappError, match="one loopback address per device") as raised:
        prepare_demo(tmp_path / "data", lab_base="127.0.12.10")

    assert "ifconfig lo0 alias" in str(raised.value)
    lock = DataDirLock(tmp_path / "data" / "demo" / "xeapp.lock")
    lock.acquire()
    assert lock.held
    lock.release()
