"""The error a simulated IOS-XE CLI command raises when its input is invalid."""

from __future__ import annotations


class InvalidInput(Exception):
    """Input IOS-XE rejects with `% Invalid input detected at '^' marker.`.

    `column` is the offset in the typed command of the first character IOS-XE could not match;
    the session prints the caret under it, shifted by the prompt length.
    """

    def __init__(self, column: int) -> None:
        super().__init__(f"invalid input at column {column}")
        self.column = column


class IncompleteCommand(Exception):
    """Input IOS-XE answers with `% Incomplete command.`."""
