"""Parsers for NETCONF replies: hardware, filesystems, install state and the hostname.

Each takes the `<rpc-reply>` XML text (or its `<data>` element) and reads it with xmltodict,
ignoring namespace prefixes. Containers the filter did not ask for are simply absent.

- Cisco-IOS-XE-device-hardware-oper `device-hardware-data`: inventory (PIDs, serial numbers,
  device names) and system data. The reply pads values: `rommon-version` arrives as
  "&#13;\\nIOS-XE ROMMON\\n" and `software-version` is the multi-line `show version` banner.
- Cisco-IOS-XE-platform-software-oper `cisco-platform-software/q-filesystem`: partitions per
  location, total-size and used-size in kB (per the 17.9.1 YANG model).
- Cisco-IOS-XE-install-oper `install-oper-data/install-location-information`: per location
  the install activity, auto-abort timer, boot mode and the versions the installer records.
- Cisco-IOS-XE-native `native/hostname`: the configured hostname.
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
INSTALL_OPER_COMMAND = "get install-oper-data"
HOSTNAME_COMMAND = "get native hostname"

# Enum names of Cisco-IOS-XE-install-oper (17.9.1): install-system-activity, install-timer-state.
INSTALL_NO_ACTIVITY = "install-no-activity"
INSTALL_TIMER_ACTIVE = "install-timer-state-active"

_BANNER_VERSION = re.compile(r"Version ([0-9][0-9A-Za-z.()]*?)[,\s]")
_XE_VERSION = re.compile(r"Cisco IOS XE Software, Version (\S+)")
# dev-name of a stack member's chassis entry, as `show inventory` names it: "Switch 2".
_SWITCH_NAME = re.compile(r"^Switch\s*(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class HardwareItem:
    """One device-inventory entry; empty leaves become "".

    `name` is the dev-name leaf: "Switch 2" for a stack member's chassis, "Chassis" on a router
    (dev-name is absent from the 16.9 reply in tests/data, so it can be "").
    """

    hw_type: str
    index: int
    part_number: str
    serial_number: str
    version: str
    description: str
    name: str = ""

    @property
    def member_number(self) -> int | None:
        """The stack member number from a "Switch N" name, or None for any other name."""
        match = _SWITCH_NAME.match(self.name)
        return int(match[1]) if match else None


@dataclass(frozen=True)
class DeviceHardware:
    """device-hardware-data: inventory and system data.

    `software_version_text` is the banner with line ends normalised; `version` is the IOS-XE
    release read from it, None when the banner holds no number. `rommon_version` is stripped
    of the CR and line ends the device pads it with. `unsaved_config` is True when the running
    configuration changed since the last save (the state `reload` asks about), None when the
    reply lacks the leaf.
    """

    inventory: tuple[HardwareItem, ...]
    software_version_text: str
    version: IOSXEVersion | None
    rommon_version: str
    boot_time: str | None
    current_time: str | None
    last_reboot_reason: str | None
    unsaved_config: bool | None = None

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


@dataclass(frozen=True)
class InstallPackageState:
    """One install-package-state-info entry of a version; values are the YANG enum names."""

    package_type: str  # "install-pkg-img", "install-pkg-smu", ...
    directory: str
    name: str
    state: str  # "install-state-committed", "install-state-act-uncommitted", ...


@dataclass(frozen=True)
class InstallVersion:
    """One install-version-info entry: a software version the installer records on a location.

    `current` and `previous` are install-version-state enum names, for example
    "install-version-state-provisioned-committed"; "" when the leaf is absent.
    """

    version: str
    version_extension: str
    is_default: bool | None
    current: str
    previous: str
    src_filename: str
    commit_type: str
    packages: tuple[InstallPackageState, ...]

    @property
    def uncommitted(self) -> bool:
        """True when this version is activated but not committed."""
        return self.current == "install-version-state-provisioned-uncommitted"


@dataclass(frozen=True)
class InstallLocation:
    """One install-location-information entry: a stack member or a route processor.

    `chassis` is the switch number on a stack member. `sys_activity`, `auto_abort_state` and
    `boot_mode` are the YANG enum names of oper-state, "" when absent.
    """

    fru: str
    slot: int | None
    bay: int | None
    chassis: int | None
    sys_activity: str
    auto_abort_state: str
    auto_abort_end_time: str | None
    boot_mode: str
    versions: tuple[InstallVersion, ...]

    @property
    def operation_in_progress(self) -> bool:
        """True when an install or ISSU operation runs on this location."""
        return self.sys_activity not in ("", INSTALL_NO_ACTIVITY)

    @property
    def auto_abort_active(self) -> bool:
        """True when the auto-abort timer runs, so the location rolls back when it expires."""
        return self.auto_abort_state == INSTALL_TIMER_ACTIVE


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
            name=_text(item, "dev-name"),
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
        unsaved_config=_bool(system, "unsaved-config"),
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


def parse_install_oper(xml: str) -> tuple[InstallLocation, ...]:
    """Parse a reply that contains install-oper-data.

    Returns one InstallLocation per install-location-information entry, () when the container
    is empty. Raises ParserError when the text is not XML or has no install-oper-data element.
    """
    data = _find(_load(xml, INSTALL_OPER_COMMAND), "install-oper-data")
    if data is None:
        raise ParserError(INSTALL_OPER_COMMAND, "no install-oper-data element in the reply")
    return tuple(_install_location(entry) for entry in _list(data, "install-location-information"))


def parse_configured_hostname(xml: str) -> str | None:
    """Return the Cisco-IOS-XE-native `native/hostname` of a reply, None when it has none.

    Raises ParserError when the text is not XML.
    """
    native = _find(_load(xml, HOSTNAME_COMMAND), "native")
    if native is None:
        return None
    return _text(native, "hostname") or None


def _install_location(entry: dict[str, Any]) -> InstallLocation:
    state = _child(entry, "oper-state") or {}
    timer = _child(state, "auto-abort-timer") or {}
    return InstallLocation(
        fru=_text(entry, "fru"),
        slot=_int(entry, "slot"),
        bay=_int(entry, "bay"),
        chassis=_int(entry, "chassis"),
        sys_activity=_text(state, "sys-activity"),
        auto_abort_state=_text(timer, "state"),
        auto_abort_end_time=_text(timer, "end-time") or None,
        boot_mode=_text(state, "boot-mode"),
        versions=tuple(_install_version(info) for info in _list(entry, "install-version-info")),
    )


def _install_version(info: dict[str, Any]) -> InstallVersion:
    return InstallVersion(
        version=_text(info, "version"),
        version_extension=_text(info, "version-extension"),
        is_default=_bool(info, "is-default"),
        current=_text(info, "current"),
        previous=_text(info, "previous"),
        src_filename=_text(info, "src-filename"),
        commit_type=_text(info, "commit-type"),
        packages=tuple(
            InstallPackageState(
                package_type=_text(package, "package-type"),
                directory=_text(package, "pkg-dir"),
                name=_text(package, "pkg-name"),
                state=_text(package, "package-state"),
            )
            for package in _list(info, "install-package-state-info")
        ),
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


def _bool(node: dict[str, Any], name: str) -> bool | None:
    text = _text(node, name).lower()
    if text in ("true", "false"):
        return text == "true"
    return None


def _int(node: dict[str, Any], name: str) -> int | None:
    text = _text(node, name)
    try:
        return int(text)
    except ValueError:
        return None
