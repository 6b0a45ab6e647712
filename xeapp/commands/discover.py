"""`xeapp discover`: read devices by address, range, CIDR block or CSV file into the inventory."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from typing import Any

from xeapp.apiclient import AppClient
from xeapp.commands import (
    add_json_option,
    app_settings,
    device_work_timeout,
    find_app,
    open_context,
    print_json,
)
from xeapp.devicefacts import DeviceFacts
from xeapp.discovery import DiscoveryResult, build_discovery_service, facts_to_record
from xeapp.errors import InvalidInputError
from xeapp.settings import Settings
from xeapp.targets import Target, TargetList, parse_csv_file, parse_targets

log = logging.getLogger(__name__)

# Whether a device responded, and its Inventory record as `--json` prints it.
DeviceOutcome = tuple[bool, dict[str, Any]]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "discover",
        help="read devices (NETCONF, else SSH) and store them in the inventory",
        description="Read devices over NETCONF, falling back to SSH when NETCONF is off, and "
        "store what was read in the inventory. A device that does not answer is stored as "
        "Offline with the reason and keeps its last known data. Exit status: 0 when every "
        "device was read, 1 when a device is Offline or an entry was invalid, 2 on usage errors.",
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="an address (10.1.1.10), a range (10.1.1.10-10.1.1.50 or 10.1.1.10-50) or a "
        "CIDR block (10.1.1.0/24)",
    )
    parser.add_argument(
        "--csv",
        action="append",
        default=[],
        metavar="FILE",
        help="CSV file with a header and the columns ip, ssh_port, netconf_port and optional "
        "username; may be given more than once",
    )
    parser.add_argument(
        "--ssh-port",
        type=int,
        metavar="P",
        help="TCP port of SSH for the TARGETs (default: the stored port, else the setting)",
    )
    parser.add_argument(
        "--netconf-port",
        type=int,
        metavar="P",
        help="TCP port of NETCONF for the TARGETs (default: the stored port, else the setting)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="confirm ranges and blocks of more than 1,024 addresses (larger than a /22)",
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def collect_targets(args: argparse.Namespace) -> TargetList:
    """Parse the TARGET arguments and the CSV files into one list without duplicates.

    Raises InvalidInputError for a bad port option, an unreadable CSV file or a block that
    needs --yes.
    """
    for option in ("ssh_port", "netconf_port"):
        value = getattr(args, option)
        if value is not None and not 1 <= value <= 65535:
            raise InvalidInputError(f"--{option.replace('_', '-')} {value} is not a port 1-65535")

    targets = parse_targets(
        args.targets, ssh_port=args.ssh_port, netconf_port=args.netconf_port, confirmed=args.yes
    )
    for path in args.csv:
        targets.extend(parse_csv_file(path, confirmed=args.yes))
    return targets


def _summary_line(online: bool, facts: DeviceFacts) -> str:
    if not online:
        return f"{facts.ip_address}  Offline  {facts.last_error}"
    members = ", ".join(
        f"{m.number}:{m.pid} {m.filesystem} {_gigabytes(m.free_bytes)} free" for m in facts.members
    )
    return (
        f"{facts.ip_address}  {facts.hostname}  {facts.pid}  {facts.device_role}  "
        f"{facts.current_version}  ROMMON {facts.rommon_version}  {facts.install_mode}  "
        f"NETCONF {facts.netconf_state}  via {facts.source}  [{members}]"
    )


def _gigabytes(value: int | None) -> str:
    return "?" if value is None else f"{value / 1e9:.2f} GB"


def run(args: argparse.Namespace) -> int:
    targets = collect_targets(args)
    for problem in targets.problems:
        print(f"xeapp: invalid target {problem}", file=sys.stderr)
    if not targets.targets:
        print(
            "xeapp: error: no valid target; give an address, range, CIDR or --csv FILE",
            file=sys.stderr,
        )
        return 2

    client = find_app(args)
    if client is not None:
        results = _discover_through_app(client, app_settings(args), targets.targets)
    else:
        results = _discover_here(args, targets.targets)

    if args.json:
        print_json([record for _online, record in results])
    else:
        for online, record in results:
            print(_summary_line(online, DeviceFacts.from_dict(record)))

    offline = any(not online for online, _record in results)
    return 1 if offline or targets.problems else 0


def _discover_here(args: argparse.Namespace, targets: list[Target]) -> list[DeviceOutcome]:
    """Read the devices in this process; returns (online, Inventory record) in target order."""
    with open_context(args, write=True) as context:
        service = build_discovery_service(
            context.settings,
            context.store,
            context.credentials,
            context.data_dir.root,
            context.events,
        )

        def progress(result: DiscoveryResult, done: int, total: int) -> None:
            state = "Online" if result.online else "Offline"
            print(f"[{done}/{total}] {result.target.ip_address} {state}", file=sys.stderr)

        sweep = service.start(targets, progress)
        try:
            while not sweep.wait(0.5):
                pass
        except KeyboardInterrupt:
            sweep.cancel()
            print("xeapp: cancelling; waiting for the devices being read", file=sys.stderr)
            sweep.wait()
            raise

    order = {target.key: index for index, target in enumerate(targets)}
    results = sorted(sweep.results, key=lambda r: order.get(r.target.key, 0))
    return [(r.online, facts_to_record(r.facts)) for r in results]


def _discover_through_app(
    client: AppClient, settings: Settings, targets: list[Target]
) -> list[DeviceOutcome]:
    """Have the running app read the devices; returns (online, Inventory record) in order."""
    print(f"xeapp: the app is reading {_count(targets)}", file=sys.stderr)
    # NOTE: an estimate of one device's worst case, a NETCONF try then an SSH read.
    per_device_s = 2 * settings.connect_timeout_s + 5 * settings.command_timeout_s
    body = {"targets": [dataclasses.asdict(target) for target in targets]}
    timeout = device_work_timeout(settings, len(targets), per_device_s)
    results = client.post("/api/discovery", body, timeout=timeout)
    return [(bool(item["online"]), item["device"]) for item in results]


def _count(targets: list[Target]) -> str:
    return "1 device" if len(targets) == 1 else f"{len(targets)} devices"
