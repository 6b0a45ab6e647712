"""Faults a lab device can be told to show, with the parameters each one takes."""

from __future__ import annotations

import time
from dataclasses import replace

from xeapp.lab.state import DeviceState

# Fault name -> (parameter defaults, what the device then does).
FAULTS: dict[str, tuple[dict[str, object], str]] = {
    "wrong_credentials": ({}, "rejects every login, even with the right password"),
    "netconf_disabled": ({}, "runs with `no netconf-yang`, so the NETCONF port is closed"),
    "netconf_slow_start": (
        {"seconds": 5.0},
        "NETCONF needs `seconds` after it is enabled or the device boots",
    ),
    "ssh_banner_timeout": (
        {"port": "ssh"},
        "accepts TCP on `port` (ssh, netconf or both) and never sends the SSH banner",
    ),
    "connection_reset": (
        {"command": "", "install_continues": False},
        "drops the session halfway through the output of a command starting with `command`; "
        "during an install's activation, which then aborts (the image stays added, no reload) "
        "unless `install_continues` lets it finish and reload the device",
    ),
    "copy_http_404": ({}, "copy http:// fails as if the server answered 404"),
    "copy_http_refused": ({}, "copy http:// fails as if the server refused the connection"),
    "copy_http_stall": (
        {"seconds": 2.0},
        "copy http:// stalls for `seconds`, then fails with a timeout",
    ),
    "copy_corrupt": ({}, "copy http:// succeeds but the stored file has a different MD5"),
    "copy_flash_full": ({}, "copy http:// fails because the destination flash is full"),
    "install_no_space": ({}, "install add fails with the not-enough-free-space line"),
    "install_super_package_added": (
        {},
        "install add fails with `Super package already added`",
    ),
    "install_failed": (
        {"message": "Failed to install package, error: internal error"},
        "install add fails with a generic FAILED: line carrying `message`",
    ),
    "reload_never_returns": ({}, "the device stays down after a reload until the lab stops"),
    "reload_rollback": ({}, "the device comes back from an install reload on its old version"),
    "reload_member_missing": (
        {"member": 0},
        "stack member `member` (0 means the highest number) is missing after a reload",
    ),
    "syslog_after_prompt": (
        {
            "after": 1,
            "message": "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)",
        },
        "prints a syslog line after the prompt that follows command number `after`",
    ),
}


def fault_params(name: str, params: dict[str, object]) -> dict[str, object]:
    """Return the full parameters of fault `name`, defaults filled in.

    Raises:
        ValueError: the fault name or a parameter name is unknown.
    """
    if name not in FAULTS:
        known = ", ".join(sorted(FAULTS))
        raise ValueError(f"unknown fault {name!r}; known faults: {known}")
    defaults = FAULTS[name][0]
    unknown = set(params) - set(defaults)
    if unknown:
        raise ValueError(f"fault {name!r} takes no parameter {', '.join(sorted(unknown))}")
    return {**defaults, **params}


def apply_fault(device: DeviceState, name: str, params: dict[str, object]) -> None:
    """Set fault `name` on `device`, changing the state the fault stands for at once."""
    full = fault_params(name, params)
    with device.lock:
        device.faults[name] = full
        if name == "netconf_disabled":
            device.netconf_enabled = False
            # The startup configuration lacks `netconf-yang` too, so a reload keeps it off.
            if device.saved_config is not None:
                device.saved_config = replace(device.saved_config, netconf_enabled=False)
                device.startup_config = [
                    line for line in device.startup_config if line != "netconf-yang"
                ]
        elif name == "netconf_slow_start":
            device.netconf_start_seconds = float(str(full["seconds"]))
            device.netconf_ready_at = time.monotonic() + device.netconf_start_seconds


def parse_fault_spec(spec: str) -> tuple[str, dict[str, object]]:
    """Parse a command-line fault `name[:key=value,...]`, e.g. `copy_http_stall:seconds=3`."""
    name, _, rest = spec.partition(":")
    params: dict[str, object] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"invalid fault parameter {item!r} in {spec!r}; expected key=value")
        params[key.strip()] = _convert(value.strip())
    fault_params(name.strip(), params)
    return name.strip(), params


def _convert(value: str) -> object:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value
