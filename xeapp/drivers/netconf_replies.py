"""Fill DeviceFacts from the combined `get` reply: hardware, filesystems, install-oper, hostname."""

from __future__ import annotations

import logging
import re

from xeapp.devicefacts import DeviceFacts, InstallState, MemberFacts
from xeapp.parsers import ParserError
from xeapp.parsers.netconf import (
    FilesystemLocation,
    HardwareItem,
    InstallLocation,
    Partition,
    parse_configured_hostname,
    parse_device_hardware,
    parse_install_oper,
    parse_q_filesystem,
)

log = logging.getLogger(__name__)

_ROMMON_LABEL = re.compile(r"\s*\[[^\]]*\]$")


def apply_inventory_reply(xml: str, facts: DeviceFacts) -> None:
    """Apply the whole `read_inventory` reply: `apply_hardware_reply`, then install-oper-data.

    Raises ParserError when the reply has no device-hardware-data. A reply without
    q-filesystem or install-oper-data leaves those facts unset and adds a note to `read_errors`.
    """
    apply_hardware_reply(xml, facts)
    try:
        apply_install_oper(parse_install_oper(xml), facts)
    except ParserError as exc:
        log.warning("%s: %s", facts.ip_address, exc)
        facts.read_errors.append(str(exc))


def apply_hardware_reply(xml: str, facts: DeviceFacts) -> None:
    """Set PID, serial, versions, boot time, unsaved-config, hostname and members from `xml`.

    Members get their flash space from q-filesystem. Raises ParserError when the reply has no
    device-hardware-data. A reply without q-filesystem leaves the member sizes unset and adds a
    note to `read_errors`.
    """
    hardware = parse_device_hardware(xml)
    chassis = sorted(hardware.chassis, key=lambda item: item.index)
    if not chassis:
        raise ParserError("get device-hardware-data", "no chassis entry in device-inventory")

    facts.current_version = str(hardware.version) if hardware.version else ""
    # `show version` parsing drops the "[FC2]" build label, so both sources store "17.6.1r".
    facts.rommon_version = _ROMMON_LABEL.sub("", hardware.rommon_version)
    facts.boot_time = hardware.boot_time
    facts.last_reboot_reason = hardware.last_reboot_reason
    facts.unsaved_config = hardware.unsaved_config

    try:
        locations = sorted(parse_q_filesystem(xml), key=lambda loc: loc.chassis or 0)
    except ParserError as exc:
        log.warning("%s: %s", facts.ip_address, exc)
        facts.read_errors.append(str(exc))
        locations = []

    facts.members = _members(chassis, locations, facts.current_version)
    facts.pid = chassis[0].part_number
    facts.serial_number = chassis[0].serial_number
    facts.members.sort(key=lambda m: m.number)
    facts.hostname = parse_configured_hostname(xml) or facts.hostname


def apply_install_oper(locations: tuple[InstallLocation, ...], facts: DeviceFacts) -> None:
    """Set the install activity and the auto-abort timer of `facts.install_state`.

    Keeps the packages already read; `show install summary` adds them and may refine the timer.
    """
    busy = [
        f"{install_location_name(loc)}: {loc.sys_activity}"
        for loc in locations
        if loc.operation_in_progress
    ]
    timers = [loc for loc in locations if loc.auto_abort_active]
    timer: str | None = None
    if timers:
        timer = "active on " + ", ".join(
            install_location_name(loc)
            + (f" until {loc.auto_abort_end_time}" if loc.auto_abort_end_time else "")
            for loc in timers
        )
    elif locations:
        timer = "inactive"
    previous = facts.install_state or InstallState()
    facts.install_state = InstallState(
        packages=previous.packages,
        operation_in_progress="; ".join(busy) or None,
        auto_abort_timer=timer,
    )


def install_location_name(location: InstallLocation) -> str:
    """Return how messages name an install location: "switch 2" or "the route processor"."""
    number = location.chassis
    return f"switch {number}" if number is not None and number > 0 else "the route processor"


def _members(
    chassis: list[HardwareItem], locations: list[FilesystemLocation], version: str
) -> list[MemberFacts]:
    """Build one member per chassis entry, with the flash space of its q-filesystem location.

    A stack names each chassis entry "Switch N" (dev-name) and reports each member's filesystem
    under its switch number as `chassis`; a router and a standalone switch report one location.
    Without dev-name the member number comes from q-filesystem, else from the entry's position.
    """
    by_number = {loc.chassis: loc for loc in locations if loc.chassis and loc.chassis > 0}
    members = []
    for position, item in enumerate(chassis):
        positional = locations[position] if position < len(locations) else None
        number = item.member_number or _location_number(positional) or position + 1
        location = by_number.get(number) if by_number else positional
        member = MemberFacts(
            number=number,
            pid=item.part_number,
            serial_number=item.serial_number,
            version=version,
        )
        if location is not None and location.partitions:
            partition = _primary_partition(location)
            member.total_bytes = partition.total_kb * 1024
            member.free_bytes = partition.free_bytes
        members.append(member)
    return members


def _location_number(location: FilesystemLocation | None) -> int | None:
    if location is not None and location.chassis is not None and location.chassis > 0:
        return location.chassis
    return None


def _primary_partition(location: FilesystemLocation) -> Partition:
    for name in ("flash", "bootflash"):
        partition = location.partition(name)
        if partition is not None:
            return partition
    return location.partitions[0]
