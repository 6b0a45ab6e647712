"""Benchmark: 200 lab devices in one process, 200 concurrent netmiko and ncclient sessions.

Run: .venv/bin/python tests/bench/bench_lab.py [--count N] [--single-runs N].

The script first starts `--count` devices, reads the resident memory (RSS) growth over the
start and stops them. It prints the growth per device next to the process's RSS before the
start. The baseline follows: sessions one after another against a lab of one device, alone in
the process. Then the script starts `--count` devices again, opens one session per device at
the same time, and prints each session's time next to the time of a session alone.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psutil
from ncclient import manager
from netmiko import ConnectHandler

from xeapp.lab import Lab, LabDevice, start_lab

LAB_BASE = "127.0.0.10"
# Addresses of the single-device lab, outside the range of the large lab.
SINGLE_BASE = "127.0.3.10"


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


def peak_rss_mib() -> float:
    """Return the process's peak RSS in MiB (`ru_maxrss` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def start_ready_lab(count: int, base: str) -> tuple[Lab, float]:
    """Start `count` lab devices from `base` with NETCONF enabled.

    Returns the lab and the seconds `start_lab` took.
    """
    started = time.perf_counter()
    lab = start_lab(count=count, base=base, ssh_port=0, netconf_port=0, netconf_start_seconds=0.0)
    start_s = time.perf_counter() - started
    for device in lab.devices:
        with device.state.lock:
            device.state.netconf_enabled = True
    # Gives the lab's 0.05 s tick time to open the NETCONF ports.
    time.sleep(0.3)
    return lab, start_s


def timed_session(work: Callable[[LabDevice], int], device: LabDevice) -> tuple[int, float]:
    """Run one session and return its reply size in characters and its duration in seconds."""
    started = time.perf_counter()
    size = work(device)
    return size, time.perf_counter() - started


def run_alone(work: Callable[[LabDevice], int], device: LabDevice, runs: int) -> list[float]:
    """Run `runs` sessions one after another and return each session's duration in seconds."""
    seconds = []
    for _ in range(runs):
        size, elapsed = timed_session(work, device)
        if not size:
            raise RuntimeError(f"empty reply from {device.ip} in a single session")
        seconds.append(elapsed)
    return seconds


def run_concurrent(
    work: Callable[[LabDevice], int], devices: list[LabDevice]
) -> tuple[float, list[float], int]:
    """Run one session per device at the same time.

    Returns the wall time, each session's duration in seconds and the number of empty replies.
    """
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        results = list(pool.map(lambda device: timed_session(work, device), devices))
    wall = time.perf_counter() - started
    empty = sum(1 for size, _ in results if not size)
    return wall, [seconds for _, seconds in results], empty


def print_comparison(name: str, alone: list[float], concurrent: tuple[float, list, int]) -> None:
    wall, seconds, empty = concurrent
    alone_median = statistics.median(alone)
    concurrent_median = statistics.median(seconds)
    print(f"{name}:")
    concurrent_label = f"{len(seconds)} concurrent sessions:"
    print(
        f"  {'one session alone:':<28} median {alone_median:.3f} s, "
        f"max {max(alone):.3f} s ({len(alone)} sessions in turn)"
    )
    print(
        f"  {concurrent_label:<28} median {concurrent_median:.3f} s, "
        f"max {max(seconds):.3f} s, wall time {wall:.2f} s, {empty} empty replies"
    )
    print(
        f"  median session time at {len(seconds)} / alone: {concurrent_median / alone_median:.1f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="number of lab devices")
    parser.add_argument(
        "--single-runs",
        type=int,
        default=5,
        help="sessions of each kind against the single device, one after another (default: 5)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # ncclient logs each server-side close after close-session as a socket error.
    for noisy in ("ncclient", "paramiko"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    # Memory first, in a process that has run no session yet: the heap that sessions free
    # stays in the RSS and absorbs part of the lab's allocations. With the baseline run first,
    # one trial of 200 devices measured 5 KiB per device instead of 8 KiB.
    rss_before = current_rss_mib()
    lab, start_s = start_ready_lab(args.count, LAB_BASE)
    rss_after = current_rss_mib()
    lab.stop()
    print(f"started {len(lab.devices)} devices in {start_s:.2f} s")
    growth_kib = (rss_after - rss_before) * 1024
    print(
        f"RSS before the lab started: {rss_before:.1f} MiB; after: {rss_after:.1f} MiB; "
        f"growth per device: {growth_kib / len(lab.devices):.1f} KiB"
    )
    print(f"peak RSS after start: {peak_rss_mib():.1f} MiB")

    single, _ = start_ready_lab(1, SINGLE_BASE)
    try:
        cli_alone = run_alone(read_cli, single.devices[0], args.single_runs)
        netconf_alone = run_alone(read_netconf, single.devices[0], args.single_runs)
    finally:
        single.stop()

    # A fresh lab for the concurrent sessions, so the baseline device ran alone in its process.
    lab, _ = start_ready_lab(args.count, LAB_BASE)
    try:
        cli = run_concurrent(read_cli, lab.devices)
        print_comparison("netmiko show version", cli_alone, cli)
        print(f"peak RSS after netmiko: {peak_rss_mib():.1f} MiB")
        netconf = run_concurrent(read_netconf, lab.devices)
        print_comparison("ncclient get-config", netconf_alone, netconf)
        print(f"peak RSS after ncclient: {peak_rss_mib():.1f} MiB")
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
