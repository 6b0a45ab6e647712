"""Benchmark: lab devices upgraded at once, next to one device alone, and log line latency.

Run from the repository root:

    .venv/bin/python tests/bench/bench_upgrade.py                 # 50 devices
    .venv/bin/python tests/bench/bench_upgrade.py --devices 10    # quicker

Everything runs in this process on loopback: a lab of C9500 devices with a 0.5 s reload, the
image server bound to 127.0.0.1, and a job manager with as many workers as devices. The log
latency runs from a line's timestamp, taken when xeapp appends a line read from the device, to
the moment a `job.log.line` subscriber receives it. The time the line spent in the SSH channel
is not included.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from xeapp.credentials import CredentialStore
from xeapp.datadir import DataDir
from xeapp.events import JOB_LOG_LINE, EventBus
from xeapp.lab import Lab, start_lab
from xeapp.lab.ssh_server import TRANSPORT_LOG
from xeapp.logs import JobLogs
from xeapp.repository import Repository
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.upgrade import UpgradeOptions
from xeapp.upgrade.service import build_job_manager, start_image_server

IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"
OPTIONS = UpgradeOptions(
    reload_timeout_s=120.0,
    poll_interval_s=0.2,
    down_timeout_s=30.0,
    install_timeout_s=120.0,
    command_base_timeout_s=60.0,
)


def run_batch(root: Path, lab: Lab, image_path: Path, count: int) -> tuple[float, list[float], int]:
    """Upgrade the first `count` lab devices at once; return wall time, latencies, successes."""
    data_dir = DataDir.create(root)
    events = EventBus()
    store = Store(data_dir.db_dir, events=events)
    # With the published MD5 the image is Verified, so the pre-checks pass without a Warn.
    md5 = hashlib.md5(image_path.read_bytes()).hexdigest()
    Repository(data_dir.repo_dir, store).add_file(image_path, md5=md5)
    for device in lab.devices[:count]:
        store.upsert_device(
            {
                "ip_address": device.ip,
                "ssh_port": device.ssh_port,
                "netconf_port": device.netconf_port,
            }
        )
    settings = Settings(connect_timeout_s=10, command_timeout_s=60)
    server = start_image_server(root, settings, bind="127.0.0.1", port=0)
    job_logs = JobLogs(data_dir.job_logs_dir, events)
    manager = build_job_manager(
        root, settings, store, CredentialStore(root), events, job_logs, server,
        options=OPTIONS, max_parallel=count,
    )  # fmt: skip
    latencies: list[float] = []

    def on_line(_topic: str, payload: dict[str, Any]) -> None:
        stamp = payload["line"].split(" ", 1)[0].replace("Z", "+00:00")
        latencies.append(time.time() - datetime.fromisoformat(stamp).timestamp())

    events.subscribe(JOB_LOG_LINE, on_line)
    manager.start()
    started = time.monotonic()
    jobs = manager.submit([device.ip for device in lab.devices[:count]], IMAGE)
    manager.wait([job["job_id"] for job in jobs], 600)
    elapsed = time.monotonic() - started
    successes = sum(1 for job in jobs if manager.get(job["job_id"])["status"] == "Success")
    manager.shutdown()
    server.stop()
    store.close()
    return elapsed, latencies, successes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50, help="devices upgraded at once")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # While a device reloads, connection attempts fail on both sides and paramiko logs each
    # failure with a traceback at ERROR. Client sessions log through the paramiko and ncclient
    # loggers, and the lab's SSH server through its own paramiko log channel. The jobs retry and
    # report real failures themselves, so only CRITICAL records from these loggers get through.
    for noisy in ("paramiko", "ncclient", TRANSPORT_LOG):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    os.environ.setdefault("XEAPP_USERNAME", "admin")
    os.environ.setdefault("XEAPP_PASSWORD", "admin")

    with tempfile.TemporaryDirectory(prefix="xeapp-bench-") as temp:
        image_path = Path(temp) / IMAGE
        image_path.write_bytes(os.urandom(1_000_000))
        single_lab = start_lab(profiles=["c9500"], base="127.0.0.200", reload_seconds=0.5)
        try:
            one_s, _, one_ok = run_batch(Path(temp) / "one", single_lab, image_path, 1)
        finally:
            single_lab.stop()
        lab = start_lab(profiles=["c9500"] * args.devices, base="127.0.1.10", reload_seconds=0.5)
        try:
            all_s, latencies, all_ok = run_batch(Path(temp) / "all", lab, image_path, args.devices)
        finally:
            lab.stop()

    latencies.sort()
    print(f"one device:        {one_s:6.1f} s  ({one_ok}/1 succeeded)")
    print(f"{args.devices} devices at once: {all_s:6.1f} s  ({all_ok}/{args.devices} succeeded)")
    median_ms = statistics.median(latencies) * 1000
    p95_ms = latencies[int(len(latencies) * 0.95)] * 1000
    print(
        f"log latency over {len(latencies)} lines: median {median_ms:.2f} ms, "
        f"p95 {p95_ms:.2f} ms, max {latencies[-1] * 1000:.2f} ms"
    )
    return 0 if one_ok == 1 and all_ok == args.devices else 1


if __name__ == "__main__":
    sys.exit(main())
