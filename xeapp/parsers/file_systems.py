"""Parser for `show file systems`.

The ntc-templates `cisco_ios show file systems` template drops every row with more than one
prefix, and on a stack those are the rows that matter ("flash: bootflash: flash-1:",
"flash-2: stby-flash:"), so this parser is written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import lines

COMMAND = "show file systems"

_ROW = re.compile(
    r"^(?P<default>\*)?\s*(?P<size>\d+|-)\s+(?P<free>\d+|-)\s+(?P<type>\S+)\s+"
    r"(?P<flags>[a-z]+)\s+(?P<prefixes>\S+:(?:\s+\S+:)*)$"
)


@dataclass(frozen=True)
class FileSystem:
    """One file system row; size and free are None where the device prints '-'.

    `prefixes` lists every alias in output order ("flash:", "bootflash:", "flash-1:").
    `default` is True for the row marked '*', the current default file system.
    """

    prefixes: tuple[str, ...]
    size_bytes: int | None
    free_bytes: int | None
    type: str
    flags: str
    default: bool

    @property
    def name(self) -> str:
        """The first prefix."""
        return self.prefixes[0]


@dataclass(frozen=True)
class ShowFileSystems:
    """All file systems in output order."""

    file_systems: tuple[FileSystem, ...]

    def find(self, prefix: str) -> FileSystem | None:
        """Return the file system with `prefix` ("flash-2:", "stby-flash:") among its aliases."""
        wanted = prefix if prefix.endswith(":") else f"{prefix}:"
        return next((fs for fs in self.file_systems if wanted in fs.prefixes), None)


def parse_show_file_systems(text: str) -> ShowFileSystems:
    """Parse `show file systems` output.

    Returns a ShowFileSystems. Raises ParserError when the "Size(b) Free(b)" header is missing.
    """
    rows = lines(text)
    if not any(line.startswith("Size(b)") for line in rows):
        raise ParserError(COMMAND, "no 'Size(b) Free(b) Type Flags Prefixes' header")

    found = []
    for line in rows:
        match = _ROW.match(line)
        if match is None:
            continue
        found.append(
            FileSystem(
                prefixes=tuple(match["prefixes"].split()),
                size_bytes=None if match["size"] == "-" else int(match["size"]),
                free_bytes=None if match["free"] == "-" else int(match["free"]),
                type=match["type"],
                flags=match["flags"],
                default=match["default"] is not None,
            )
        )
    return ShowFileSystems(tuple(found))
