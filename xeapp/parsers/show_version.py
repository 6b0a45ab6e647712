"""Parser for `show version`.

The ntc-templates `cisco_ios show version` template reads the host name, uptime, reload
reason, chassis PIDs, serial numbers, MAC addresses and configuration register, once the
indentation some captures carry is removed. The template misses what an upgrade needs most.
Its `version` is the IOS version, empty for engineering builds. Regular expressions here add
the IOS-XE version, the full system image path, install or bundle mode, the ROMMON (boot
loader) version, the next-reload configuration register and the stack table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import normalise, parse_with_template
from xeapp.versions import IOSXEVersion, try_parse_version

COMMAND = "show version"

_XE_VERSION = re.compile(r"^Cisco IOS XE Software, Version (\S+)", re.MULTILINE)
_LEGACY_XE_VERSION = re.compile(r"^IOS XE Version: (\S+)", re.MULTILINE)
# "Experimental Version 17.15.20240326:010319" gives major and minor of an engineering build.
_EXPERIMENTAL = re.compile(r"Experimental Version (\d+)\.(\d+)\.\d{8}:")
_SYSTEM_IMAGE = re.compile(r'^System image file is "([^"]*)"', re.MULTILINE)
_BOOTLDR = re.compile(r"^BOOTLDR: .*?Version ([^\s,\[]+)", re.MULTILINE)
_NEXT_REGISTER = re.compile(r"will be (0x[0-9A-Fa-f]+) at next reload")
_STACK_ROW = re.compile(
    r"^(?P<active>\*)?\s*(?P<number>\d+)\s+(?P<ports>\d+)\s+(?P<model>\S+)\s+"
    r"(?P<version>\S+)\s+(?P<image>\S+)\s+(?P<mode>INSTALL|BUNDLE)\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class StackMemberSoftware:
    """One row of the "Switch Ports Model SW Version SW Image Mode" table."""

    number: int
    active: bool
    ports: int
    model: str
    sw_version: str
    sw_image: str
    mode: str  # "INSTALL" or "BUNDLE", as printed


@dataclass(frozen=True)
class ShowVersion:
    """Fields of `show version` output.

    `version` is None when no release number can be read (an engineering build whose stack
    table is missing); `version_text` keeps the label as printed. `install_mode` is True when
    the system booted packages.conf, False for a .bin (bundle mode), None when neither shows.
    `pids` and `serial_numbers` list the chassis first, then each further stack member.
    """

    hostname: str
    version: IOSXEVersion | None
    version_text: str
    uptime: str
    system_image: str
    install_mode: bool | None
    rommon_version: str | None
    pids: tuple[str, ...]
    serial_numbers: tuple[str, ...]
    mac_addresses: tuple[str, ...]
    config_register: str
    next_config_register: str | None
    last_reload_reason: str
    members: tuple[StackMemberSoftware, ...]

    @property
    def pid(self) -> str | None:
        """The chassis (or active member) PID."""
        return self.pids[0] if self.pids else None

    @property
    def serial_number(self) -> str | None:
        """The chassis (or active member) serial number."""
        return self.serial_numbers[0] if self.serial_numbers else None


def parse_show_version(text: str) -> ShowVersion:
    """Parse `show version` output.

    Returns a ShowVersion. Raises ParserError when the text has neither a Cisco IOS banner nor
    an "uptime is" line, so it is not `show version` output.
    """
    clean = normalise(text)
    if "Cisco IOS" not in clean or " uptime is " not in clean:
        raise ParserError(COMMAND, "no Cisco IOS banner or uptime line")

    records = parse_with_template(COMMAND, clean)
    record = records[0] if records else {}
    members = tuple(_stack_members(clean))
    version_text, version = _version(clean, members)

    image_match = _SYSTEM_IMAGE.search(clean)
    system_image = image_match[1] if image_match else ""
    rommon = _BOOTLDR.search(clean)
    next_register = _NEXT_REGISTER.search(clean)

    return ShowVersion(
        hostname=record.get("hostname", ""),
        version=version,
        version_text=version_text,
        uptime=record.get("uptime", ""),
        system_image=system_image,
        install_mode=_install_mode(system_image, members),
        rommon_version=rommon[1] if rommon else None,
        pids=tuple(record.get("hardware", [])),
        serial_numbers=tuple(record.get("serial", [])),
        mac_addresses=tuple(record.get("mac_address", [])),
        config_register=record.get("config_register", ""),
        next_config_register=next_register[1] if next_register else None,
        last_reload_reason=record.get("reload_reason", "").strip(),
        members=members,
    )


def _stack_members(text: str) -> list[StackMemberSoftware]:
    return [
        StackMemberSoftware(
            number=int(row["number"]),
            active=row["active"] is not None,
            ports=int(row["ports"]),
            model=row["model"],
            sw_version=row["version"],
            sw_image=row["image"],
            mode=row["mode"],
        )
        for row in _STACK_ROW.finditer(text)
    ]


def _version(
    text: str, members: tuple[StackMemberSoftware, ...]
) -> tuple[str, IOSXEVersion | None]:
    """Read the version label, then the best release number the output offers.

    Order: the label itself ("17.09.04a", "V169_5_SR...", "BLD_..._V16_3_3_24"), the stack
    table ("17.06.01" for a BLD_POLARIS_DEV build), then major.minor of an "Experimental
    Version" line. The 3850 capture in tests/data has no label line at all.
    """
    match = _XE_VERSION.search(text) or _LEGACY_XE_VERSION.search(text)
    label = match[1] if match else ""

    version = try_parse_version(label) if label else None
    if version is None and members:
        table_version = try_parse_version(members[0].sw_version)
        if table_version is not None:
            version = IOSXEVersion(
                table_version.major,
                table_version.minor,
                table_version.maintenance,
                table_version.letter,
                build=label,
            )
    if version is None:
        experimental = _EXPERIMENTAL.search(text)
        if experimental is not None:
            # NOTE: the maintenance number of such a build is unknown and set to 0.
            version = IOSXEVersion(int(experimental[1]), int(experimental[2]), 0, build=label)
    return label, version


def _install_mode(image: str, members: tuple[StackMemberSoftware, ...]) -> bool | None:
    if image.endswith("packages.conf"):
        return True
    if image.endswith(".bin"):
        return False
    if members:
        return members[0].mode == "INSTALL"
    return None
