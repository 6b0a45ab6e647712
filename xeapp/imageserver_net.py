"""Port binding with fallback, and the local address a device reaches the image server on."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import sys
from dataclasses import dataclass

from xeapp.errors import ImageError, InvalidInputError

log = logging.getLogger(__name__)

_IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}
_DENIED = {errno.EACCES, getattr(errno, "WSAEACCES", errno.EACCES)}

# Shown next to a fallback port so the user can make port 80 work without running xeapp as root.
PORT_80_HELP = {
    "linux": (
        "allow unprivileged processes to bind port 80 with "
        "'sysctl net.ipv4.ip_unprivileged_port_start=80', or grant the Python binary "
        "'setcap cap_net_bind_service=+ep'"
    ),
    "darwin": (
        "macOS 10.14 and later let any user bind port 80 on all interfaces; if it is refused, "
        "another program (the built-in Apache, httpd) holds the port"
    ),
    "win32": (
        "Windows needs no privilege for port 80; if it is refused, another program holds it "
        "('netstat -ano | findstr :80' shows which, often IIS or the http.sys service)"
    ),
}


@dataclass(frozen=True)
class BoundSocket:
    """A listening socket and how its port was chosen."""

    sock: socket.socket
    port: int
    fallback_reason: str | None


def _family_for(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _listen(address: str, port: int) -> socket.socket:
    sock = socket.socket(_family_for(address), socket.SOCK_STREAM)
    try:
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:
            # Lets a restarted server rebind while old connections sit in TIME_WAIT. A port with
            # a live listener still fails with EADDRINUSE.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sock.family == socket.AF_INET6 and address in ("::", "[::]"):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((address.strip("[]"), port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


def _describe_refusal(port: int, error: OSError) -> str | None:
    """Describe why the OS refused a port, or return None for errors a fallback cannot fix."""
    if isinstance(error, PermissionError) or error.errno in _DENIED:
        return f"port {port} refused: permission denied ({PORT_80_HELP.get(sys.platform, '')})"
    if error.errno in _IN_USE:
        return f"port {port} refused: another program is listening on it"
    return None


def bind_with_fallback(address: str, preferred: int, fallback: int | None) -> BoundSocket:
    """Bind `address` on the preferred port, else the fallback port, else a free port.

    Raises ImageError when the address itself cannot be bound (not local, invalid), because
    trying another port does not help then.
    """
    candidates = [preferred]
    if fallback is not None and fallback != preferred:
        candidates.append(fallback)
    if 0 not in candidates:
        candidates.append(0)

    reasons: list[str] = []
    for port in candidates:
        try:
            sock = _listen(address, port)
        except OSError as error:
            reason = _describe_refusal(port, error)
            if reason is None:
                raise ImageError(f"cannot listen on {address} port {port}: {error}") from error
            log.warning("image server: %s", reason)
            reasons.append(reason)
            continue
        bound_port = sock.getsockname()[1]
        return BoundSocket(sock, bound_port, "; ".join(reasons) or None)
    raise ImageError(f"cannot listen on {address}: {'; '.join(reasons)}")


def local_address_for(device_ip: str) -> str:
    """Return the local address the OS routes traffic to `device_ip` from.

    Connecting a UDP socket only selects a route and a source address; it sends no packet.
    Raises InvalidInputError for a value that is not an IP address, and ImageError when no
    route leads to the device.
    """
    try:
        ip = ipaddress.ip_address(device_ip.strip())
    except ValueError:
        raise InvalidInputError(f"invalid device IP address: {device_ip!r}") from None
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((str(ip), 9))
        except OSError as error:
            raise ImageError(f"no route to {ip} from this machine: {error}") from error
        return str(probe.getsockname()[0])
