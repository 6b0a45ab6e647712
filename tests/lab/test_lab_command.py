"""`xeapp lab` as a user runs it: a subprocess serving devices until Ctrl-C."""

from __future__ import annotations

import csv
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from netmiko import ConnectHandler

BASE = "127.0.0.40"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def lab_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "xeapp", "lab", *options]


def environment() -> dict[str, str]:
    return dict(os.environ)


def read_until(lines: queue.Queue[str | None], marker: str, timeout: float) -> list[str]:
    """Return the lines the process printed up to and including the one containing `marker`."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if marker in line:
            return seen
    raise AssertionError(f"no line containing {marker!r} within {timeout} s; got {seen!r}")


def pump(stream, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


@pytest.fixture
def running_lab(tmp_path: Path):
    """Start `xeapp lab --count 3` on free ports; yield (process, printed lines, CSV path)."""
    inventory = tmp_path / "inventory.csv"
    options = ["--count", "3", "--base", BASE, "--ssh-port", "0", "--netconf-port", "0"]
    options += ["--reload-seconds", "1", "--inventory-out", str(inventory)]
    process = subprocess.Popen(
        lab_command(*options),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment(),
    )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=pump, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        printed = read_until(lines, "lab running", START_TIMEOUT)
        yield process, printed, inventory, lines
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        reader.join(timeout=STOP_TIMEOUT)


def test_lab_command_serves_and_stops(running_lab) -> None:
    process, printed, inventory, lines = running_lab
    device_lines = [line for line in printed if line.startswith("127.0.0.")]
    with open(inventory, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    prompts = []
    for row in rows:
        with ConnectHandler(
            device_type="cisco_xe",
            host=row["ip"],
            port=int(row["ssh_port"]),
            username="admin",
            password="admin",
            timeout=10,
        ) as conn:
            prompts.append(conn.find_prompt())

    process.send_signal(signal.SIGINT)
    status = process.wait(timeout=STOP_TIMEOUT)
    rest = read_until(lines, "stopping the lab", STOP_TIMEOUT)
    refused = []
    for row in rows:
        with socket.socket() as sock:
            sock.settimeout(1)
            refused.append(sock.connect_ex((row["ip"], int(row["ssh_port"]))) != 0)

    assert len(device_lines) == 3
    assert [line.split()[0] for line in device_lines] == ["127.0.0.40", "127.0.0.41", "127.0.0.42"]
    assert "credentials: admin / admin" in printed
    assert [row["ip"] for row in rows] == ["127.0.0.40", "127.0.0.41", "127.0.0.42"]
    assert [line.split()[2] for line in device_lines] == [row["ssh_port"] for row in rows]
    assert [line.split()[5] for line in device_lines] == [row["hostname"] for row in rows]
    assert prompts == [f"{row['hostname']}#" for row in rows]
    assert status == 0
    assert "stopping the lab" in rest[-1]
    assert refused == [True, True, True]


@pytest.mark.parametrize(
    ("options", "value"),
    [
        (["--count", "0"], "0"),
        (["--count", "2", "--base", "10.0.0.1"], "10.0.0.1"),
        (["--count", "2", "--base", "not-an-address"], "not-an-address"),
    ],
)
def test_lab_command_rejects_bad_value(options: list[str], value: str) -> None:
    result = subprocess.run(
        lab_command(*options, "--ssh-port", "0", "--netconf-port", "0"),
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        env=environment(),
    )
    message = result.stdout + result.stderr
    assert result.returncode == 2
    assert "error: invalid" in message
    assert value in message
    assert "lab running" not in message
