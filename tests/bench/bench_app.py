"""Benchmark: time from `xeapp run` to the UI's first HTTP 200, and the app's idle memory, next
to a minimal NiceGUI app.

Run: `.venv/bin/python tests/bench/bench_app.py [--runs N]`. xeapp runs as a subprocess on a
fresh data directory, UI and image server on free loopback ports. The peer is a NiceGUI app
with one page holding one label, started as a subprocess with `ui.run` on 127.0.0.1 and a free
port. The runs alternate between the two apps. Each start-up is timed from just before the
process starts to the first HTTP 200: on `/inventory` for xeapp, on `/` for the peer. Prints
the median and the maximum start-up time of each app, and each app's resident memory (RSS)
after its last page load plus 10 s idle.
"""

from __future__ import annotations

import argparse
import functools
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
from collections.abc import Callable
from pathlib import Path

import psutil

STARTUP_TIMEOUT_S = 120.0
IDLE_S = 10.0

# The peer passes xeapp's `ui.run` options for how the server starts and logs, and none of its
# page options (title, favicon, storage secret, API docs).
MINIMAL_APP = """\
import sys

from nicegui import ui


@ui.page("/")
def index() -> None:
    ui.label("Hello")


ui.run(
    host="127.0.0.1",
    port=int(sys.argv[1]),
    reload=False,
    show=False,
    show_welcome_message=False,
    uvicorn_logging_level="warning",
)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XEAPP_", "PYTEST_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def start_xeapp(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    data.mkdir(parents=True)
    settings = {"image_server_bind": "127.0.0.1", "image_server_port": free_port()}
    (data / "settings.json").write_text(json.dumps(settings))
    port = free_port()
    command = [sys.executable, "-m", "xeapp", "--data-dir", str(data), "run"]
    command += ["--browser", "--no-show", "--port", str(port)]
    process = subprocess.Popen(
        command, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, port


def start_minimal(script: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    # Keeps any file NiceGUI writes to the working directory out of the repository.
    process = subprocess.Popen(
        [sys.executable, str(script), str(port)],
        cwd=script.parent,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


def wait_ready(process: subprocess.Popen[bytes], url: str, started: float) -> float:
    """Return seconds from `started` (a `time.monotonic()` value) until GET `url` returns 200.

    Raises RuntimeError when the process exits or the URL does not return 200 in time.
    """
    while time.monotonic() - started < STARTUP_TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not return 200 within {STARTUP_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def measure(
    start: Callable[[], tuple[subprocess.Popen[bytes], int]], path: str, read_rss: bool
) -> tuple[float, float]:
    """Time an app from process start to the first 200 on GET `path`, then stop it.

    Returns the start-up seconds and, when `read_rss` is set, the RSS in MiB after `IDLE_S`
    seconds of idle time, else 0.
    """
    started = time.monotonic()
    process, port = start()
    rss_mib = 0.0
    try:
        seconds = wait_ready(process, f"http://127.0.0.1:{port}{path}", started)
        if read_rss:
            time.sleep(IDLE_S)
            rss_mib = psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        stop(process)
    return seconds, rss_mib


def print_app(name: str, times: list[float], rss_mib: float) -> None:
    print(
        f"{name:<13} start-up to HTTP 200: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s ({len(times)} runs); "
        f"RSS after {IDLE_S:.0f} s idle: {rss_mib:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="start-ups to time for each app (default: 3)"
    )
    args = parser.parse_args()

    xeapp_times: list[float] = []
    minimal_times: list[float] = []
    xeapp_rss = minimal_rss = 0.0
    with tempfile.TemporaryDirectory(prefix="xeapp-bench-") as tmp:
        script = Path(tmp) / "minimal" / "minimal_app.py"
        script.parent.mkdir()
        script.write_text(MINIMAL_APP)
        for run in range(args.runs):
            last = run == args.runs - 1
            start = functools.partial(start_xeapp, Path(tmp) / f"data-{run}")
            seconds, rss = measure(start, "/inventory", last)
            xeapp_times.append(seconds)
            if last:
                xeapp_rss = rss
            seconds, rss = measure(functools.partial(start_minimal, script), "/", last)
            minimal_times.append(seconds)
            if last:
                minimal_rss = rss

    print_app("xeapp", xeapp_times, xeapp_rss)
    print_app("minimal app", minimal_times, minimal_rss)
    startup_ratio = statistics.median(xeapp_times) / statistics.median(minimal_times)
    print(f"xeapp / minimal app: start-up {startup_ratio:.1f}x, RSS {xeapp_rss / minimal_rss:.1f}x")


if __name__ == "__main__":
    main()
