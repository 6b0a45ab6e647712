"""`xeapp jobs`: list, cancel and clear upgrade jobs."""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import quote

from xeapp.commands import add_json_option, find_app, open_context, print_json
from xeapp.errors import InvalidInputError
from xeapp.upgrade import jobstore
from xeapp.upgrade.record import CANCELLED, PENDING, RUNNING

LIST_FIELDS = ("job_id", "status", "target_ip", "image", "schedule_time", "current_step", "reason")


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
    clear = actions.add_parser("clear", help="remove finished jobs and their logs")
    target = clear.add_mutually_exclusive_group(required=True)
    target.add_argument("job_id", nargs="?", metavar="ID", help="job id")
    target.add_argument("--all", action="store_true", help="remove every finished job")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "jobs_command", None)
    if command == "cancel":
        return _cancel(args)
    if command == "clear":
        return _clear(args)
    # Reads the store without the lock, so it works the same while the app runs.
    with open_context(args, write=False) as context:
        jobs = context.store.list_jobs()
    if getattr(args, "json", False):
        print_json(jobs)
        return 0
    for job in jobs:
        print("  ".join(str(job.get(name) or "-") for name in LIST_FIELDS))
    return 0


def _cancel(args: argparse.Namespace) -> int:
    client = find_app(args)
    if client is not None:
        record = client.post(f"/api/jobs/{quote(args.job_id, safe='')}/cancel")
    else:
        record = _cancel_here(args)
    print(f"job {args.job_id} {record['status'] if record else CANCELLED}", file=sys.stderr)
    return 0


def _cancel_here(args: argparse.Namespace) -> dict[str, Any] | None:
    with open_context(args, write=True) as context:
        job = jobstore.get_job(context.store, args.job_id)
        if job["status"] == RUNNING:
            # The data directory lock is ours, so no process runs this job any more.
            raise InvalidInputError(
                f"job {args.job_id} is recorded as Running but no app runs it; the app marks "
                "it interrupted when it starts"
            )
        if job["status"] != PENDING:
            raise InvalidInputError(f"job {args.job_id} is {job['status']}; it cannot be cancelled")
        return jobstore.finish_pending(
            context.store,
            context.job_logs,
            context.events,
            args.job_id,
            CANCELLED,
            "cancelled by the user",
        )


def _clear(args: argparse.Namespace) -> int:
    client = find_app(args)
    if client is not None:
        if args.all:
            count = client.delete("/api/jobs")["cleared"]
        else:
            client.delete(f"/api/jobs/{quote(args.job_id, safe='')}")
    else:
        with open_context(args, write=True) as context:
            if args.all:
                count = jobstore.clear_finished(context.store, context.job_logs)
            else:
                jobstore.clear_job(context.store, context.job_logs, args.job_id)
    if args.all:
        print(f"cleared {count} finished jobs", file=sys.stderr)
    else:
        print(f"cleared job {args.job_id}", file=sys.stderr)
    return 0
