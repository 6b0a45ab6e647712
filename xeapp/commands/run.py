"""`xeapp run` (also plain `xeapp`): start the app with its UI, scheduler and image server."""

from __future__ import annotations

import argparse

from xeapp.commands import not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="start the app (the default when no command is given)",
        description="Start the app: UI, scheduler and image server.",
    )
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--native", action="store_true", help="open the UI in a native window")
    window.add_argument("--browser", action="store_true", help="open the UI in a browser tab")
    parser.add_argument(
        "--host", help="address the UI binds to (default: ui_host setting, 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, help="TCP port of the UI (default: ui_port setting)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("run")
