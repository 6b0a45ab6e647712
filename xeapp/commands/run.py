"""`xeapp run` (also plain `xeapp`): start the app with its UI, scheduler and image server."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import TYPE_CHECKING

from xeapp.errors import InvalidInputError

if TYPE_CHECKING:
    from xeapp.services import AppServices

log = logging.getLogger(__name__)


def add_ui_options(parser: argparse.ArgumentParser) -> None:
    """Add the window, host, port and --no-show options `run` and `demo` share."""
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--native", action="store_true", help="open the UI in a native window")
    window.add_argument("--browser", action="store_true", help="open the UI in a browser tab")
    parser.add_argument(
        "--host",
        help="address the UI binds to (default: ui_host setting, 127.0.0.1); an address "
        "other machines can reach needs a UI password",
    )
    parser.add_argument("--port", type=int, help="TCP port of the UI (default: ui_port setting)")
    parser.add_argument(
        "--no-show",
        action="store_true",
        help="open no window and no browser tab (for tests and servers)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="start the app (the default when no command is given)",
        description="Start the app: UI, scheduler and image server. Stops on window close, "
        "Ctrl-C or SIGTERM.",
    )
    add_ui_options(parser)
    parser.add_argument(
        "--set-ui-password",
        action="store_true",
        help="ask for a new UI password, save its hash in the settings and exit",
    )
    parser.set_defaults(func=run)


def window_mode(args: argparse.Namespace) -> str:
    if args.native:
        return "native"
    if args.browser:
        return "browser"
    return "auto"


def run(args: argparse.Namespace) -> int:
    from xeapp.app import UiOptions, check_host, run_app
    from xeapp.services import AppServices

    services = AppServices.open(args.data_dir)
    try:
        if args.set_ui_password:
            return _set_ui_password(services)
        host = args.host or services.settings.ui_host
        port = args.port or services.settings.ui_port
        check_host(host, services.settings.ui_password_hash)
        options = UiOptions(host, port, window_mode(args), not args.no_show)  # type: ignore[arg-type]
        run_app(services, options)
    finally:
        services.stop()
    return 0


def _set_ui_password(services: AppServices) -> int:
    from xeapp.services import hash_password

    password = getpass.getpass("New UI password: ")
    if len(password) < 8:
        raise InvalidInputError("the UI password needs at least 8 characters")
    if getpass.getpass("Repeat it: ") != password:
        raise InvalidInputError("the two passwords differ; nothing was changed")
    services.update_settings({"ui_password_hash": hash_password(password)})
    print("UI password set; start the app with --host to serve other machines", file=sys.stderr)
    return 0
