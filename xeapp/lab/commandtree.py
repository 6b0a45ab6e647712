"""IOS-XE command keyword trees and the prefix matching that makes `sh ver` `show version`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Union

from xeapp.lab.clierror import IncompleteCommand, InvalidInput

# A handler receives the session and the words after its keyword path; it returns its output.
Handler = Callable[[Any, list[str]], str]
Tree = dict[str, Union["Tree", Handler]]


class AmbiguousCommand(Exception):
    """A word that is the prefix of several keywords, e.g. `s` in exec mode."""

    def __init__(self, command: str) -> None:
        super().__init__(command)
        self.command = command


def split_words(line: str) -> list[tuple[int, str]]:
    """Return each word of `line` with the column it starts at."""
    words = []
    column = 0
    for part in line.split(" "):
        if part:
            words.append((column, part))
        column += len(part) + 1
    return words


def resolve(tree: Tree, line: str) -> tuple[Handler, list[str]]:
    """Return the handler `line` selects in `tree` and the words left for it.

    Raises:
        InvalidInput: a word matches no keyword; its column is where IOS-XE puts the caret.
        AmbiguousCommand: a word is the prefix of more than one keyword.
        IncompleteCommand: the line stops before reaching a handler.
    """
    words = split_words(line)
    node: Tree | Handler = tree
    index = 0
    while isinstance(node, dict):
        if index >= len(words):
            raise IncompleteCommand
        column, word = words[index]
        lowered = word.lower()
        if lowered in node:
            node = node[lowered]
        else:
            matches = [key for key in node if key.startswith(lowered)]
            if not matches:
                raise InvalidInput(column)
            if len(matches) > 1:
                raise AmbiguousCommand(line[: column + len(word)])
            node = node[matches[0]]
        index += 1
    return node, [word for _, word in words[index:]]
