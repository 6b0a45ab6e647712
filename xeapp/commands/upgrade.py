"""`xeapp upgrade`: upgrade devices to an image, now or at a scheduled time."""

from __future__ import annotations

import argparse

from xeapp.commands import add_json_option, not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upgrade",
        help="upgrade devices to an image from the repository",
        description="Upgrade devices to an image from the repository.",
    )
    parser.add_argument("hosts", nargs="+", metavar="HOST", help="device address")
    parser.add_argument(
        "--image", required=True, metavar="FILENAME", help="image file name in the repository"
    )
    parser.add_argument(
        "--at", metavar="ISO-8601", help="start time, e.g. 2026-05-01T02:00+02:00 (default: now)"
    )
    parser.add_argument(
        "--two-phase",
        action="store_true",
        help="activate with an auto-abort timer and commit only after the device is confirmed",
    )
    parser.add_argument(
        "--wait", action="store_true", help="run the jobs in this process and wait for them"
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("upgrade")
