"""`xeapp upgrade`: upgrade devices to an image, now or at a scheduled time."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import math
import sys
import time
from datetime import UTC, datetime
from typing import Any

from xeapp.apiclient import DEFAULT_TIMEOUT_S, AppClient
from xeapp.commands import add_json_option, app_settings, find_app, open_context, print_json
from xeapp.datadir import DataDir, lock_holder, resolve_data_dir
from xeapp.errors import InvalidInputError
from xeapp.events import JOB_LOG_LINE, EventBus
from xeapp.settings import AUTO_ABORT_MINUTES, Settings
from xeapp.upgrade.jobs import JobManager
from xeapp.upgrade.options import UpgradeOptions
from xeapp.upgrade.record import FINISHED_STATES, SUCCESS
from xeapp.upgrade.schedule import parse_start_time
from xeapp.upgrade.service import build_job_manager, start_image_server

log = logging.getLogger(__name__)

# Options of jobs run in this process; the app runs its jobs with its own settings.
LOCAL_OPTIONS = (
    "auto_abort_timer",
    "max_parallel",
    "serve_bind",
    "serve_port",
    "reload_timeout",
    "poll_interval",
)
# Seconds between two polls of the app while following its jobs.
FOLLOW_INTERVAL_S = 1.0
# NOTE: an estimate of a job's time outside the install and the reload (pre-checks, backup,
# copy, MD5 check), used only to stop following a job the app never finishes.
FOLLOW_STAGING_S = 3600
RESULT_FIELDS = ("job_id", "target_ip", "status", "from_version", "to_version", "reason")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upgrade",
        help="upgrade devices to an image from the repository",
        description="Upgrade devices to an image from the repository: pre-check, back up, "
        "stage, install in one step, wait for the reload and confirm the new version. Exit "
        "status: 0 when every job succeeded, 1 when one did not, 2 on usage errors. While "
        "an app runs on the data directory, the jobs go to that app through its local API; "
        "without --wait the command then prints the new jobs and returns.",
    )
    parser.add_argument("hosts", nargs="+", metavar="HOST", help="device address")
    parser.add_argument(
        "--image", required=True, metavar="FILENAME", help="image file name in the repository"
    )
    parser.add_argument(
        "--at",
        metavar="ISO-8601",
        help="start time, e.g. 2026-05-01T02:00+02:00; without an offset, local time "
        "(default: now)",
    )
    parser.add_argument(
        "--two-phase",
        action="store_true",
        help="activate with an auto-abort timer and commit only after the device is confirmed",
    )
    parser.add_argument(
        "--auto-abort-timer",
        type=int,
        metavar="MINUTES",
        help="with --two-phase, minutes (30 to 1200) after which an uncommitted activation "
        "rolls back (default: setting auto_abort_minutes)",
    )
    parser.add_argument(
        "--ack-warnings",
        action="store_true",
        help="accept every pre-check Warn of these devices (without it, a Warn stops the job "
        "unless it was acknowledged after the last pre-check for this image)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait until the jobs finish and print their results: run them in this process, "
        "or follow them in the app when one runs on the data directory",
    )
    parser.add_argument(
        "--stop-after",
        type=int,
        metavar="N",
        help="cancel the remaining pending jobs once N jobs of this batch failed",
    )
    parser.add_argument(
        "--max-parallel",
        type=int,
        metavar="N",
        help="jobs run at once with --wait (default: setting max_parallel_upgrades)",
    )
    parser.add_argument(
        "--source-interface",
        metavar="IFACE",
        help="interface devices copy the image from (`ip http client source-interface`)",
    )
    parser.add_argument(
        "--serve-bind",
        metavar="ADDRESS",
        help="address the image server listens on with --wait (default: setting image_server_bind)",
    )
    parser.add_argument(
        "--serve-port",
        type=int,
        metavar="PORT",
        help="port the image server listens on with --wait (default: setting "
        "image_server_port, then its fallback)",
    )
    parser.add_argument(
        "--reload-timeout",
        type=float,
        metavar="SECONDS",
        help="how long a device may take to come back after its reload (default: setting "
        "reload_timeout_s)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        metavar="SECONDS",
        help="time between checks while a device reloads (default: setting "
        "upgrade_poll_interval_s, else 5)",
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    hosts = [_address(host) for host in args.hosts]
    at = parse_start_time(args.at) if args.at else None
    for option in ("stop_after", "max_parallel"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise InvalidInputError(f"--{option.replace('_', '-')} must be 1 or more")
    _check_timings(args)
    client = find_app(args)
    if client is not None:
        return _run_through_app(client, args, hosts, at)
    if not args.wait:
        return _no_app(args)

    with open_context(args, write=True) as context:
        settings = context.settings
        options = UpgradeOptions.from_settings(settings, **_option_overrides(args))
        server = start_image_server(
            context.data_dir.root, settings, bind=args.serve_bind, port=args.serve_port
        )
        try:
            manager = build_job_manager(
                context.data_dir.root,
                settings,
                context.store,
                context.credentials,
                context.events,
                context.job_logs,
                server,
                options=options,
                max_parallel=args.max_parallel,
            )
            records = _run_jobs(manager, context.events, hosts, at, args)
        finally:
            server.stop()

    _print_results(records, args.json)
    return 0 if records and all(r["status"] == SUCCESS for r in records) else 1


def _run_jobs(
    manager: JobManager,
    events: EventBus,
    hosts: list[str],
    at: datetime | None,
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Submit the jobs, stream their log lines to stderr, and return their final records."""
    targets: dict[str, str] = {}

    def stream(_topic: str, payload: dict[str, Any]) -> None:
        host = targets.get(payload["job_id"])
        if host is not None:
            print(f"{host} {payload['job_id']}: {payload['line']}", file=sys.stderr, flush=True)

    unsubscribe = events.subscribe(JOB_LOG_LINE, stream)
    # Step lines already reach stderr through the stream; the logger would repeat them.
    upgrade_logger = logging.getLogger("xeapp.upgrade")
    if upgrade_logger.getEffectiveLevel() > logging.DEBUG:
        upgrade_logger.setLevel(logging.WARNING)
    manager.start()
    try:
        jobs = manager.submit(
            hosts,
            args.image,
            at=at,
            two_phase=args.two_phase,
            stop_after_failures=args.stop_after,
            source_interface=args.source_interface,
            acknowledge_warnings=args.ack_warnings,
        )
        targets.update({job["job_id"]: job["target_ip"] for job in jobs})
        manager.wait(targets)
    finally:
        unsubscribe()
        manager.shutdown()
    return [manager.get(job_id) for job_id in targets]


