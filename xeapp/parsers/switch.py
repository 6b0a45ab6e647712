"""Parser for `show switch`.

The ntc-templates `cisco_ios show switch detail` template reads the real capture in tests/data
but raises a TextFSM state error on a member in the V-Mismatch state, the state the stack
health pre-check must see, so the member table is read here by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import lines, normalise

COMMAND = "show switch"

_HEADER = re.compile(r"^Switch#\s+Role\s+Mac Address", re.MULTILINE)
_STACK_MAC = re.compile(r"^Switch/Stack Mac Address\s*:\s*(\S+)", re.MULTILINE)
# A provisioned member that is absent has no H/W version, so that column is optional.
_MEMBER = re.compile(
    r"^\*?(?P<number>\d+)\s+(?P<role>[A-Za-z]+)\s+(?P<mac>[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})"
    r"\s+(?P<priority>\d+)\s+(?:(?P<hw>V\d+\S*)\s+)?(?P<state>\S.*?)\s*$"
)


@dataclass(frozen=True)
class SwitchMember:
    """One stack member: number, role (Active, Standby, Member) and state.

    `state` is as printed: Ready, Provisioned, V-Mismatch, Progressing, Removed and others.
    `hw_version` is empty for a provisioned member that is not present.
    """

    number: int
    role: str
    mac_address: str
    priority: int
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

    members = []
    for line in lines(clean):
        match = _MEMBER.match(line)
        if match is None:
            continue
        members.append(
            SwitchMember(
                number=int(match["number"]),
                role=match["role"],
                mac_address=match["mac"],
                priority=int(match["priority"]),
                hw_version=match["hw"] or "",
                state=match["state"],
            )
        )
    stack_mac = _STACK_MAC.search(clean)
    return ShowSwitch(tuple(members), stack_mac[1] if stack_mac else None)
