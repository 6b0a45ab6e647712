"""Parser for `show install summary`; ntc-templates has no template for it.

The output has one block per group of locations that share the same packages
("[ Switch 1 2 ]", "[ R0 R1 ]"), each listing packages with a state letter, then one
"Auto abort timer" line for the whole system (absent in 16.6 output).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import lines
from xeapp.versions import IOSXEVersion, try_parse_version

COMMAND = "show install summary"

STATE_NAMES = {
    "I": "Inactive",
    "U": "Activated & Uncommitted",
    "C": "Activated & Committed",
    "D": "Deactivated & Uncommitted",
}

_BLOCK = re.compile(r"^\[ (?P<locations>.+?) \] Installed Package\(s\) Information:")
_PACKAGE = re.compile(r"^(?P<type>[A-Z]{2,4})\s+(?P<state>[IUCD])\s+(?P<name>\S+)$")
_AUTO_ABORT = re.compile(r"^Auto abort timer:\s*(?P<state>\w+)(?P<rest>.*)$", re.IGNORECASE)
_DURATION = re.compile(r"\d+:\d{2}:\d{2}")


@dataclass(frozen=True)
class InstalledPackage:
    """One package row: type (IMG, SMU, ...), state letter and file name or version."""

    type: str
    state: str
    name: str

    @property
    def version(self) -> IOSXEVersion | None:
        """Release number when `name` is a version ("17.15.03.0.5371"), else None."""
        return try_parse_version(self.name)

    @property
    def uncommitted(self) -> bool:
        """True for an activated or deactivated package that is not yet committed."""
        return self.state in ("U", "D")


@dataclass(frozen=True)
class InstallBlock:
    """Packages installed on a group of locations ("Switch 1", "Switch 2" or "R0", "R1")."""

    locations: tuple[str, ...]
    packages: tuple[InstalledPackage, ...]


@dataclass(frozen=True)
class InstallSummary:
    """Every block, and the auto-abort timer.

    `auto_abort_active` is None when the output has no timer line; `auto_abort_remaining`
    is the "hh:mm:ss" the device prints while the timer runs.
    """

    blocks: tuple[InstallBlock, ...]
    auto_abort_active: bool | None
    auto_abort_remaining: str | None

    @property
    def uncommitted_locations(self) -> tuple[str, ...]:
        """Locations with an uncommitted activation or deactivation."""
        found: list[str] = []
        for block in self.blocks:
            if any(package.uncommitted for package in block.packages):
                found.extend(block.locations)
        return tuple(found)

    def active_version(self, location: str | None = None) -> IOSXEVersion | None:
        """Return the version of the activated IMG package on `location` (first block if None)."""
        for block in self.blocks:
            if location is not None and location not in block.locations:
                continue
            for package in block.packages:
                if package.type == "IMG" and package.state in ("C", "U"):
                    return package.version
        return None


def parse_install_summary(text: str) -> InstallSummary:
    """Parse `show install summary` output.

    Returns an InstallSummary. Raises ParserError when the text has no
    "Installed Package(s) Information" block.
    """
    blocks: list[InstallBlock] = []
    locations: tuple[str, ...] | None = None
    packages: list[InstalledPackage] = []
    active: bool | None = None
    remaining: str | None = None

    for line in lines(text):
        block = _BLOCK.match(line)
        if block:
            if locations is not None:
                blocks.append(InstallBlock(locations, tuple(packages)))
            locations, packages = _split_locations(block["locations"]), []
            continue
        package = _PACKAGE.match(line)
        if package and locations is not None:
            packages.append(InstalledPackage(package["type"], package["state"], package["name"]))
            continue
        timer = _AUTO_ABORT.match(line)
        if timer:
            active = timer["state"].lower() == "active"
            duration = _DURATION.search(timer["rest"])
            remaining = duration[0] if duration else None

    if locations is None:
        raise ParserError(COMMAND, "no 'Installed Package(s) Information' block")
    blocks.append(InstallBlock(locations, tuple(packages)))
    return InstallSummary(tuple(blocks), active, remaining)


def _split_locations(text: str) -> tuple[str, ...]:
    """Expand "Switch 1 2" to ("Switch 1", "Switch 2"); "R0 R1" stays ("R0", "R1")."""
    words = text.split()
    if words and words[0] == "Switch":
        return tuple(f"Switch {number}" for number in words[1:])
    return tuple(words)
