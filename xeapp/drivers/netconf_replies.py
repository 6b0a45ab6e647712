"""Fill DeviceFacts from the combined device-hardware-data and q-filesystem `get` reply."""

from __future__ import annotations

import logging
import re

from lxml import etree

from xeapp.devicefacts import DeviceFacts, MemberFacts
from xeapp.drivers.netconf import NATIVE_NS
from xeapp.parsers import ParserError
from xeapp.parsers.netconf import (
    FilesystemLocation,
    Partition,
    parse_device_hardware,
    parse_q_filesystem,
)

log = logging.getLogger(__name__)

_ROMMON_LABEL = re.compile(r"\s*\[[^\]]*\]$")


def apply_inventory_reply(xml: str, facts: DeviceFacts) -> None:
    """Set PID, serial, versions, boot time and members with their flash space from `xml`.

    Raises ParserError when the reply has no device-hardware-data. A reply without
    q-filesystem leaves the member sizes unset and adds a note to `read_errors`.
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

    try:
        locations = sorted(parse_q_filesystem(xml), key=lambda loc: loc.chassis or 0)
    except ParserError as exc:
        log.warning("%s: %s", facts.ip_address, exc)
        facts.read_errors.append(str(exc))
        locations = []

    # A stack reports each member's filesystem under its switch number as `chassis`; a router
    # and a standalone switch report one location. device-inventory lists the chassis entries
    # of the members in the same order.
    # NOTE: the member number is taken from q-filesystem because the hardware parser does not
    # return the entries' dev-name ("Switch 2"); without q-filesystem members count from 1.
    facts.members = []
    for position, item in enumerate(chassis):
        location = locations[position] if position < len(locations) else None
        number = _member_number(location, position, len(chassis))
        member = MemberFacts(
            number=number,
            pid=item.part_number,
            serial_number=item.serial_number,
            version=facts.current_version,
        )
        if location is not None and location.partitions:
            partition = _primary_partition(location)
            member.total_bytes = partition.total_kb * 1024
            member.free_bytes = partition.free_bytes
        facts.members.append(member)

    first = facts.members[0]
    facts.pid = first.pid
    facts.serial_number = first.serial_number
    facts.hostname = configured_hostname(xml) or facts.hostname


def configured_hostname(xml: str) -> str | None:
    """Return the `native/hostname` leaf of a reply, or None when the reply has none."""
    try:
        root = etree.fromstring(xml.encode())
    except etree.XMLSyntaxError:
        return None
    found = root.find(f".//{{{NATIVE_NS}}}native/{{{NATIVE_NS}}}hostname")
    return found.text.strip() if found is not None and found.text else None


def _member_number(location: FilesystemLocation | None, position: int, count: int) -> int:
    if location is not None and location.chassis is not None and location.chassis > 0:
        return location.chassis
    return position + 1 if count > 1 else 1


def _primary_partition(location: FilesystemLocation) -> Partition:
    for name in ("flash", "bootflash"):
        partition = location.partition(name)
        if partition is not None:
            return partition
    return location.partitions[0]
