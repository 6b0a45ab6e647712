"""`xeapp upgrade`: upgrade devices to an image, now or at a scheduled time."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from datetime import datetime
from typing import Any

from xeapp.commands import add_json_option, open_context, print_json
from xeapp.datadir import DataDir, lock_holder, resolve_data_dir
from xeapp.errors import InvalidInputError
from xeapp.events import JOB_LOG_LINE, EventBus
from xeapp.settings import AUTO_ABORT_MINUTES
from xeapp.upgrade.jobs import JobManager
from xeapp.upgrade.options import UpgradeOptions
from xeapp.upgrade.record import SUCCESS
from xeapp.upgrade.schedule import parse_start_time
from xeapp.upgrade.service import build_job_manager, start_image_server

log = logging.getLogger(__name__)

RESULT_FIELDS = ("job_id", "target_ip", "status", "from_version", "to_version", "reason")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upgrade",
        help="upgrade devices to an image from the repository",
        description="Upgrade devices to an image from the repository: pre-check, back up, "
        "stage, install in one step, wait for the reload and confirm the new version. Exit "
        "status: 0 when every job succeeded, 1 when one did not, 2 on usage errors.",
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
        "--wait", action="store_true", help="run the jobs in this process and wait for them"
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
    if not args.wait:
        return _hand_to_app(args)

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


def _hand_to_app(args: argparse.Namespace) -> int:
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
            f"xeapp: the app (process {holder}) uses {data_dir.root}, but handing jobs to it "
            "through its local HTTP API is not built yet; stop the app and use --wait",
            file=sys.stderr,
        )
    return 2


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
