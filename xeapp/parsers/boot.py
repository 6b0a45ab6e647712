"""Parser for `show boot` and `show bootvar`.

The ntc-templates `cisco_ios show boot` template fails with a TextFSM state error on six of
the eight real outputs in tests/data (ASR Standby lines, per-switch blocks with current and
next-reload lists, tftp BOOT paths), so this parser is written by hand. Layouts:

- per-switch blocks ("Switch 5" between rulers) with "Current Boot Variables:" and
  "Boot Variables on next reload:" sections (Catalyst 9300, 3850)
- one unit, optionally followed by "Standby ..." lines for the standby supervisor or RP
- `BOOT variable does not exist`, entries with `,12` suffixes, with or without a trailing ';'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import lines

COMMAND = "show boot"

_SWITCH_HEADER = re.compile(r"^Switch (\d+)$")
_BOOT = re.compile(r"^BOOT variable = ?(.*)$")
_MANUAL_BOOT = re.compile(r"^(?:Manual Boot|MANUAL_BOOT variable) = ?(\S*)$")
_CONFIG_FILE = re.compile(r"^CONFIG_FILE variable = ?(.*)$")
_REGISTER = re.compile(r"^Configuration [Rr]egister is (0x[0-9A-Fa-f]+)")


@dataclass(frozen=True)
class MemberBoot:
    """Boot variables of one stack member, supervisor or route processor.

    `member` is the switch number ("1", "5") in per-switch output, else "active" or
    "standby". `current` is empty when the BOOT variable does not exist. `next_reload` is None
    when the output has no separate next-reload section, so the current list applies.
    """

    member: str
    current: tuple[str, ...]
    next_reload: tuple[str, ...] | None
    manual_boot: bool | None
    config_file: str | None
    config_register: str | None

    @property
    def next_boot(self) -> tuple[str, ...]:
        """Entries the member boots from on the next reload."""
        return self.current if self.next_reload is None else self.next_reload


@dataclass(frozen=True)
class ShowBoot:
    """Boot variables of every member in the output, in output order."""

    members: tuple[MemberBoot, ...]

    @property
    def install_mode(self) -> bool | None:
        """Whether the next reload boots in install mode.

        True when every member's first next-reload entry is a packages.conf, False when any
        member's is a .bin (bundle mode), None otherwise (no BOOT variable, or another file).
        """
        firsts = [member.next_boot[0] if member.next_boot else "" for member in self.members]
        if any(entry.endswith(".bin") for entry in firsts):
            return False
        if firsts and all(entry.endswith("packages.conf") for entry in firsts):
            return True
        return None


class _MemberBuilder:
    def __init__(self, member: str) -> None:
        self.member = member
        self.section = "current"
        self.current: tuple[str, ...] = ()
        self.next_reload: tuple[str, ...] | None = None
        self.manual_boot: bool | None = None
        self.config_file: str | None = None
        self.config_register: str | None = None
        self.touched = False

    def build(self) -> MemberBoot:
        return MemberBoot(
            self.member,
            self.current,
            self.next_reload,
            self.manual_boot,
            self.config_file,
            self.config_register,
        )


def split_boot_variable(value: str) -> tuple[str, ...]:
    """Split a BOOT value into its entries: "a.bin,12;b.bin;" returns ("a.bin", "b.bin")."""
    entries = (entry.strip().split(",")[0].strip() for entry in value.split(";"))
    return tuple(entry for entry in entries if entry)


def parse_show_boot(text: str) -> ShowBoot:
    """Parse `show boot` or `show bootvar` output.

    Returns a ShowBoot. Raises ParserError when no line mentions the BOOT variable.
    """
    builders: dict[str, _MemberBuilder] = {}
    current = _MemberBuilder("active")
    seen_boot = False

    for line in lines(text):
        header = _SWITCH_HEADER.match(line)
        if header:
            current = builders.setdefault(header[1], _MemberBuilder(header[1]))
            continue
        builder = current
        if line.startswith("Standby "):
            builder = builders.setdefault("standby", _MemberBuilder("standby"))
            line = line.removeprefix("Standby ")
        else:
            builders.setdefault(current.member, current)

        seen_boot |= _apply(builder, line)

    if not seen_boot:
        raise ParserError(COMMAND, "no BOOT variable line")
    # The echo and rulers before the first "Switch N" header land on an unused "active" entry.
    return ShowBoot(tuple(item.build() for item in builders.values() if item.touched))


def _apply(builder: _MemberBuilder, line: str) -> bool:
    """Record one line on `builder`; return True when the line is about the BOOT variable."""
    if line.startswith("Current Boot Variables"):
        builder.section = "current"
        builder.touched = True
        return False
    if line.startswith("Boot Variables on next reload"):
        builder.section = "next"
        builder.next_reload = ()
        builder.touched = True
        return False

    boot = _BOOT.match(line)
    if boot or line == "BOOT variable does not exist":
        entries = split_boot_variable(boot[1]) if boot else ()
        if builder.section == "next":
            builder.next_reload = entries
        else:
            builder.current = entries
        builder.touched = True
        return True

    manual = _MANUAL_BOOT.match(line)
    config_file = _CONFIG_FILE.match(line)
    register = _REGISTER.match(line)
    if manual:
        builder.manual_boot = manual[1].lower() == "yes"
    elif config_file:
        builder.config_file = config_file[1].strip() or None
    elif register:
        builder.config_register = register[1]
    else:
        return False
    builder.touched = True
    return False
