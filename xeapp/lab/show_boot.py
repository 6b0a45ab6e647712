"""`show boot`, `show romvar` and `show install summary` in real IOS-XE 17.x layouts."""

from __future__ import annotations

import time

from xeapp.lab.state import DeviceState, Member
from xeapp.lab.versions import package_version

_STATE_LEGEND = (
    "State (St): I - Inactive, U - Activated & Uncommitted,\n"
    "            C - Activated & Committed, D - Deactivated & Uncommitted"
)
_RULE = "-" * 80


def _present(device: DeviceState) -> list[Member]:
    return [m for m in device.members if m.state not in ("Removed", "Provisioned")]


def render_show_boot(device: DeviceState) -> str:
    """Render `show boot`: per-switch blocks on switches, the flat BOOT lines on routers."""
    if device.platform.layout == "router":
        boot = "".join(f"{entry},12;" for entry in device.boot_next)
        return "\n".join(
            [
                f"BOOT variable = {boot}" if boot else "BOOT variable does not exist",
                "CONFIG_FILE variable = ",
                "BOOTLDR variable does not exist",
                f"Configuration register is {device.platform.config_register}",
                "",
            ]
        )
    lines = []
    for member in _present(device):
        lines += [
            "---------------------------",
            f"Switch {member.number}",
            "---------------------------",
            "Current Boot Variables:",
            _switch_boot_line(device.boot_current),
            "",
            "Boot Variables on next reload:",
            _switch_boot_line(device.boot_next),
            f"Manual Boot = {device.romvars.get('MANUAL_BOOT', 'no')}",
            "Enable Break = yes",
            "Boot Mode = DEVICE",
            "iPXE Timeout = 0",
        ]
    return "\n".join(lines) + "\n"


def _switch_boot_line(entries: list[str]) -> str:
    if not entries:
        return "BOOT variable does not exist"
    return "BOOT variable = " + "".join(f"{entry};" for entry in entries)


def render_show_romvar(device: DeviceState) -> str:
    """Render `show romvar`: KEY=value on switches, ` KEY = value` on routers, BOOT included."""
    variables = dict(device.romvars)
    if device.platform.layout == "router":
        variables["BOOT"] = "".join(f"{entry},1;" for entry in device.boot_next)
        lines = ["ROMMON variables:"] + [f" {key} = {value}" for key, value in variables.items()]
        return "\n".join(lines) + "\n"
    variables["BOOT"] = ";".join(device.boot_next)
    header = "-" * 34
    lines = [header, "ROMMON variables for Active Switch", header]
    lines += [f"{key}={value}" for key, value in sorted(variables.items())]
    return "\n".join(lines) + "\n"


def render_show_install_summary(device: DeviceState) -> str:
    """Render `show install summary` with the packages and the auto-abort timer."""
    if device.device_kind == "switch":
        location = "Switch " + " ".join(str(m.number) for m in _present(device))
    else:
        location = "R0"
    lines = [
        f"[ {location} ] Installed Package(s) Information:",
        _STATE_LEGEND,
        _RULE,
        "Type  St   Filename/Version",
        _RULE,
    ]
    packages = device.install.packages or []
    if not packages:
        lines.append(f"IMG   C    {package_version(device.version)}")
    for package in packages:
        lines.append(f"IMG   {package.state}    {package.version}")
    lines += ["", _RULE, f"Auto abort timer: {_timer_text(device)}", _RULE, ""]
    return "\n".join(lines)


def _timer_text(device: DeviceState) -> str:
    deadline = device.install.auto_abort_deadline
    if deadline is None:
        return "inactive"
    remaining = max(0, int(deadline - time.monotonic()))
    hours, rest = divmod(remaining, 3600)
    minutes, seconds = divmod(rest, 60)
    return (
        "active on install_activate, time before rollback - "
        f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    )
