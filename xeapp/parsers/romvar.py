"""Parser for `show romvar` (switches) and `show rom-monitor` (routers).

ntc-templates has no template for either command. Formats seen on real devices:

- `KEY=value`, one per line, under a "ROMMON variables for Active Switch" banner (Catalyst 9300)
- `KEY="value"` (Catalyst 9500X), and `KEY = value` with spaces, values may contain spaces (ASR)
- several pairs on one line: `ReloadReason=Install RET_2_RCALTS=1639725444 ...`
- `show rom-monitor R0`: no variables, only "System Bootstrap, Version 16.2(1r)"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xeapp.parsers import ParserError
from xeapp.parsers._text import lines

COMMAND = "show romvar"

_BANNER = re.compile(r"^ROMMON variables(?: for (?P<member>.+?))?:?$")
_BOOTSTRAP = re.compile(r"System Bootstrap, Version ([^\s,]+)")
_SPACED_PAIR = re.compile(r"^(?P<key>\S+) =(?: (?P<value>.*))?$")
_QUOTED_PAIR = re.compile(r'^(?P<key>[A-Za-z_]\w*)="(?P<value>.*)"$')
_PAIR_START = re.compile(r"(?:^|\s)(?P<key>[A-Za-z_]\w*)=")


@dataclass(frozen=True)
class RomVariables:
    """ROMMON variables of one member, and the ROMMON version where the output shows it.

    `variables` keeps the last value of a key printed more than once; `all_values` keeps every
    value in order. `active_member` is True when the banner names the variables as are the active
    switch's ("ROMMON variables for Active Switch").
    """

    variables: dict[str, str] = field(default_factory=dict)
    all_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    active_member: bool = False
    member_label: str | None = None
    rommon_version: str | None = None

    def get(self, key: str) -> str | None:
        """Return the value of `key`, or None when it is not set."""
        return self.variables.get(key)

    @property
    def ignore_startup_config(self) -> bool:
        """True when SWITCH_IGNORE_STARTUP_CFG=1: the next boot skips the startup config."""
        return self.variables.get("SWITCH_IGNORE_STARTUP_CFG", "").strip() == "1"

    @property
    def boot(self) -> tuple[str, ...]:
        """Entries of the BOOT variable, without ",1" suffixes; empty when BOOT is unset."""
        raw = self.variables.get("BOOT", "")
        return tuple(entry.split(",")[0] for entry in raw.split(";") if entry.strip())


def parse_romvar(text: str) -> RomVariables:
    """Parse `show romvar` or `show rom-monitor` output.

    Returns RomVariables. Raises ParserError when the text has neither a ROMMON variable nor a
    "System Bootstrap, Version" line.
    """
    values: dict[str, list[str]] = {}
    member_label: str | None = None
    rommon_version: str | None = None

    for line in lines(text):
        banner = _BANNER.match(line)
        if banner:
            member_label = banner["member"] or member_label
            continue
        bootstrap = _BOOTSTRAP.search(line)
        if bootstrap:
            rommon_version = bootstrap[1]
            continue
        for key, value in _pairs(line):
            values.setdefault(key, []).append(value)

    if not values and rommon_version is None:
        raise ParserError(COMMAND, "no ROMMON variable and no System Bootstrap version")

    return RomVariables(
        variables={key: found[-1] for key, found in values.items()},
        all_values={key: tuple(found) for key, found in values.items()},
        active_member=member_label is not None and member_label.lower().startswith("active"),
        member_label=member_label,
        rommon_version=rommon_version,
    )


def _pairs(line: str) -> list[tuple[str, str]]:
    """Split one line into (key, value) pairs; prompts, echoes and rulers return none."""
    spaced = _SPACED_PAIR.match(line)
    if spaced:
        return [(spaced["key"], (spaced["value"] or "").strip())]
    quoted = _QUOTED_PAIR.match(line)
    if quoted:
        return [(quoted["key"], quoted["value"])]

    starts = list(_PAIR_START.finditer(line))
    if not starts or starts[0].start() != 0:
        return []
    pairs = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(line)
        pairs.append((start["key"], line[start.end() : end].strip()))
    return pairs
