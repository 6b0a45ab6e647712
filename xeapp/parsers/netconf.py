"""Parsers for NETCONF replies: device-hardware-data and the q-filesystem list.

Both take the `<rpc-reply>` XML text (or its `<data>` element) and read it with xmltodict,
ignoring namespace prefixes. Containers the filter did not ask for are simply absent.

- Cisco-IOS-XE-device-hardware-oper `device-hardware-data`: inventory (PIDs, serial numbers)
  and system data. The reply pads values: `rommon-version` arrives as "&#13;\\nIOS-XE
  ROMMON\\n" and `software-version` is the multi-line `show version` banner.
- Cisco-IOS-XE-platform-software-oper `cisco-platform-software/q-filesystem`: partitions per
  location, total-size and used-size in kB (per the 17.9.1 YANG model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

from xeapp.parsers import ParserError
from xeapp.versions import IOSXEVersion, try_parse_version

HARDWARE_COMMAND = "get device-hardware-data"
FILESYSTEM_COMMAND = "get cisco-platform-software q-filesystem"

_BANNER_VERSION = re.compile(r"Version ([0-9][0-9A-Za-z.()]*?)[,\s]")
_XE_VERSION = re.compile(r"Cisco IOS XE Software, Version (\S+)")


@dataclass(frozen=True)
class HardwareItem:
    """One device-inventory entry; empty leaves become ""."""

    hw_type: str
    index: int
    part_number: str
    serial_number: str
    version: str
    description: str


@dataclass(frozen=True)
class DeviceHardware:
    """device-hardware-data: inventory and system data.

    `software_version_text` is the banner with line ends normalised; `version` is the IOS-XE
    release read from it, None when the banner holds no number. `rommon_version` is stripped
    of the CR and line ends the device pads it with.
    """

    inventory: tuple[HardwareItem, ...]
    software_version_text: str
    version: IOSXEVersion | None
    rommon_version: str
    boot_time: str | None
    current_time: str | None
    last_reboot_reason: str | None

    @property
    def chassis(self) -> tuple[HardwareItem, ...]:
        """Chassis entries: one per stack member, or the single chassis of a router."""
        return tuple(item for item in self.inventory if item.hw_type == "hw-type-chassis")


@dataclass(frozen=True)
class Partition:
    """One partition of one location; sizes in kB as the YANG model defines them."""

    name: str
    total_kb: int
    used_kb: int

    @property
    def free_kb(self) -> int:
        """Total minus used, in kB."""
        return self.total_kb - self.used_kb

    @property
    def free_bytes(self) -> int:
        """Free space in bytes (1 kB = 1024 bytes)."""
        return self.free_kb * 1024


@dataclass(frozen=True)
class FilesystemLocation:
    """Partitions of one location: FRU ("fru-rp"), slot, bay and chassis (the stack member)."""

    fru: str
    slot: int | None
    bay: int | None
    chassis: int | None
    partitions: tuple[Partition, ...]

    def partition(self, name: str) -> Partition | None:
        """Return the partition called `name` ("flash:" or "flash"), or None."""
        bare = name.rstrip(":")
        return next((p for p in self.partitions if p.name.rstrip(":") == bare), None)


def parse_device_hardware(xml: str) -> DeviceHardware:
    """Parse a reply that contains device-hardware-data.

    Returns a DeviceHardware. Raises ParserError when the text is not XML or has no
    device-hardware-data element.
    """
    data = _find(_load(xml, HARDWARE_COMMAND), "device-hardware-data")
    if data is None:
        raise ParserError(HARDWARE_COMMAND, "no device-hardware-data element in the reply")
    hardware = _child(data, "device-hardware") or {}

    inventory = tuple(
        HardwareItem(
            hw_type=_text(item, "hw-type"),
            index=_int(item, "hw-dev-index") or 0,
            part_number=_text(item, "part-number"),
            serial_number=_text(item, "serial-number"),
            version=_text(item, "version"),
            description=_text(item, "hw-description"),
        )
        for item in _list(hardware, "device-inventory")
    )
    system = _child(hardware, "device-system-data") or {}
    banner = _text(system, "software-version", strip=False).replace("\r", "")
    return DeviceHardware(
        inventory=inventory,
        software_version_text=banner.strip(),
        version=_banner_version(banner),
        rommon_version=" ".join(_text(system, "rommon-version").split()),
        boot_time=_text(system, "boot-time") or None,
        current_time=_text(system, "current-time") or None,
        last_reboot_reason=_text(system, "last-reboot-reason") or None,
    )


def parse_q_filesystem(xml: str) -> tuple[FilesystemLocation, ...]:
    """Parse a reply that contains cisco-platform-software/q-filesystem.

    Returns one FilesystemLocation per q-filesystem entry. Raises ParserError when the text is
    not XML or has no cisco-platform-software element.
    """
    data = _find(_load(xml, FILESYSTEM_COMMAND), "cisco-platform-software")
    if data is None:
        raise ParserError(FILESYSTEM_COMMAND, "no cisco-platform-software element in the reply")
    return tuple(
        FilesystemLocation(
            fru=_text(entry, "fru"),
            slot=_int(entry, "slot"),
            bay=_int(entry, "bay"),
            chassis=_int(entry, "chassis"),
            partitions=tuple(
                Partition(
                    name=_text(partition, "name"),
                    total_kb=_int(partition, "total-size") or 0,
                    used_kb=_int(partition, "used-size") or 0,
                )
                for partition in _list(entry, "partitions")
            ),
        )
        for entry in _list(data, "q-filesystem")
    )


def _banner_version(banner: str) -> IOSXEVersion | None:
    xe = _XE_VERSION.search(banner)
    if xe:
        version = try_parse_version(xe[1])
        if version is not None:
            return version
    line = _BANNER_VERSION.search(banner)
    return try_parse_version(line[1]) if line else None


def _load(xml: str, command: str) -> dict[str, Any]:
    try:
        parsed: dict[str, Any] = xmltodict.parse(xml, process_namespaces=False)
    except ExpatError as error:
        raise ParserError(command, f"invalid XML: {error}") from error
    return parsed


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _find(node: Any, name: str) -> dict[str, Any] | None:
    """Depth-first search for the first element whose local name is `name`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if _local(key) == name:
                return value if isinstance(value, dict) else {}
            found = _find(value, name)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = _find(value, name)
            if found is not None:
                return found
    return None


def _child(node: dict[str, Any], name: str) -> dict[str, Any] | None:
    for key, value in node.items():
        if _local(key) == name and isinstance(value, dict):
            return value
    return None


def _list(node: dict[str, Any], name: str) -> list[dict[str, Any]]:
    for key, value in node.items():
        if _local(key) == name:
            items = value if isinstance(value, list) else [value]
            return [item for item in items if isinstance(item, dict)]
    return []


def _text(node: dict[str, Any], name: str, *, strip: bool = True) -> str:
    for key, value in node.items():
        if _local(key) != name:
            continue
        if isinstance(value, dict):
            value = value.get("#text", "")
        text = "" if value is None else str(value)
        return text.strip() if strip else text
    return ""


def _int(node: dict[str, Any], name: str) -> int | None:
    text = _text(node, name)
    try:
        return int(text)
    except ValueError:
        return None
