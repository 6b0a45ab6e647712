"""`xeapp netconf enable|disable HOST...`: turn NETCONF on or off over SSH and confirm it."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
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
from xeapp.discovery import open_host_keys
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import XeappError
from xeapp.netconf_toggle import ToggleResult, set_netconf_many
from xeapp.targets import Target, parse_targets


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "netconf",
        help="turn NETCONF on or off on devices (netconf-yang over SSH)",
        description="Configure `netconf-yang` or `no netconf-yang` over SSH, then wait until "
        "NETCONF answers (or stops answering), up to the netconf_start_wait_s setting. "
        "Exit status: 0 when every device confirmed the new state, 1 otherwise.",
    )
    parser.add_argument("action", choices=("enable", "disable"), help="turn NETCONF on or off")
    parser.add_argument(
        "hosts",
        nargs="+",
        metavar="HOST",
        help="device address, range or CIDR block; stored devices keep their ports",
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="save the configuration (write memory) after the change",
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = parse_targets(args.hosts)
    for problem in targets.problems:
        print(f"xeapp: invalid host {problem}", file=sys.stderr)
    if not targets.targets:
        return 2
    enable = args.action == "enable"

    client = find_app(args)
    if client is not None:
        results = _toggle_through_app(client, args, targets.targets, enable)
    else:
        results = [asdict(result) for result in _toggle_here(args, targets.targets, enable)]

    if args.json:
        print_json(results)
    else:
        for result in results:
            status = "ok" if result["confirmed"] else "FAILED"
            print(f"{result['ip_address']}  {status}  {result['message']}")
    return 0 if all(result["confirmed"] for result in results) and not targets.problems else 1


def _toggle_here(
    args: argparse.Namespace, targets: list[Target], enable: bool
) -> list[ToggleResult]:
    with open_context(args, write=True) as context:
        resolver = LoginResolver(
            context.settings,
            context.credentials,
            context.store,
            open_host_keys(context.data_dir.root, context.events),
        )
        logins: list[DeviceLogin] = []
        failed: list[ToggleResult] = []
        for target in targets:
            try:
                logins.append(resolver.login(target.ip_address))
            except XeappError as exc:
                failed.append(ToggleResult(target.ip_address, enable, False, None, False, str(exc)))

        def progress(result: ToggleResult, done: int, total: int) -> None:
            print(f"[{done}/{total}] {result.ip_address}: {result.message}", file=sys.stderr)

        results = failed + set_netconf_many(
            logins,
            enable,
            save=args.save,
            wait_s=context.settings.netconf_start_wait_s,
            workers=context.settings.discovery_workers,
            progress=progress,
        )
        for result in results:
            if result.netconf_state is not None and context.store.get_device(result.ip_address):
                context.store.upsert_device(
                    {"ip_address": result.ip_address, "netconf_state": result.netconf_state}
                )
    return results


def _toggle_through_app(
    client: AppClient, args: argparse.Namespace, targets: list[Target], enable: bool
) -> list[dict[str, Any]]:
    """Have the running app change NETCONF; it accepts devices of its inventory only."""
    settings = app_settings(args)
    per_device_s = (
        settings.netconf_start_wait_s + settings.connect_timeout_s + 3 * settings.command_timeout_s
    )
    body = {
        "addresses": [target.ip_address for target in targets],
        "enable": enable,
        "save": args.save,
    }
    timeout = device_work_timeout(settings, len(targets), per_device_s)
    response = client.post("/api/devices/netconf", body, timeout=timeout)
    results: list[dict[str, Any]] = response["results"]
    return results