def _print_results(records: list[dict[str, Any]], as_json: bool) -> None:
    results = [{name: record.get(name) for name in RESULT_FIELDS} for record in records]
    if as_json:
        print_json(results)
        return
    for result in results:
        versions = f"{result['from_version'] or '?'} -> {result['to_version'] or '?'}"
        reason = f"  {result['reason']}" if result["reason"] else ""
        print(f"{result['job_id']}  {result['target_ip']}  {result['status']}  {versions}{reason}")


def _no_app(args: argparse.Namespace) -> int:
    data_dir = DataDir(resolve_data_dir(getattr(args, "data_dir", None)))
    holder = lock_holder(data_dir.lock_file)
    if holder is None:
        print(
            f"xeapp: no xeapp app is running on {data_dir.root}; use --wait to run the jobs "
            "in this process",
            file=sys.stderr,
        )
    else:
        print(
            f"xeapp: process {holder} holds {data_dir.root}, but no app answers on its local "
            "API; use --wait to run the jobs here once that process ends",
            file=sys.stderr,
        )
    return 2


def _run_through_app(
    client: AppClient, args: argparse.Namespace, hosts: list[str], at: datetime | None
) -> int:
    """Hand the jobs to the running app; with --wait, follow them until they finish."""
    _reject_local_options(args, client.pid)
    body = {
        "addresses": hosts,
        "image": args.image,
        "at": at.isoformat() if at is not None else None,
        "two_phase": args.two_phase,
        "stop_after_failures": args.stop_after,
        "acknowledge_warnings": args.ack_warnings,
        "source_interface": args.source_interface,
    }
    jobs: list[dict[str, Any]] = client.post("/api/jobs", body)
    if not args.wait:
        _print_submitted(jobs, args.json)
        return 0

    deadline_s = _follow_timeout(app_settings(args), len(jobs), at)
    try:
        records = _follow_jobs(client, jobs, deadline_s)
    except KeyboardInterrupt:
        print(
            "xeapp: stopped following; the jobs continue in the app (`xeapp jobs cancel ID` "
            "cancels one)",
            file=sys.stderr,
        )
        raise
    _print_results(records, args.json)
    return 0 if records and all(r["status"] == SUCCESS for r in records) else 1


