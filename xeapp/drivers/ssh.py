"""SSH CLI driver: one netmiko `cisco_xe` session per device, commands with xeapp errors.

Used to turn NETCONF on or off, to read what the YANG models lack (`show romvar`, `show boot`,
`show install summary`) and as the discovery fallback when NETCONF is off. Every library
exception is turned into an xeapp error naming the host, the step and the reason in the usual
words (connection refused, timed out, authentication failed).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoBaseException,
    NetmikoTimeoutException,
    ReadTimeout,
)

from xeapp.drivers.connection import DeviceLogin, HandshakeDeadline, open_socket, os_error_reason
from xeapp.errors import (
    AuthenticationError,
    DeviceError,
    DeviceTimeoutError,
    UnreachableError,
)
from xeapp.hostkeys import HostKeyStatus

log = logging.getLogger(__name__)

# Questions IOS-XE exec commands ask, as (regular expression, reply) pairs for
# `send_interactive`; an empty reply sends Enter, which takes the default in brackets.
ANSWER_YES = (r"\[y/n\]", "y")
ANSWER_CONFIRM = (r"\[confirm\]", "")
ANSWER_DESTINATION = (r"Destination filename \[[^\]\n]*\]\?", "")
ANSWER_DELETE_FILENAME = (r"Delete filename \[[^\]\n]*\]\?", "")
MAX_ANSWERS = 10

# IOS-XE marks a rejected command with a caret line and one of these.
_CLI_ERROR = re.compile(
    r"^% (Invalid input detected|Incomplete command|Ambiguous command|Unknown command)",
    re.MULTILINE,
)


class SshDriver:
    """An SSH CLI session to one device; use it as a context manager or call connect/close.

    After `connect`, `host_key_status` records whether the SSH host key was new, known or changed.
    """

    def __init__(self, login: DeviceLogin) -> None:
        self.login = login
        self.host = login.host
        self.host_key_status: HostKeyStatus | None = None
        self._connection: Any = None
        # Set when a command timed out: the device may still wait for input, and netmiko's
        # logout would wait for a prompt that never comes.
        self._stalled = False

    def __enter__(self) -> SshDriver:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def connect(self) -> None:
        """Log in within the connect timeout, prepare the terminal and check the host key.

        Raises UnreachableError (refused, timed out, closed), AuthenticationError, or
        DeviceTimeoutError when the device does not show its prompt in time.
        """
        login = self.login
        step = "ssh connect"
        sock = open_socket(login.host, login.ssh_port, login.connect_timeout_s, step)
        log.debug("%s: opening SSH session on port %d", login.host, login.ssh_port)

        deadline = HandshakeDeadline(sock, login.connect_timeout_s * 2)
        try:
            with deadline:
                self._connection = ConnectHandler(
                    device_type="cisco_xe",
                    host=login.host,
                    port=login.ssh_port,
                    username=login.username,
                    password=login.password,
                    secret=login.enable_secret or "",
                    sock=sock,
                    conn_timeout=login.connect_timeout_s,
                    auth_timeout=login.connect_timeout_s,
                    banner_timeout=login.connect_timeout_s,
                    read_timeout_override=login.command_timeout_s,
                    ssh_strict=False,
                    system_host_keys=False,
                    alt_host_keys=False,
                    allow_agent=False,
                    use_keys=False,
                )
        except NetmikoAuthenticationException as exc:
            sock.close()
            raise AuthenticationError(
                login.host, step, f"authentication failed for user {login.username!r}"
            ) from exc
        except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError, ValueError) as exc:
            sock.close()
            # paramiko's banner timeout (set to the connect timeout) may fire before the
            # deadline. netmiko then reports either the banner error or, when the transport
            # thread ended first, "No existing session".
            if deadline.expired or _handshake_incomplete(exc):
                raise UnreachableError(
                    login.host,
                    step,
                    f"no SSH login within {login.connect_timeout_s * 2:g} s on port "
                    f"{login.ssh_port}; the device accepted the connection but did not "
                    "complete the SSH handshake",
                ) from exc
            raise _ssh_error(login.host, step, exc, login.command_timeout_s) from exc

        self._check_host_key()
        log.debug("%s: SSH session open", login.host)

    def _check_host_key(self) -> None:
        store = self.login.host_keys
        if store is None:
            return
        transport = self._connection.remote_conn_pre.get_transport()
        key = transport.get_remote_server_key()
        self.host_key_status = store.check(self.login.host, self.login.ssh_port, key)

    def close(self) -> None:
        """Log out and release the session; a session the device already dropped is released
        without an error."""
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            if self._stalled:
                connection.remote_conn_pre.close()
            else:
                connection.disconnect()
        except Exception as exc:  # a dropped session raises OSError, EOFError or SSHException
            log.debug("%s: SSH disconnect failed: %s", self.host, exc)

    def hostname(self) -> str:
        """Return the hostname from the device prompt (`C9300-1#` gives `C9300-1`)."""
        connection = self._require("read prompt")
        return str(connection.base_prompt)

    def _require(self, step: str) -> Any:
        if self._connection is None:
            raise DeviceError(self.host, step, "SSH session is not open")
        return self._connection

    def send_command(
        self, command: str, *, step: str | None = None, read_timeout_s: float | None = None
    ) -> str:
        """Run an exec command and return its output without the echo and prompt.

        Raises DeviceError when the device rejects the command (`% Invalid input`),
        DeviceTimeoutError when the prompt does not return within the command timeout
        (or `read_timeout_s`), UnreachableError when the session drops.
        """
        step = step or command
        connection = self._require(step)
        timeout = read_timeout_s or self.login.command_timeout_s
        log.debug("%s: send %r", self.host, command)
        try:
            with _read_timeout(connection, timeout):
                output = str(connection.send_command(command, read_timeout=timeout))
        except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError) as exc:
            self._stalled = self._stalled or isinstance(exc, ReadTimeout)
            raise _ssh_error(self.host, step, exc, timeout) from exc
        _raise_on_cli_error(self.host, step, command, output)
        return output

    def send_interactive(
        self,
        command: str,
        answers: Sequence[tuple[str, str]],
        *,
        step: str | None = None,
        read_timeout_s: float | None = None,
        max_answers: int = MAX_ANSWERS,
    ) -> str:
        """Run an exec command that asks questions, answer them, and return the whole output.

        `answers` pairs a regular expression matching a question with the reply to send, for
        example ANSWER_YES for `[y/n]` or ANSWER_CONFIRM for `[confirm]`; an empty reply sends
        Enter. Reading stops at the device prompt. `read_timeout_s` (default: the command
        timeout) bounds the wait for each question or the prompt.

        Returns the output without the echo and the final prompt, questions included. Raises
        DeviceError when the device rejects the command or asks more than `max_answers`
        questions, DeviceTimeoutError when neither the prompt nor a listed question arrives in
        time (an unlisted question ends this way), UnreachableError when the session drops.
        """
        step = step or command
        connection = self._require(step)
        timeout = read_timeout_s or self.login.command_timeout_s
        # netmiko keeps only the first 16 characters of the hostname in `base_prompt`, so the
        # rest of a longer hostname may follow it.
        prompt = re.escape(str(connection.base_prompt)) + r"[\w.-]*[>#]"
        expect = "|".join([f"(?:{pattern})" for pattern, _ in answers] + [prompt])
        log.info("%s: %s", self.host, command)
        try:
            with _read_timeout(connection, timeout):
                output = self._answer_questions(
                    connection, command, answers, expect, prompt, step, max_answers
                )
        except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError) as exc:
            self._stalled = True
            raise _ssh_error(self.host, step, exc, timeout) from exc

        output = re.sub(rf"\n?{prompt}\s*$", "", output)
        _raise_on_cli_error(self.host, step, command, output)
        return output

    def _answer_questions(
        self,
        connection: Any,
        command: str,
        answers: Sequence[tuple[str, str]],
        expect: str,
        prompt: str,
        step: str,
        max_answers: int,
    ) -> str:
        output = ""
        to_send, first = command, True
        for _ in range(max_answers + 1):
            chunk = str(
                connection.send_command(
                    to_send,
                    expect_string=expect,
                    strip_prompt=False,
                    strip_command=first,
                    cmd_verify=first,
                )
            )
            output += chunk
            reply = _reply_to(chunk, answers, prompt)
            if reply is None:
                return output
            log.debug("%s: reply %r", self.host, reply)
            to_send, first = reply, False
        raise DeviceError(self.host, step, f"{command!r} asked more than {max_answers} questions")

    def send_config(self, commands: list[str], *, step: str = "configure") -> str:
        """Enter configuration mode, send `commands`, leave it; return the session output.

        Raises DeviceError naming the rejected command when the device marks one invalid, and
        the errors of `send_command` otherwise. The configuration is not saved.
        """
        connection = self._require(step)
        log.info("%s: configure: %s", self.host, "; ".join(commands))
        try:
            output = str(
                connection.send_config_set(commands, read_timeout=self.login.command_timeout_s)
            )
        except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError) as exc:
            raise _ssh_error(self.host, step, exc, self.login.command_timeout_s) from exc
        _raise_on_cli_error(self.host, step, "; ".join(commands), output)
        return output

    def save_config(self) -> str:
        """Save the running configuration to startup (`write memory`); return the output.

        Raises like `send_command`, and DeviceError when the output does not confirm the save.
        """
        step = "save configuration"
        connection = self._require(step)
        log.info("%s: saving the configuration", self.host)
        try:
            output = str(connection.save_config())
        except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError) as exc:
            raise _ssh_error(self.host, step, exc, self.login.command_timeout_s) from exc
        _raise_on_cli_error(self.host, step, "write memory", output)
        if "[OK]" not in output:
            raise DeviceError(self.host, step, f"write memory did not report [OK]: {output!r}")
        return output


@contextlib.contextmanager
def _read_timeout(connection: Any, timeout_s: float) -> Iterator[None]:
    """Make `timeout_s` the read timeout of one call.

    netmiko ignores a call's `read_timeout` while the session has `read_timeout_override`,
    which `connect` sets to the command timeout.
    """
    previous = connection.read_timeout_override
    connection.read_timeout_override = timeout_s
    try:
        yield
    finally:
        connection.read_timeout_override = previous


def _reply_to(chunk: str, answers: Sequence[tuple[str, str]], prompt: str) -> str | None:
    """Return the reply to the question `chunk` ends with, None when it ends at the prompt.

    The match that ends last decides, because netmiko stops reading at the first match of any
    pattern and the chunk may hold earlier output that looks like a question.
    """
    last_end, reply = -1, None
    for pattern, answer in [*answers, (prompt, None)]:
        for match in re.finditer(pattern, chunk):
            if match.end() >= last_end:
                last_end, reply = match.end(), answer
    return reply


def _handshake_incomplete(exc: BaseException) -> bool:
    text = str(exc)
    return "protocol banner" in text or "No existing session" in text


def _raise_on_cli_error(host: str, step: str, command: str, output: str) -> None:
    match = _CLI_ERROR.search(output)
    if match:
        raise DeviceError(host, step, f"the device rejected {command!r}: {match.group(0)[2:]}")


def _ssh_error(host: str, step: str, exc: BaseException, timeout_s: float) -> DeviceError:
    """Turn a netmiko, paramiko or socket failure into the xeapp error a user can act on."""
    if isinstance(exc, ReadTimeout):
        return DeviceTimeoutError(host, step, f"no prompt within {timeout_s:g} s")
    if isinstance(exc, NetmikoTimeoutException):
        # netmiko puts the paramiko reason on the last line of a multi-line message.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return UnreachableError(host, step, f"SSH failed: {lines[-1] if lines else 'timed out'}")
    if isinstance(exc, OSError):
        return UnreachableError(host, step, os_error_reason(exc))
    if isinstance(exc, EOFError):
        return UnreachableError(host, step, "SSH session closed by the device")
    if isinstance(exc, paramiko.SSHException):
        return UnreachableError(host, step, f"SSH failed: {exc}")
    return DeviceError(host, step, f"SSH failed: {exc}")
