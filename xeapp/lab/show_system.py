"""`show version`, `show inventory` and `show switch` in real IOS-XE 17.x layouts."""

from __future__ import annotations

from datetime import UTC, datetime

from xeapp.lab.clierror import InvalidInput
from xeapp.lab.state import DeviceState, Member
from xeapp.lab.versions import long_version, release_train

_LEGAL = """\
Cisco IOS-XE software, Copyright (c) 2005-{year} by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.
"""

_CRYPTO = """\
This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com.
"""


def format_uptime(boot_time: datetime, now: datetime | None = None) -> str:
    """Return an uptime such as "1 year, 2 weeks, 3 days, 4 hours, 5 minutes"."""
    minutes = int(((now or datetime.now(UTC)) - boot_time).total_seconds() // 60)
    parts = []
    for unit, length in (("year", 525600), ("week", 10080), ("day", 1440), ("hour", 60)):
        count, minutes = divmod(minutes, length)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return ", ".join(parts)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S UTC %a %b ") + f"{moment.day} {moment.year}"


def _member_version(device: DeviceState, member: Member) -> str:
    return member.version or device.version


def _boot_image(device: DeviceState) -> str:
    if device.mode == "INSTALL":
        return f"{device.fs_prefix}:packages.conf"
    return f"{device.fs_prefix}:{device.image_name}"


def render_show_version(device: DeviceState) -> str:
    """Render `show version` for a switch (with its stack table) or a router."""
    platform = device.platform
    now = datetime.now(UTC)
    uptime = format_uptime(device.boot_time, now)
    lines = [
        f"Cisco IOS XE Software, Version {long_version(device.version)}",
        f"Cisco IOS Software [{release_train(device.version)}], {platform.software_name}, "
        f"Version {device.version}, RELEASE SOFTWARE (fc2)",
        "Technical Support: http://www.cisco.com/techsupport",
        f"Copyright (c) 1986-{now.year} by Cisco Systems, Inc.",
        "Compiled Thu 07-Dec-23 12:00 by mcpre",
        "",
        "",
        _LEGAL.format(year=now.year),
        "",
        "ROM: IOS-XE ROMMON",
    ]
    if device.device_kind == "switch":
        lines.append("BOOTLDR: " + platform.bootldr.format(version=device.rommon_version))
    lines += [
        "",
        f"{device.hostname} uptime is {uptime}",
        f"Uptime for this control processor is {uptime}",
        f"System returned to ROM by {device.last_reload_reason} at {_clock(device.boot_time)}",
        f"System restarted at {_clock(device.boot_time)}",
        f'System image file is "{_boot_image(device)}"',
        f"Last reload reason: {device.last_reload_reason}",
        "",
        "",
        "",
        _CRYPTO,
        "",
        "Smart Licensing Status: Smart Licensing Using Policy",
        "",
        platform.processor,
        f"Processor board ID {device.active_member.serial}",
    ]
    if device.device_kind == "router":
        lines.append("Router operating mode: Autonomous")
    lines += platform.interface_lines
    lines += [
        "2048K bytes of non-volatile configuration memory.",
        f"{platform.memory_kb}K bytes of physical memory.",
    ]
    for member in _present(device):
        kbytes = member.filesystem.total_bytes // 1024
        if device.device_kind == "router":
            lines.append(f"{kbytes}K bytes of flash memory at bootflash:.")
        else:
            name = "flash:" if member is device.active_member else member.filesystem.name
            lines.append(f"{kbytes}K bytes of Flash at {name}.")
    if device.device_kind == "switch":
        lines += _switch_tail(device)
    lines += ["", f"Configuration register is {platform.config_register}", ""]
    return "\n".join(lines)


def _present(device: DeviceState) -> list[Member]:
    return [m for m in device.members if m.state not in ("Removed", "Provisioned")]


def _switch_tail(device: DeviceState) -> list[str]:
    active = device.active_member
    lines = [
        "",
        f"Base Ethernet MAC Address          : {_colon_mac(active.mac)}",
        "Motherboard Assembly Number        : 73-18271-03",
        f"Motherboard Serial Number          : {active.serial}",
        "Model Revision Number              : A0",
        "Motherboard Revision Number        : A0",
        f"Model Number                       : {active.version_model}",
        f"System Serial Number               : {active.serial}",
        "",
        "",
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
    ]
    for member in _present(device):
        star = "*" if member is active else " "
        lines.append(
            f"{star}{member.number:>5} {62:<5} {member.version_model:<18} "
            f"{_member_version(device, member):<17} {device.platform.sw_image:<21} {device.mode}"
        )
    for member in _present(device):
        if member is active:
            continue
        lines += [
            "",
            "",
            f"Switch {member.number:02d}",
            "---------",
            f"Switch uptime                      : {format_uptime(device.boot_time)}",
            "",
            f"Base Ethernet MAC Address          : {_colon_mac(member.mac)}",
            "Motherboard Assembly Number        : 73-18271-03",
            f"Motherboard Serial Number          : {member.serial}",
            "Model Revision Number              : A0",
            "Motherboard Revision Number        : A0",
            f"Model Number                       : {member.version_model}",
            f"System Serial Number               : {member.serial}",
        ]
    return lines


def _colon_mac(dotted: str) -> str:
    digits = dotted.replace(".", "").replace(":", "").lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def render_show_inventory(device: DeviceState) -> str:
    """Render `show inventory`: the chassis or stack, then one entry per member or module."""
    entries: list[tuple[str, str, str, str, str]] = []
    active = device.active_member
    if device.device_kind == "switch":
        stack_name = device.platform.chassis_descr
        entries.append((stack_name, stack_name, active.pid, active.hw_version, active.serial))
        for member in _present(device):
            entries.append(
                (
                    f"Switch {member.number}",
                    member.pid,
                    member.pid,
                    member.hw_version,
                    member.serial,
                )
            )
            entries.append(
                (
                    f"Switch {member.number} - Power Supply A",
                    f"Switch {member.number} - Power Supply A",
                    "PWR-C1-715WAC",
                    "V01",
                    f"LIT{member.serial[3:]}",
                )
            )
    else:
        entries.append(
            ("Chassis", device.platform.chassis_descr, active.pid, active.hw_version, active.serial)
        )
        entries.append(
            ("module R0", "Route Processor", active.pid, active.hw_version, active.serial)
        )
    lines = []
    for name, descr, pid, vid, serial in entries:
        lines += [
            f'NAME: "{name}", DESCR: "{descr}"',
            f"PID: {pid:<17} , VID: {vid:<4} , SN: {serial}",
            "",
        ]
    return "\n".join(lines)


def render_show_switch(device: DeviceState) -> str:
    """Render `show switch` with the stack table, or the IOS-XE error a router prints."""
    if device.device_kind != "switch":
        raise InvalidInput(5)
    active = device.active_member
    lines = [
        f"Switch/Stack Mac Address : {active.mac} - Local Mac Address",
        "Mac persistency wait time: Indefinite",
        "                                             H/W   Current",
        "Switch#   Role    Mac Address     Priority Version  State ",
        "-------------------------------------------------------------------------------------",
    ]
    for member in device.members:
        star = "*" if member is active else " "
        state = member.state
        if member.version and member.version != device.version and state == "Ready":
            state = "V-Mismatch"
        lines.append(
            f"{star}{member.number:<8}{member.role:<9}{member.mac:<19}{member.priority:<7}"
            f"{member.hw_version:<9}{state}"
        )
    return "\n".join(lines) + "\n"
