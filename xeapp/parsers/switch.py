"""Parser for `show switch`, on the ntc-templates `cisco_ios show switch detail` template."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import normalise, parse_with_template

COMMAND = "show switch"

_HEADER = re.compile(r"^Switch#\s+Role\s+Mac Address", re.MULTILINE)
_STACK_MAC = re.compile(r"^Switch/Stack Mac Address\s*:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class SwitchMember:
    """One stack member: number, role (Active, Standby, Member) and state.

    `state` is as printed: Ready, Provisioned, V-Mismatch, Progressing, Removed and others.
    `hw_version` is empty for a provisioned member that is not present.
    """

    number: int
    role: str
    mac_address: str
    priority: int | None
    hw_version: str
    state: str

    @property
    def ready(self) -> bool:
        """True when the member is up and in the stack."""
        return self.state == "Ready"


@dataclass(frozen=True)
class ShowSwitch:
    """Stack members in output order and the stack MAC address."""

    members: tuple[SwitchMember, ...]
    stack_mac_address: str | None

    @property
    def active(self) -> SwitchMember | None:
        """The active member, when the output shows one."""
        return next((member for member in self.members if member.role == "Active"), None)


def parse_show_switch(text: str) -> ShowSwitch:
    """Parse `show switch` output.

    Returns a ShowSwitch. Raises ParserError when the member table header is missing.
    """
    clean = normalise(text)
    if not _HEADER.search(clean):
        raise ParserError(COMMAND, "no 'Switch# Role Mac Address' table header")

    members = tuple(
        SwitchMember(
            number=int(record["switch"]),
            role=record["role"],
            mac_address=record["mac_address"],
            priority=int(record["priority"]) if record["priority"].isdigit() else None,
            hw_version=record["version"],
            state=record["state"],
        )
        for record in parse_with_template(COMMAND, clean)
    )
    stack_mac = _STACK_MAC.search(clean)
    return ShowSwitch(members, stack_mac[1] if stack_mac else None)
