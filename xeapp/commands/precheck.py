"""`xeapp precheck`: decide, per device and image, whether an upgrade is safe."""

from __future__ import annotations

import argparse

from xeapp.commands import add_json_option, not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "precheck",
        help="run the pre-checks of devices for an image",
        description="Run the pre-checks of devices for an image.",
    )
    parser.add_argument("hosts", nargs="+", metavar="HOST", help="device address")
    parser.add_argument(
        "--image", required=True, metavar="FILENAME", help="image file name in the repository"
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("precheck")
