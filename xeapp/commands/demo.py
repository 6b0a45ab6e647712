"""`xeapp demo`: start the app against a simulated fleet, in its own data directory."""

from __future__ import annotations

import argparse

from xeapp.commands import not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="start the app with the simulated demo fleet and demo images, no hardware needed",
        description="Start the app with the simulated demo fleet in a separate data directory.",
    )
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--native", action="store_true", help="open the UI in a native window")
    window.add_argument("--browser", action="store_true", help="open the UI in a browser tab")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("demo")
