"""The `xeapp` command line: shared options, subcommand dispatch and exit statuses."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from xeapp import __version__
from xeapp.commands import COMMAND_NAMES
from xeapp.credentials import register_environment_secrets
from xeapp.datadir import DATA_DIR_ENV, DataDir, resolve_data_dir
from xeapp.errors import InvalidInputError, XeappError
from xeapp.logs import configure_logging, redact

log = logging.getLogger(__name__)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Shared options that take a value, so the default-command check can skip that value.
_VALUE_OPTIONS = ("--data-dir", "--log-level")


def _add_shared_options(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    # On subcommands the defaults are suppressed so an option given before the subcommand
    # is not reset by the subcommand's parser.
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=None if top_level else argparse.SUPPRESS,
        help=f"data directory (settings, store, images, logs); default: ${DATA_DIR_ENV}, "
        "else the per-user data directory",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO" if top_level else argparse.SUPPRESS,
        help="lowest level of log records written to stderr and logs/xeapp.log (default: INFO)",
    )


def _add_shared_options_to_subparsers(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _add_shared_options(subparser, top_level=False)
                _add_shared_options_to_subparsers(subparser)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with the shared options and every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="xeapp",
        description="Discover, pre-check and upgrade Cisco IOS-XE 17.x switches and routers. "
        "Without a subcommand, starts the app (same as `xeapp run`).",
    )
    parser.add_argument("--version", action="version", version=f"xeapp {__version__}")
    _add_shared_options(parser, top_level=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_NAMES:
        module = importlib.import_module(f"xeapp.commands.{name}")
        module.register(subparsers)
    _add_shared_options_to_subparsers(parser)
    return parser


def _with_default_command(argv: Sequence[str]) -> list[str]:
    """Insert `run` where the subcommand would be when the command line names none."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in _VALUE_OPTIONS:
            index += 2
        elif token.startswith(tuple(f"{option}=" for option in _VALUE_OPTIONS)):
            index += 1
        elif token in ("-h", "--help", "--version") or not token.startswith("-"):
            # A help request, a subcommand, or an unknown word argparse should report.
            return list(argv)
        else:
            return [*argv[:index], "run", *argv[index:]]
    return [*argv, "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    0 means success, 1 a failure reported by xeapp, 2 invalid usage or a subcommand that is
    not built yet, 130 an interrupt.
    """
    parser = build_parser()
    args = parser.parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    register_environment_secrets()

    try:
        data_dir = DataDir.create(resolve_data_dir(args.data_dir))
        args.data_dir = data_dir.root
        configure_logging(args.log_level, data_dir.logs_dir)
        status: int = args.func(args)
    except InvalidInputError as exc:
        log.debug("command failed", exc_info=True)
        print(f"xeapp: error: {redact(str(exc))}", file=sys.stderr)
        return 2
    except XeappError as exc:
        log.debug("command failed", exc_info=True)
        print(f"xeapp: error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("xeapp: interrupted", file=sys.stderr)
        return 130
    return status
