"""`xeapp netconf enable|disable HOST...`: turn NETCONF on or off over SSH and confirm it."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from xeapp.commands import add_json_option, open_context, print_json
from xeapp.discovery import open_host_keys
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import XeappError
from xeapp.netconf_toggle import ToggleResult, set_netconf_many
from xeapp.targets import parse_targets


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

    with open_context(args, write=True) as context:
        resolver = LoginResolver(
            context.settings,
            context.credentials,
            context.store,
            open_host_keys(context.data_dir.root, context.events),
        )
        logins: list[DeviceLogin] = []
        failed: list[ToggleResult] = []
        for target in targets.targets:
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

    if args.json:
        print_json([asdict(result) for result in results])
    else:
        for result in results:
            status = "ok" if result.confirmed else "FAILED"
            print(f"{result.ip_address}  {status}  {result.message}")
    return 0 if all(result.confirmed for result in results) and not targets.problems else 1
