"""`xeapp netconf`: enable or disable NETCONF on devices."""

from __future__ import annotations

import argparse

from xeapp.commands import not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "netconf",
        help="enable or disable NETCONF (netconf-yang) on devices",
        description="Enable or disable NETCONF (netconf-yang) on devices over SSH.",
    )
    parser.add_argument("action", choices=("enable", "disable"), help="what to do")
    parser.add_argument("hosts", nargs="+", metavar="HOST", help="device address")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("netconf")
