"""`xeapp precheck`: decide, per device and image, whether an upgrade is safe."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path

from xeapp.commands import add_json_option, open_context, print_json
from xeapp.errors import InvalidInputError, NotFoundError
from xeapp.prechecks import DevicePrechecks, build_precheck_service
from xeapp.prechecks.report import to_csv, to_html
from xeapp.targets import Target


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "precheck",
        help="run the pre-checks of devices for an image",
        description="Read each device now (NETCONF, plus SSH for what YANG lacks) and check "
        "it against a repository image: version, boot variable, disk space, ROMMON flags, "
        "image platform, image MD5, install state, stack health, saved configuration and "
        "reachability. The results replace the device's stored ones. Exit status: 0 when "
        "every device is ready (no Fail), 1 when any device has a Fail, 2 on usage errors "
        "such as an image not in the repository.",
    )
    parser.add_argument(
        "hosts",
        nargs="+",
        metavar="HOST",
        help="device address; it must be in the inventory unless --ssh-port or "
        "--netconf-port is given",
    )
    parser.add_argument(
        "--image", required=True, metavar="FILENAME", help="image file name in the repository"
    )
    parser.add_argument(
        "--ack-warnings",
        action="store_true",
        help="acknowledge the warnings of every ready device, so its upgrade may start",
    )
    parser.add_argument(
        "--ssh-port",
        type=int,
        metavar="P",
        help="TCP port of SSH (default: the stored port, else the setting)",
    )
    parser.add_argument(
        "--netconf-port",
        type=int,
        metavar="P",
        help="TCP port of NETCONF (default: the stored port, else the setting)",
    )
    parser.add_argument("--csv-report", metavar="FILE", help="also write the results as CSV")
    parser.add_argument("--html-report", metavar="FILE", help="also write an HTML report")
    add_json_option(parser)
    parser.set_defaults(func=run)


def _targets(args: argparse.Namespace, known: set[str]) -> list[Target]:
    """Return one target per distinct host; raises InvalidInputError or NotFoundError."""
    for option in ("ssh_port", "netconf_port"):
        value = getattr(args, option)
        if value is not None and not 1 <= value <= 65535:
            raise InvalidInputError(f"--{option.replace('_', '-')} {value} is not a port 1-65535")
    ports_given = args.ssh_port is not None or args.netconf_port is not None
    targets: list[Target] = []
    for host in args.hosts:
        try:
            address = str(ipaddress.ip_address(host.strip()))
        except ValueError:
            raise InvalidInputError(f"invalid HOST {host!r}: expected an IP address") from None
        if address not in known and not ports_given:
            raise NotFoundError(
                f"device {address} not found in the inventory; run `xeapp discover {address}` "
                "first, or give --ssh-port and --netconf-port"
            )
        if all(target.ip_address != address for target in targets):
            targets.append(Target(address, ssh_port=args.ssh_port, netconf_port=args.netconf_port))
    return targets


def _print_text(devices: list[DevicePrechecks]) -> None:
    for device in devices:
        counts = device.counts()
        if not device.ready:
            state = "NOT READY"
        elif device.needs_acknowledgement:
            state = "READY after the warnings are acknowledged (--ack-warnings)"
        else:
            state = "READY"
        print(
            f"{device.ip_address}  {device.image}  {state}  "
            f"({counts['Pass']} Pass, {counts['Warn']} Warn, {counts['Fail']} Fail)"
        )
        for check in device.checks:
            print(f"  {check.check_name:<15} {check.result.value:<4}  {check.message}")


def run(args: argparse.Namespace) -> int:
    with open_context(args, write=True) as context:
        known = {str(device["ip_address"]) for device in context.store.list_devices()}
        targets = _targets(args, known)
        service = build_precheck_service(
            context.settings,
            context.store,
            context.credentials,
            context.data_dir.root,
            context.events,
        )
        service.target_image(args.image)

        def progress(device: DevicePrechecks, done: int, total: int) -> None:
            state = "ready" if device.ready else "not ready"
            print(f"[{done}/{total}] {device.ip_address} {state}", file=sys.stderr)

        devices = service.run(targets, args.image, progress)
        if args.ack_warnings:
            devices = [
                service.acknowledge(d.ip_address, d.image) if d.ready and d.warnings else d
                for d in devices
            ]

    if args.csv_report:
        Path(args.csv_report).write_text(to_csv(devices), encoding="utf-8", newline="")
    if args.html_report:
        Path(args.html_report).write_text(to_html(devices), encoding="utf-8")
    if args.json:
        print_json([device.to_json() for device in devices])
    else:
        _print_text(devices)
    return 0 if all(device.ready for device in devices) else 1
