"""Benchmark: 200 lab devices in one process, 200 concurrent netmiko and ncclient sessions.

Run: .venv/bin/python tests/bench/bench_lab.py [--count N]. Prints wall times and peak RSS.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from netmiko import ConnectHandler

from xeapp.lab import LabDevice, start_lab


def read_cli(device: LabDevice) -> int:
    with ConnectHandler(
        device_type="cisco_xe",
        host=device.ip,
        port=device.ssh_port,
        username="admin",
        password="admin",
        timeout=60,
        banner_timeout=60,
        auth_timeout=60,
    ) as conn:
        return len(conn.send_command("show version"))


def read_netconf(device: LabDevice) -> int:
    from ncclient import manager

    with manager.connect(
        host=device.ip,
        port=device.netconf_port,
        username="admin",
        password="admin",
        hostkey_verify=False,
        look_for_keys=False,
        allow_agent=False,
        device_params={"name": "iosxe"},
        timeout=60,
    ) as session:
        return len(session.get_config(source="running").xml)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def timed(name: str, count: int, work, devices: list[LabDevice]) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(work, devices))
    elapsed = time.perf_counter() - started
    failures = sum(1 for size in results if not size)
    print(f"{name}: {count} concurrent sessions in {elapsed:.2f} s, {failures} empty replies")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200, help="number of lab devices")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # ncclient logs each server-side close after close-session as a socket error.
    for noisy in ("ncclient", "paramiko"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    started = time.perf_counter()
    lab = start_lab(count=args.count, ssh_port=0, netconf_port=0, netconf_start_seconds=0.0)
    print(f"started {len(lab.devices)} devices in {time.perf_counter() - started:.2f} s")
    print(f"peak RSS after start: {peak_rss_mb():.1f} MB")
    try:
        for device in lab.devices:
            with device.state.lock:
                device.state.netconf_enabled = True
        time.sleep(0.3)
        timed("netmiko show version", args.count, read_cli, lab.devices)
        print(f"peak RSS after netmiko: {peak_rss_mb():.1f} MB")
        timed("ncclient get-config", args.count, read_netconf, lab.devices)
        print(f"peak RSS after ncclient: {peak_rss_mb():.1f} MB")
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
