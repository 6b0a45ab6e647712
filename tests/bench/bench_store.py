"""Measure the cost of updating one device in the store at 100, 1,000 and 5,000 devices.

Run: .venv/bin/python tests/bench/bench_store.py [--updates N]

The same Inventory is stored three ways in one run:
- baseline: plain TinyDB with JSONStorage in one file, which every update rewrites (no fsync).
- xeapp alone: xeapp's Store with flush() after each update, which rewrites one shard file.
- xeapp burst: xeapp's Store with one flush() after all updates, so the write-behind
  coalesces updates that fall in the same shard.
Bytes are what each update writes to disk, and times are wall-clock per update.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from tinydb import TinyDB, where
from tinydb.storages import JSONStorage

from xeapp.store import Store

SIZES = (100, 1_000, 5_000)


def make_device(index: int) -> dict[str, Any]:
    """A device record of the size discovery stores for a three-member stack."""
    ip = f"10.{index // 65536}.{index // 256 % 256}.{index % 256}"
    return {
        "ip_address": ip,
        "hostname": f"access-sw-{index:05d}",
        "serial_number": f"FOC{index:08d}",
        "device_role": "Switch",
        "current_version": "17.9.4a",
        "rommon_version": "17.9.1r",
        "status": "Online",
        "netconf_state": "Enabled",
        "ssh_port": 22,
        "netconf_port": 830,
        "pid": "C9300-48P",
        "install_mode": "INSTALL",
        "members": [
            {"number": n, "pid": "C9300-48P", "serial": f"FOC{index:06d}{n:02d}", "state": "Ready"}
            for n in (1, 2, 3)
        ],
    }


def bench_baseline(directory: Path, devices: list[dict[str, Any]], updates: list[str]) -> tuple:
    path = directory / "baseline.json"
    database = TinyDB(path, storage=JSONStorage)
    table = database.table("Inventory")
    table.insert_multiple(devices)

    written = 0
    start = time.perf_counter()
    for count, ip in enumerate(updates):
        table.update({"status": "Offline" if count % 2 else "Online"}, where("ip_address") == ip)
        written += os.path.getsize(path)
    elapsed = time.perf_counter() - start
    database.close()
    return elapsed / len(updates), written / len(updates), os.path.getsize(path)


def bench_store(
    directory: Path, devices: list[dict[str, Any]], updates: list[str], burst: bool
) -> tuple:
    store = Store(directory / ("burst" if burst else "alone"), flush_delay_s=3600)
    for device in devices:
        store.upsert_device(device)
    store.flush()
    size = sum(p.stat().st_size for p in store.db_dir.glob("inventory-*.json"))

    before = store.bytes_written
    start = time.perf_counter()
    for count, ip in enumerate(updates):
        store.upsert_device({"ip_address": ip, "status": "Offline" if count % 2 else "Online"})
        if not burst:
            store.flush()
    store.flush()
    elapsed = time.perf_counter() - start
    written = store.bytes_written - before
    store.close()
    return elapsed / len(updates), written / len(updates), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100, help="updates measured per size")
    args = parser.parse_args()
    rng = random.Random(7)

    print(f"{args.updates} updates of one device's status per size; figures are per update")
    print(f"{'devices':>8} {'storage':<12} {'table size':>11} {'time':>10} {'bytes written':>14}")
    for size in SIZES:
        devices = [make_device(index) for index in range(size)]
        updates = [rng.choice(devices)["ip_address"] for _ in range(args.updates)]
        with tempfile.TemporaryDirectory(prefix="xeapp-bench-") as tmp:
            directory = Path(tmp)
            rows = {
                "baseline": bench_baseline(directory, devices, updates),
                "xeapp alone": bench_store(directory, devices, updates, burst=False),
                "xeapp burst": bench_store(directory, devices, updates, burst=True),
            }
        for name, (seconds, written, table_size) in rows.items():
            print(
                f"{size:>8} {name:<12} {table_size / 1024:>8.0f} KB {seconds * 1000:>7.2f} ms "
                f"{written / 1024:>11.1f} KB"
            )


if __name__ == "__main__":
    main()
