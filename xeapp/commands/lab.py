"""`xeapp lab`: start a fleet of simulated IOS-XE devices on loopback addresses."""

from __future__ import annotations

import argparse

from xeapp.commands import not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="start simulated IOS-XE devices (SSH and NETCONF) on loopback addresses",
        description="Start simulated IOS-XE devices on loopback addresses.",
    )
    parser.add_argument("--fleet", help="start the named fixed fleet, e.g. demo")
    parser.add_argument("--count", type=int, help="number of devices to start")
    parser.add_argument("--base", help="first loopback address, e.g. 127.0.0.10")
    parser.add_argument("--ssh-port", type=int, help="TCP port of the SSH server on each device")
    parser.add_argument("--netconf-port", type=int, help="TCP port of the NETCONF server")
    parser.add_argument("--username", help="username the devices accept")
    parser.add_argument("--password", help="password the devices accept")
    parser.add_argument("--reload-seconds", type=float, help="simulated reload time in seconds")
    parser.add_argument("--profile", help="YAML or JSON file describing one device")
    parser.add_argument("--inventory-out", help="CSV file to write the started devices to")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("lab")
