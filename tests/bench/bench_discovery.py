"""Benchmark: discovery of lab devices against a plain sequential ncclient loop.

Run: .venv/bin/python tests/bench/bench_discovery.py [--devices 200] [--workers 32]

Starts a lab of simulated devices on 127.0.5.x (in this process), then times, in the same run:

1. a sequential loop with bare ncclient: connect, one `get` with the same subtree filters
   discovery sends, close-session, device after device;
2. the discovery sweep doing only those NETCONF reads, on the worker pool;
3. the full discovery sweep: NETCONF, then SSH for show romvar, show boot, show install summary
   and show switch, results written to a TinyDB store.

The lab serves every session from this same Python process, so client and devices share one
interpreter: the figures compare the three ways, they do not predict real network timings.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from ncclient import manager

from xeapp.credentials import Credentials, CredentialStore
from xeapp.devicefacts import DeviceFacts
from xeapp.discovery import DiscoveryService
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.drivers.netconf import INVENTORY_FILTERS, NetconfDriver
from xeapp.drivers.netconf_replies import apply_inventory_reply
from xeapp.lab import start_lab
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.targets import Target

BASE = "127.0.5.1"
USERNAME = "admin"
PASSWORD = "admin"


def sequential_ncclient(devices: list[tuple[str, int]], timeout_s: float) -> int:
    """Read every device one after the other with bare ncclient; return how many were read."""
    answered = 0
    for host, port in devices:
        try:
            with manager.connect(
                host=host,
                port=port,
                username=USERNAME,
                password=PASSWORD,
                hostkey_verify=False,
                allow_agent=False,
                look_for_keys=False,
                device_params={"name": "iosxe"},
                timeout=timeout_s,
            ) as session:
                session.get(filter=list(INVENTORY_FILTERS))
                answered += 1
        except Exception as exc:
            print(f"sequential: {host}:{port}: {exc}", file=sys.stderr)
    return answered


def netconf_only(login: DeviceLogin) -> DeviceFacts:
    facts = DeviceFacts(login.host, status="Online")
    with NetconfDriver(login) as netconf:
        apply_inventory_reply(netconf.read_inventory(), facts)
    return facts


def timed_sweep(service: DiscoveryService, targets: list[Target]) -> tuple[float, int]:
    started = time.perf_counter()
    results = service.discover(targets)
    return time.perf_counter() - started, sum(1 for r in results if r.online)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200, help="number of lab devices")
    parser.add_argument("--workers", type=int, default=32, help="discovery worker threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    with (
        tempfile.TemporaryDirectory() as scratch,
        start_lab(count=args.devices, base=BASE, username=USERNAME, password=PASSWORD) as lab,
    ):
        root = Path(scratch)
        targets = [Target(d.ip, d.ssh_port, d.netconf_port) for d in lab.devices]
        (root / "credentials").mkdir()
        credentials = CredentialStore(root / "credentials", keyring_backend=None)
        credentials.set(Credentials(USERNAME, PASSWORD))
        settings = Settings(connect_timeout_s=10, command_timeout_s=60)

        started = time.perf_counter()
        answered = sequential_ncclient([(t.ip_address, t.netconf_port or 0) for t in targets], 10)
        sequential_s = time.perf_counter() - started

        with Store(root / "db") as store:
            resolver = LoginResolver(settings, credentials, store)
            netconf_sweep = DiscoveryService(
                resolver, store=None, workers=args.workers, reader=netconf_only
            )
            netconf_s, netconf_ok = timed_sweep(netconf_sweep, targets)
            full_s, full_ok = timed_sweep(
                DiscoveryService(resolver, store, workers=args.workers), targets
            )

    count = len(targets)
    print(f"devices: {count}, workers: {args.workers}")
    print(f"{'method':44} {'wall s':>8} {'per device ms':>14} {'read':>6}")
    rows = [
        ("sequential ncclient loop (NETCONF get only)", sequential_s, answered),
        ("discovery sweep, NETCONF get only", netconf_s, netconf_ok),
        ("discovery sweep, full (NETCONF + SSH CLI)", full_s, full_ok),
    ]
    for name, seconds, ok in rows:
        print(f"{name:44} {seconds:8.2f} {1000 * seconds / count:14.1f} {ok:>6}")
    print(f"speed-up of the NETCONF-only sweep over the loop: {sequential_s / netconf_s:.1f}x")
    return 0 if answered == netconf_ok == full_ok == count else 1


if __name__ == "__main__":
    sys.exit(main())
