"""Parser for `dir`: file rows from the ntc-templates `cisco_ios dir` template, totals by hand.

The template repeats the "bytes total (bytes free)" footer on every file row, and for an empty
directory returns one record with empty file fields, so the directory and footer are read here
directly and records without a file are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.parsers import ParserError
from xeapp.parsers._text import normalise, parse_with_template

COMMAND = "dir"

_DIRECTORY = re.compile(r"^Directory of (\S+)", re.MULTILINE)
_FOOTER = re.compile(r"^(\d+) bytes total \((\d+) bytes free\)", re.MULTILINE)


@dataclass(frozen=True)
class DirEntry:
    """One file or directory row."""

    name: str
    size_bytes: int
    permissions: str
    modified: str

    @property
    def is_directory(self) -> bool:
        """True for a directory (permissions start with 'd')."""
        return self.permissions.startswith("d")


@dataclass(frozen=True)
class DirListing:
    """A directory listing with the file system totals from its footer.

    `total_bytes` and `free_bytes` are None when the footer is missing (output cut short).
    """

    directory: str
    entries: tuple[DirEntry, ...]
    total_bytes: int | None
    free_bytes: int | None

    def find(self, name: str) -> DirEntry | None:
        """Return the entry called `name`, or None."""
        return next((entry for entry in self.entries if entry.name == name), None)


def parse_dir(text: str) -> DirListing:
    """Parse `dir` output.

    Returns a DirListing. Raises ParserError when the text has no "Directory of" line.
    """
    clean = normalise(text)
    directory = _DIRECTORY.search(clean)
    if directory is None:
        raise ParserError(COMMAND, "no 'Directory of' line")

    entries = tuple(
        DirEntry(
            name=record["name"],
            size_bytes=int(record["size"]),
            permissions=record["permissions"],
            modified=record["date_time"],
        )
        for record in parse_with_template(COMMAND, clean)
        if record["name"] and record["size"].isdigit()
    )
    footer = _FOOTER.search(clean)
    return DirListing(
        directory=directory[1],
        entries=entries,
        total_bytes=int(footer[1]) if footer else None,
        free_bytes=int(footer[2]) if footer else None,
    )
