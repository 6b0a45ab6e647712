"""Benchmark: time from `xeapp run` to the UI answering, and the app's idle memory.

Run: `.venv/bin/python tests/bench/bench_app.py [--runs N]`. The app runs as a subprocess on a
fresh data directory, UI and image server on free loopback ports. Prints the median and the
maximum start-up time, and the resident memory (RSS) after the first page load plus 10 s idle.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

STARTUP_TIMEOUT_S = 120.0
IDLE_S = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_app(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    data.mkdir(parents=True)
    settings = {"image_server_bind": "127.0.0.1", "image_server_port": free_port()}
    (data / "settings.json").write_text(json.dumps(settings))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XEAPP_", "PYTEST_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    command = [sys.executable, "-m", "xeapp", "--data-dir", str(data), "run"]
    command += ["--browser", "--no-show", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, port


def wait_ready(process: subprocess.Popen[bytes], port: int) -> float:
    """Return seconds until GET /inventory returns 200."""
    started = time.monotonic()
    while time.monotonic() - started < STARTUP_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"xeapp exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/inventory", timeout=5) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the UI did not answer within {STARTUP_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="start-ups to time (default: 3)")
    args = parser.parse_args()

    times: list[float] = []
    rss_mib = 0.0
    with tempfile.TemporaryDirectory(prefix="xeapp-bench-") as tmp:
        for run in range(args.runs):
            process, port = start_app(Path(tmp) / f"data-{run}")
            try:
                times.append(wait_ready(process, port))
                if run == args.runs - 1:
                    time.sleep(IDLE_S)
                    rss_mib = psutil.Process(process.pid).memory_info().rss / 2**20
            finally:
                stop(process)

    print(
        f"startup to UI ready: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
        f"({args.runs} runs)"
    )
    print(f"idle memory after {IDLE_S:.0f} s: {rss_mib:.0f} MiB RSS")


if __name__ == "__main__":
    main()
