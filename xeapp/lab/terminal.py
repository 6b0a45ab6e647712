"""Line input and output of one simulated vty over a paramiko channel, as IOS-XE echoes it."""

from __future__ import annotations

import logging

import paramiko

log = logging.getLogger(__name__)

_BACKSPACE = ("\x7f", "\x08")
_MORE = " --More-- "


class ChannelClosed(Exception):
    """The SSH client closed the channel, or the lab dropped the session."""


class Terminal:
    """Echoing line editor that takes CR, LF and CRLF each as one Enter and writes CRLF."""

    def __init__(self, channel: paramiko.Channel) -> None:
        self.channel = channel
        self.length = 24  # `terminal length`; 0 disables the --More-- pager
        self.width = 80
        self._pending = ""
        self._last_was_cr = False

    def write(self, text: str) -> None:
        """Send `text` with every line ending turned into CRLF."""
        data = text.replace("\r\n", "\n").replace("\n", "\r\n")
        try:
            self.channel.sendall(data.encode("utf-8", "replace"))
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise ChannelClosed from exc

    def write_paged(self, text: str) -> None:
        """Send command output, pausing at --More-- when `terminal length` is not 0."""
        if self.length <= 1:
            self.write(text)
            return
        lines = text.split("\n")
        page = self.length - 1
        start = 0
        while start < len(lines):
            chunk = lines[start : start + page]
            start += page
            if start >= len(lines):
                self.write("\n".join(chunk))
                return
            self.write("\n".join(chunk) + "\n" + _MORE)
            key = self.read_key()
            self.write("\b" * len(_MORE) + " " * len(_MORE) + "\b" * len(_MORE))
            if key in ("q", "Q", "\x03"):
                self.write("\n")
                return

    def _next_char(self) -> str:
        while not self._pending:
            try:
                data = self.channel.recv(4096)
            except (TimeoutError, OSError, EOFError) as exc:
                raise ChannelClosed from exc
            if not data:
                raise ChannelClosed
            self._pending += data.decode("utf-8", "replace")
        char, self._pending = self._pending[0], self._pending[1:]
        return char

    def read_key(self) -> str:
        """Read one key without echo, as `[confirm]` and `--More--` do."""
        while True:
            char = self._next_char()
            if char == "\n" and self._last_was_cr:
                self._last_was_cr = False
                continue
            self._last_was_cr = char == "\r"
            return "\n" if char == "\r" else char

    def read_line(self, echo: bool = True) -> str:
        """Read one line, echoing typed characters; CR, LF or CRLF ends it."""
        line = ""
        while True:
            char = self._next_char()
            if char == "\n" and self._last_was_cr:
                self._last_was_cr = False
                continue
            self._last_was_cr = char == "\r"
            if char in ("\r", "\n"):
                if echo:
                    self.write("\n")
                return line
            if char in _BACKSPACE:
                if line:
                    line = line[:-1]
                    if echo:
                        self.write("\b \b")
                continue
            if char == "\x03":
                line = ""
                continue
            if char < " " and char != "\t":
                continue
            line += char
            if echo:
                self.write(char)
