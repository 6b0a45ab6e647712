"""`xeapp jobs`: list, cancel and clear upgrade jobs."""

from __future__ import annotations

import argparse

from xeapp.commands import add_json_option, not_built


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "jobs",
        help="list, cancel or clear upgrade jobs",
        description="List upgrade jobs, or cancel or clear them.",
    )
    add_json_option(parser)
    actions = parser.add_subparsers(dest="jobs_command", metavar="ACTION")
    cancel = actions.add_parser("cancel", help="cancel a pending job")
    cancel.add_argument("job_id", metavar="ID", help="job id")
    clear = actions.add_parser("clear", help="remove finished jobs")
    target = clear.add_mutually_exclusive_group(required=True)
    target.add_argument("job_id", nargs="?", metavar="ID", help="job id")
    target.add_argument("--all", action="store_true", help="remove every finished job")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return not_built("jobs")
