"""`xeapp lab`: start a fleet of simulated IOS-XE devices on loopback addresses."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from xeapp.lab import start_lab
from xeapp.lab.faults import FAULTS, parse_fault_spec
from xeapp.lab.profiles import ProfileError

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `lab` command and its options."""
    parser = subparsers.add_parser(
        "lab",
        help="start simulated IOS-XE devices (SSH and NETCONF) on loopback addresses",
        description=(
            "Start simulated IOS-XE devices on loopback addresses until Ctrl-C. "
            f"Faults for --fault: {', '.join(sorted(FAULTS))}."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--fleet", choices=["demo"], help="start a fixed fleet; demo covers every pre-check"
    )
    source.add_argument("--count", type=int, help="start N devices mixed from every profile")
    source.add_argument(
        "--profile", action="append", help="start one device from this profile name or file"
    )
    parser.add_argument("--base", default="127.0.0.10", help="first loopback address")
    parser.add_argument("--ssh-port", type=int, default=2222, help="SSH CLI port (0: free port)")
    parser.add_argument(
        "--netconf-port", type=int, default=8830, help="NETCONF port (0: free port)"
    )
    parser.add_argument("--username", default="admin", help="username the devices accept")
    parser.add_argument("--password", default="admin", help="password the devices accept")
    parser.add_argument(
        "--reload-seconds", type=float, default=30.0, help="seconds a reloading device is down"
    )
    parser.add_argument(
        "--netconf-start-seconds",
        type=float,
        default=3.0,
        help="seconds NETCONF needs after it is enabled or the device boots",
    )
    parser.add_argument(
        "--reload-behaviour",
        choices=["refuse", "silent"],
        default="refuse",
        help="while reloading, refuse connections or accept them and never send a banner",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="HOST=NAME[:KEY=VALUE,...]",
        help="give the device with this address or hostname a fault (repeatable)",
    )
    parser.add_argument("--inventory-out", help="write the devices to this CSV file for import")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Start the lab, print its devices, and serve until Ctrl-C; return the exit status."""
    try:
        faults = [_parse_host_fault(spec) for spec in args.fault]
        lab = start_lab(
            fleet=args.fleet or ("demo" if not (args.count or args.profile) else None),
            profiles=args.profile,
            count=args.count,
            base=args.base,
            ssh_port=args.ssh_port,
            netconf_port=args.netconf_port,
            reload_seconds=args.reload_seconds,
            netconf_start_seconds=args.netconf_start_seconds,
            username=args.username,
            password=args.password,
            reload_behaviour=args.reload_behaviour,
        )
    except (ProfileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: cannot listen: {exc}. Is another lab running on these addresses?",
            file=sys.stderr,
        )
        return 1
    try:
        for host, name, params in faults:
            lab.set_fault(host, name, **params)
        for device in lab.devices:
            state = device.state
            with state.lock:
                model, version, host = state.chassis_pid, state.version, state.hostname
            print(
                f"{device.ip:<15} ssh {device.ssh_port:<5} netconf {device.netconf_port:<5} "
                f"{host:<24} {model:<16} {version}",
                flush=True,
            )
        print(f"credentials: {args.username} / {args.password}", flush=True)
        if args.inventory_out:
            lab.write_inventory(args.inventory_out)
            print(f"inventory written to {args.inventory_out}", flush=True)
        print("lab running; press Ctrl-C to stop", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        threading.Event().wait()
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopping the lab", flush=True)
    finally:
        lab.stop()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _parse_host_fault(spec: str) -> tuple[str, str, dict[str, object]]:
    host, sep, fault = spec.partition("=")
    if not sep:
        raise ValueError(f"invalid --fault {spec!r}; expected HOST=NAME[:KEY=VALUE,...]")
    name, params = parse_fault_spec(fault)
    return host, name, params