def _reject_local_options(args: argparse.Namespace, pid: int) -> None:
    """Raise InvalidInputError for options that configure jobs run in this process."""
    set_options = [
        f"--{name.replace('_', '-')}" for name in LOCAL_OPTIONS if getattr(args, name) is not None
    ]
    if set_options:
        raise InvalidInputError(
            f"these options apply only to jobs this process runs: {', '.join(set_options)}. "
            f"The app (process {pid}) runs jobs with its own settings, so change them in the "
            "app's Settings page, or stop the app and use --wait"
        )


def _print_submitted(jobs: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(jobs)
        return
    for job in jobs:
        start = job.get("schedule_time") or "now"
        print(f"{job['job_id']}  {job['target_ip']}  {job['status']}  {start}")


def _follow_timeout(settings: Settings, count: int, at: datetime | None) -> float:
    """Return the seconds to follow `count` jobs before giving up on them."""
    until_start = max(0.0, (at - datetime.now(UTC)).total_seconds()) if at is not None else 0.0
    per_job_s = (
        FOLLOW_STAGING_S
        + settings.upgrade_install_timeout_s
        + settings.upgrade_down_timeout_s
        + settings.reload_timeout_s
    )
    rounds = math.ceil(max(1, count) / max(1, settings.max_parallel_upgrades))
    return until_start + rounds * per_job_s + DEFAULT_TIMEOUT_S


def _follow_jobs(
    client: AppClient, jobs: list[dict[str, Any]], timeout_s: float
) -> list[dict[str, Any]]:
    """Print the jobs' new log lines on stderr until every job finished; return the records.

    Stops after `timeout_s` seconds and returns the records as they are then.
    """
    hosts = {job["job_id"]: job["target_ip"] for job in jobs}
    lines_seen = dict.fromkeys(hosts, 0)
    records = {job["job_id"]: job for job in jobs}
    deadline = time.monotonic() + timeout_s

    while True:
        for job_id in hosts:
            if records[job_id]["status"] not in FINISHED_STATES:
                # The record first, then the log, so a finished job's last lines are read.
                records[job_id] = client.get(f"/api/jobs/{job_id}")
            _print_new_lines(client, job_id, hosts[job_id], lines_seen)
        if all(record["status"] in FINISHED_STATES for record in records.values()):
            return list(records.values())
        if time.monotonic() > deadline:
            print(
                f"xeapp: stopped following the jobs after {timeout_s:.0f} s; they continue in "
                "the app (see `xeapp jobs`)",
                file=sys.stderr,
            )
            return list(records.values())
        time.sleep(FOLLOW_INTERVAL_S)


def _print_new_lines(client: AppClient, job_id: str, host: str, lines_seen: dict[str, int]) -> None:
    document = client.get(f"/api/jobs/{job_id}/log", params={"after": lines_seen[job_id]})
    for line in document["lines"]:
        print(f"{host} {job_id}: {line}", file=sys.stderr, flush=True)
    lines_seen[job_id] += len(document["lines"])


def _check_timings(args: argparse.Namespace) -> None:
    """Raise InvalidInputError for a timing option out of its range."""
    minutes = args.auto_abort_timer
    low, high = AUTO_ABORT_MINUTES
    if minutes is not None and not low <= minutes <= high:
        raise InvalidInputError(
            f"invalid --auto-abort-timer {minutes}: IOS-XE accepts {low} to {high} minutes"
        )
    for option in ("poll_interval", "reload_timeout"):
        value = getattr(args, option)
        if value is not None and value <= 0:
            raise InvalidInputError(
                f"invalid --{option.replace('_', '-')} {value:g}: expected seconds above 0"
            )


def _option_overrides(args: argparse.Namespace) -> dict[str, float]:
    """Return the UpgradeOptions fields the command line sets."""
    overrides: dict[str, float] = {}
    if args.poll_interval is not None:
        overrides["poll_interval_s"] = args.poll_interval
    if args.reload_timeout is not None:
        overrides["reload_timeout_s"] = args.reload_timeout
    if args.auto_abort_timer is not None:
        overrides["auto_abort_minutes"] = args.auto_abort_timer
    return overrides


def _address(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host.strip()))
    except ValueError:
        raise InvalidInputError(
            f"invalid device address {host!r}: expected an IP address"
        ) from None
