"""Text clean-up shared by the parsers, and the ntc-templates (TextFSM) entry point."""

from __future__ import annotations

import textwrap
from typing import Any

from ntc_templates.parse import parse_output
from textfsm import TextFSMError

from xeapp.parsers import ParserError

# ntc-templates indexes the IOS-XE templates under cisco_ios; it has no cisco_xe entries.
_NTC_PLATFORM = "cisco_ios"


def normalise(text: str) -> str:
    """Return `text` with LF line ends and the indentation common to all lines removed."""
    unix = text.replace("\r\n", "\n").replace("\r", "\n")
    return textwrap.dedent(unix)


def lines(text: str) -> list[str]:
    """Return the stripped lines of `text` after `normalise`."""
    return [line.strip() for line in normalise(text).split("\n")]


def parse_with_template(command: str, text: str) -> list[dict[str, Any]]:
    """Run the ntc-templates template for `command` over `text`.

    Returns one dict per record. Raises ParserError when the template rejects the text.
    """
    try:
        records: list[dict[str, Any]] = parse_output(
            platform=_NTC_PLATFORM, command=command, data=normalise(text)
        )
    except TextFSMError as error:
        raise ParserError(command, f"ntc-templates rejected the text: {error}") from error
    return records
