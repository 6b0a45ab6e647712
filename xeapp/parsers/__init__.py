"""Parsers for IOS-XE CLI output and NETCONF replies, one module per command.

Every parser takes the raw text as the device sent it (CRLF, indentation, a command echo or a
trailing prompt are fine) and returns frozen dataclasses. Odd but valid output parses without
raising, which the tests check on every capture in tests/data. Output that is not the expected
command at all raises ParserError naming the command.
"""

from __future__ import annotations

from xeapp.errors import XeappError


class ParserError(XeappError):
    """The text is not output of the command the parser reads."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"could not parse {command!r} output: {message}")
        self.command = command
