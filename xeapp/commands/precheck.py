"""`xeapp precheck`: decide, per device and image, whether an upgrade is safe."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Callable, Sized
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from xeapp.apiclient import DEFAULT_TIMEOUT_S, AppClient
from xeapp.commands import (
    add_json_option,
    app_settings,
    device_work_timeout,
    find_app,
    open_context,
    print_json,
)
from xeapp.errors import InvalidInputError, NotFoundError, XeappError
from xeapp.prechecks import DevicePrechecks, PrecheckService, build_precheck_service
from xeapp.prechecks.model import CheckResult, Result
from xeapp.prechecks.remedies import REMOVE_INACTIVE, REMOVE_TIMEOUT_S, remedy_disk_space
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
        "--remove-inactive",
        action="store_true",
        help=f"on each device whose disk_space check fails, run `{REMOVE_INACTIVE}` and "
        "answer y to its prompt, which deletes inactive packages and unused .bin files from "
        "flash on every stack member, then rerun disk_space; runs before --ack-warnings",
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
    client = find_app(args)
    if client is not None:
        devices, reports = _run_through_app(client, args)
    else:
        devices = _run_here(args)
        reports = {}
        if args.csv_report:
            reports["csv"] = to_csv(devices)
        if args.html_report:
            reports["html"] = to_html(devices)

    if args.csv_report:
        Path(args.csv_report).write_text(reports["csv"], encoding="utf-8", newline="")
    if args.html_report:
        Path(args.html_report).write_text(reports["html"], encoding="utf-8")
    if args.json:
        print_json([device.to_json() for device in devices])
    else:
        _print_text(devices)
    return 0 if all(device.ready for device in devices) else 1


def _run_here(args: argparse.Namespace) -> list[DevicePrechecks]:
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
        if args.remove_inactive:
            by_address = {target.ip_address: target for target in targets}
            devices = _free_flash_all(
                devices,
                lambda d: _free_flash_here(service, by_address[d.ip_address], d),
                context.settings.discovery_workers,
            )
        if args.ack_warnings:
            devices = [
                service.acknowledge(d.ip_address, d.image) if d.ready and d.warnings else d
                for d in devices
            ]
    return devices


def _run_through_app(
    client: AppClient, args: argparse.Namespace
) -> tuple[list[DevicePrechecks], dict[str, str]]:
    """Have the running app run and store the pre-checks; returns the results and reports."""
    known = {str(device["ip_address"]) for device in client.get("/api/devices")}
    targets = _targets(args, known)
    addresses = [target.ip_address for target in targets]
    settings = app_settings(args)
    # NOTE: an estimate of one device's worst case: a NETCONF read, SSH commands, MD5 check.
    per_device_s = 2 * settings.connect_timeout_s + 10 * settings.command_timeout_s
    body = {
        "addresses": addresses,
        "image": args.image,
        "ssh_port": args.ssh_port,
        "netconf_port": args.netconf_port,
    }
    timeout = device_work_timeout(settings, len(targets), per_device_s)
    print(f"xeapp: the app is checking {_count(targets)}", file=sys.stderr)
    devices = [_from_json(item) for item in client.post("/api/prechecks", body, timeout=timeout)]
    if args.remove_inactive:
        remedy_timeout = REMOVE_TIMEOUT_S + per_device_s + DEFAULT_TIMEOUT_S
        devices = _free_flash_all(
            devices,
            lambda d: _free_flash_through_app(client, args, d, remedy_timeout),
            settings.discovery_workers,
        )

    if args.ack_warnings:
        devices = [
            _from_json(client.post(f"/api/prechecks/{d.ip_address}/acknowledge"))
            if d.ready and d.warnings
            else d
            for d in devices
        ]
    reports = {}
    for report_format in ("csv", "html"):
        if getattr(args, f"{report_format}_report"):
            params = {"report_format": report_format, "ip_address": addresses}
            content = client.request("GET", "/api/prechecks/report", params=params)
            reports[report_format] = content.decode("utf-8")
    return devices, reports


def _free_flash_all(
    devices: list[DevicePrechecks],
    free_flash: Callable[[DevicePrechecks], DevicePrechecks],
    workers: int,
) -> list[DevicePrechecks]:
    """Run `free_flash` on each device whose disk_space failed, and return every device's results.

    A device whose remedy fails keeps its results, and the error goes to stderr.
    """
    failing = [d for d in devices if _disk_space_failed(d)]
    if not failing:
        message = f"xeapp: disk_space did not fail on any device, so {REMOVE_INACTIVE} did not run"
        print(message, file=sys.stderr)
        return devices
    print(f"xeapp: running {REMOVE_INACTIVE} on {_count(failing)}", file=sys.stderr)

    def attempt(device: DevicePrechecks) -> DevicePrechecks:
        try:
            return free_flash(device)
        except XeappError as exc:
            print(f"xeapp: {device.ip_address}: {REMOVE_INACTIVE} failed: {exc}", file=sys.stderr)
            return device

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(failing)))) as pool:
        freed = {device.ip_address: device for device in pool.map(attempt, failing)}
    return [freed.get(device.ip_address, device) for device in devices]


def _disk_space_failed(device: DevicePrechecks) -> bool:
    return any(c.check_name == "disk_space" and c.result is Result.FAIL for c in device.checks)


def _free_flash_here(
    service: PrecheckService, target: Target, device: DevicePrechecks
) -> DevicePrechecks:
    remedy = remedy_disk_space(service, target, device.image)
    _print_remedy(device.ip_address, remedy.files_deleted, remedy.recheck)
    return service.load(device.ip_address) or device


def _free_flash_through_app(
    client: AppClient, args: argparse.Namespace, device: DevicePrechecks, timeout: float
) -> DevicePrechecks:
    body = {"image": device.image, "ssh_port": args.ssh_port, "netconf_port": args.netconf_port}
    path = f"/api/prechecks/{device.ip_address}/remove-inactive"
    document = client.post(path, body, timeout=timeout)
    check = document["disk_space"]
    recheck = CheckResult(check["check_name"], Result(check["result"]), check["message"], "")
    _print_remedy(device.ip_address, int(document["files_deleted"]), recheck)
    return _from_json(document["prechecks"])


def _print_remedy(address: str, files_deleted: int, recheck: CheckResult) -> None:
    files = "1 file" if files_deleted == 1 else f"{files_deleted} files"
    print(
        f"xeapp: {address}: {REMOVE_INACTIVE} deleted {files}; disk_space now "
        f"{recheck.result.value}: {recheck.message}",
        file=sys.stderr,
    )


def _from_json(document: dict[str, Any]) -> DevicePrechecks:
    """Rebuild results from their `to_json` form, which omits when each check ran."""
    checks = [
        CheckResult(c["check_name"], Result(c["result"]), c["message"], ran_at="")
        for c in document.get("checks", [])
    ]
    return DevicePrechecks(
        ip_address=document["ip_address"],
        image=document.get("image") or "",
        checks=checks,
        acknowledged=bool(document.get("acknowledged")),
    )


def _count(devices: Sized) -> str:
    return "1 device" if len(devices) == 1 else f"{len(devices)} devices"
