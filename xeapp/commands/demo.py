"""`xeapp demo`: start the app against a simulated fleet, in its own data directory."""

from __future__ import annotations

import argparse
import logging

from xeapp.commands.run import add_ui_options, window_mode

log = logging.getLogger(__name__)

# The demo's own UI port, so a demo and an app on the default port can run side by side.
DEFAULT_DEMO_PORT = 8766


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="start the app with the simulated demo fleet and demo images, no hardware needed",
        description="Start the app with the simulated demo fleet, on loopback addresses, in "
        "the data directory's demo/ subdirectory, which is emptied at each start.",
    )
    add_ui_options(parser)
    parser.set_defaults(port=None)
    parser.add_argument(
        "--image-port",
        type=int,
        metavar="P",
        help="TCP port of the demo's image server on 127.0.0.1 (default: the "
        "image_server_port setting, then its fallback, then a free port; 0 = a free port)",
    )
    parser.add_argument(
        "--reload-seconds",
        type=float,
        default=3.0,
        metavar="S",
        help="seconds a simulated device takes to reload after an install (default: 3)",
    )
    parser.add_argument(
        "--lab-base",
        metavar="ADDRESS",
        help="loopback address of the first simulated device; the others take the next "
        "addresses (default: 127.0.0.10)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xeapp.app import UiOptions, check_port_free, is_loopback, run_app
    from xeapp.demo import DEFAULT_LAB_BASE, load_demo_inventory, prepare_demo
    from xeapp.errors import InvalidInputError

    host = args.host or "127.0.0.1"
    if not is_loopback(host):
        raise InvalidInputError(f"the demo serves loopback addresses only; {host} is not one")
    check_port_free(host, args.port or DEFAULT_DEMO_PORT)
    services, lab = prepare_demo(
        args.data_dir,
        image_server_port=args.image_port,
        reload_seconds=args.reload_seconds,
        lab_base=args.lab_base or DEFAULT_LAB_BASE,
    )
    try:
        port = args.port or DEFAULT_DEMO_PORT
        services.start()
        load_demo_inventory(services)
        options = UiOptions(host, port, window_mode(args), not args.no_show)  # type: ignore[arg-type]
        run_app(services, options)
    finally:
        services.stop()
        lab.stop()
    return 0
