"""What both drivers share: the login of one device, the TCP connect and the handshake deadline.

Both drivers open the TCP socket themselves and hand it to paramiko (through netmiko or
ncclient), because the libraries report a refused and a timed-out connection with the same
exception; doing it here lets the error say which one happened.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType

from xeapp.errors import UnreachableError
from xeapp.hostkeys import HostKeyStore

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_COMMAND_TIMEOUT_S = 60.0


@dataclass
class DeviceLogin:
    """Address, ports and login of one device; ports are TCP ports, timeouts in seconds."""

    host: str
    username: str
    password: str = field(repr=False)
    enable_secret: str | None = field(default=None, repr=False)
    ssh_port: int = 22
    netconf_port: int = 830
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S
    host_keys: HostKeyStore | None = field(default=None, repr=False, compare=False)


def open_socket(host: str, port: int, timeout_s: float, step: str) -> socket.socket:
    """Open a TCP connection to host:port within `timeout_s` seconds.

    Returns the connected socket. Raises UnreachableError with "connection refused",
    "connection timed out after N s" or the operating system's reason.
    """
    try:
        return socket.create_connection((host, port), timeout=timeout_s)
    except ConnectionRefusedError as exc:
        raise UnreachableError(host, step, f"connection refused on port {port}") from exc
    except TimeoutError as exc:
        raise UnreachableError(
            host, step, f"connection timed out after {timeout_s:g} s on port {port}"
        ) from exc
    except OSError as exc:
        reason = os_error_reason(exc)
        raise UnreachableError(host, step, f"{reason} on port {port}") from exc


def os_error_reason(exc: OSError) -> str:
    """Return a short reason for a socket error, in the words users know."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the device"
    if isinstance(exc, TimeoutError):
        return "connection timed out"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host"
    if isinstance(exc, socket.gaierror):
        return f"address not resolved ({exc.strerror})"
    return exc.strerror or str(exc) or type(exc).__name__


class HandshakeDeadline:
    """Close a socket when the SSH handshake and login take longer than a deadline.

    paramiko waits up to its own banner and authentication timeouts (15 and 30 s by default),
    and a device that accepts TCP but never sends its banner, as a reloading IOS-XE switch can,
    would hold a worker that long. Closing the socket makes paramiko fail at once; `expired`
    then tells the caller the failure was the deadline.
    """

    def __init__(self, sock: socket.socket, deadline_s: float) -> None:
        self._sock = sock
        self._timer = threading.Timer(deadline_s, self._expire)
        self._timer.daemon = True
        self.expired = False

    def _expire(self) -> None:
        self.expired = True
        with contextlib.suppress(OSError):  # already closed by the library
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()

    def __enter__(self) -> HandshakeDeadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()
