"""`xeapp discover`: read devices over SSH and NETCONF and store them in the inventory."""

from __future__ import annotations

import argparse

from xeapp.commands import add_json_option, not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "discover",
        help="discover devices and add them to the inventory",
        description="Discover devices and add them to the inventory.",
    )
    parser.add_argument(
        "targets", nargs="*", metavar="TARGET", help="IP address, range or subnet to discover"
    )
    parser.add_argument("--csv", metavar="FILE", help="CSV file of devices to discover")
    parser.add_argument("--ssh-port", type=int, metavar="P", help="SSH TCP port of the devices")
    parser.add_argument(
        "--netconf-port", type=int, metavar="P", help="NETCONF TCP port of the devices"
    )
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("discover")
