"""An SSH CLI session for upgrades: long commands streamed line by line, questions answered.

`copy http://` asks for the destination file name and whether to overwrite, and `install`
prints for minutes before its SUCCESS or FAILED line. netmiko's send_command would return only
at the end, so these commands are read here chunk by chunk: each complete line goes to the job
log as it arrives, questions get their answers, and a dropped session is reported as such.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import paramiko

from xeapp.drivers.ssh import SshDriver
from xeapp.errors import DeviceError, DeviceTimeoutError

log = logging.getLogger(__name__)

_READ_PAUSE_S = 0.05


class SessionDropped(DeviceError):
    """The device closed the SSH session while a command ran; `output` is what came before."""

    def __init__(self, host: str, step: str, output: str) -> None:
        super().__init__(host, step, "the device closed the SSH session")
        self.output = output


@dataclass
class Answer:
    """A reply sent when `pattern` appears in the output since the previous answer."""

    pattern: re.Pattern[str]
    reply: str
    times: int = 1
    used: int = field(default=0, init=False)


class CliSession(SshDriver):
    """An SshDriver that can also run one long command interactively."""

    def __enter__(self) -> CliSession:
        self.connect()
        return self

    def abandon(self) -> None:
        """Close the SSH transport without logging out, for a session the device dropped.

        A graceful close would wait for the device to answer `exit`, which a reloading
        device never does.
        """
        connection, self._connection = self._connection, None
        client = getattr(connection, "remote_conn_pre", None)
        if client is not None:
            client.close()

    def run_interactive(
        self,
        command: str,
        *,
        step: str,
        timeout_s: float,
        on_line: Callable[[str], None],
        answers: Sequence[Answer] = (),
        until: Callable[[str], bool] | None = None,
        on_poll: Callable[[], None] | None = None,
    ) -> str:
        """Send `command`, answer its questions, and read until the prompt returns.

        Each complete output line goes to `on_line` as it arrives. Reading also stops when
        `until(output)` is true. `on_poll` runs between reads (about every 50 ms when the device
        is quiet) and may raise to abandon the command. Returns the output without the echo and
        the final prompt. Raises SessionDropped (with the output so far) when the device closes
        the session, DeviceTimeoutError when nothing ends the command within `timeout_s`.
        """
        connection = self._require(step)
        # netmiko keeps only the first 16 characters of the hostname in `base_prompt`.
        base = re.escape(str(connection.base_prompt))
        prompt = re.compile(rf"(?:^|\n){base}[\w.-]*[#>]\s*$")
        reader = _LineReader(on_line, command)
        try:
            connection.clear_buffer()
            connection.write_channel(command + connection.RETURN)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            raise SessionDropped(self.host, step, "") from exc
        deadline = time.monotonic() + timeout_s

        while True:
            chunk = self._read(connection, step, reader)
            if chunk:
                reader.feed(chunk)
                try:
                    if self._answer(connection, reader, answers):
                        continue
                except (OSError, EOFError, paramiko.SSHException) as exc:
                    raise SessionDropped(self.host, step, reader.text) from exc
                if prompt.search(reader.text) or (until is not None and until(reader.text)):
                    break
                continue
            if self._dropped(connection):
                reader.flush()
                raise SessionDropped(self.host, step, reader.text)
            if time.monotonic() > deadline:
                reader.flush()
                raise DeviceTimeoutError(
                    self.host, step, f"{command!r} did not finish within {timeout_s:g} s"
                )
            if on_poll is not None:
                on_poll()
            time.sleep(_READ_PAUSE_S)

        text = prompt.sub("", reader.text)
        reader.flush(without=prompt)
        return text

    def _read(self, connection: object, step: str, reader: _LineReader) -> str:
        try:
            return str(connection.read_channel())  # type: ignore[attr-defined]
        except (OSError, EOFError, paramiko.SSHException) as exc:
            reader.flush()
            raise SessionDropped(self.host, step, reader.text) from exc

    @staticmethod
    def _answer(connection: object, reader: _LineReader, answers: Sequence[Answer]) -> bool:
        pending = reader.text[reader.answered_at :]
        for answer in answers:
            if answer.used < answer.times and answer.pattern.search(pending):
                answer.used += 1
                reader.flush()
                reader.answered_at = len(reader.text)
                log.debug("answering %r with %r", answer.pattern.pattern, answer.reply)
                connection.write_channel(answer.reply + connection.RETURN)  # type: ignore[attr-defined]
                return True
        return False

    @staticmethod
    def _dropped(connection: object) -> bool:
        channel = getattr(connection, "remote_conn", None)
        if channel is None or channel.closed or channel.eof_received:
            return True
        transport = channel.get_transport()
        return transport is None or not transport.is_active()


class _LineReader:
    """Collects output, hands each complete line on once, and skips the command echo."""

    def __init__(self, on_line: Callable[[str], None], command: str) -> None:
        self.on_line = on_line
        self.command = command
        self.text = ""
        self.answered_at = 0
        self._emitted = 0
        self._echo_skipped = False

    def feed(self, chunk: str) -> None:
        self.text += chunk.replace("\r\n", "\n").replace("\r", "")
        if not self._echo_skipped:
            end = self.text.find("\n")
            if end < 0:
                return
            if self.command in self.text[:end]:
                self.text = self.text[end + 1 :]
            self._echo_skipped = True
        end = self.text.rfind("\n")
        if end >= self._emitted:
            self._emit(self.text[self._emitted : end])
            self._emitted = end + 1

    def flush(self, *, without: re.Pattern[str] | None = None) -> None:
        """Hand on the text after the last complete line (a question, or the end)."""
        rest = self.text[self._emitted :]
        if without is not None:
            rest = without.sub("", rest)
        if rest.strip():
            self._emit(rest)
        self._emitted = len(self.text)

    def _emit(self, text: str) -> None:
        for line in text.split("\n"):
            if line.strip():
                self.on_line(line.rstrip())
