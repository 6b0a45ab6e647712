"""NETCONF driver: one ncclient session per device, state read with as few `get` RPCs as possible.

Every round trip to a device costs latency, so `read_inventory` requests the hardware data, the
filesystems, the install state and the hostname in a single `get` whose filter names all four.
Filters are always sent inside a `<filter>` element of the NETCONF base namespace (ncclient
builds it), with each subtree in its own YANG module namespace.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from types import TracebackType
from typing import Any

from ncclient import manager
from ncclient.operations import RPCError, TimeoutExpiredError
from ncclient.operations.errors import OperationError
from ncclient.transport.errors import (
    AuthenticationError as NcAuthenticationError,
)
from ncclient.transport.errors import (
    SessionCloseError,
    SSHError,
    TransportError,
)

from xeapp.drivers.connection import DeviceLogin, HandshakeDeadline, open_socket, os_error_reason
from xeapp.errors import (
    AuthenticationError,
    DeviceError,
    DeviceTimeoutError,
    NetconfRpcError,
    UnreachableError,
)
from xeapp.hostkeys import HostKeyStatus

log = logging.getLogger(__name__)

NETCONF_BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
HARDWARE_OPER_NS = "http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper"
PLATFORM_SOFTWARE_OPER_NS = "http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper"
INSTALL_OPER_NS = "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper"
NATIVE_NS = "http://cisco.com/ns/yang/Cisco-IOS-XE-native"

# The chassis and member inventory, software and ROMMON versions, boot time and reboot reason.
HARDWARE_FILTER = (
    f'<device-hardware-data xmlns="{HARDWARE_OPER_NS}">'
    "<device-hardware><device-inventory/><device-system-data/></device-hardware>"
    "</device-hardware-data>"
)
# Every partition of every stack member with its total and used size.
FILESYSTEM_FILTER = (
    f'<cisco-platform-software xmlns="{PLATFORM_SOFTWARE_OPER_NS}"><q-filesystem/>'
    "</cisco-platform-software>"
)

# Per stack member or route processor: install activity, auto-abort timer, boot mode and the
# versions the installer records.
INSTALL_OPER_FILTER = (
    f'<install-oper-data xmlns="{INSTALL_OPER_NS}"><install-location-information>'
    "<fru/><slot/><bay/><chassis/><install-version-info/><oper-state/>"
    "</install-location-information></install-oper-data>"
)

# The configured hostname, because the CLI prompt that netmiko reads is cut at 16 characters.
HOSTNAME_FILTER = f'<native xmlns="{NATIVE_NS}"><hostname/></native>'

INVENTORY_FILTERS = (HARDWARE_FILTER, FILESYSTEM_FILTER, INSTALL_OPER_FILTER, HOSTNAME_FILTER)


class NetconfDriver:
    """A NETCONF session to one device; use it as a context manager or call connect/close.

    After `connect`, `host_key_status` records whether the SSH host key was new, known or changed.
    """

    def __init__(self, login: DeviceLogin) -> None:
        self.login = login
        self.host = login.host
        self.host_key_status: HostKeyStatus | None = None
        self._manager: Any = None

    def __enter__(self) -> NetconfDriver:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        """True while the session is open."""
        return self._manager is not None and bool(self._manager.connected)

    def connect(self) -> None:
        """Open the NETCONF session within the connect timeout and check the host key.

        Raises UnreachableError (refused, timed out, closed by the device), AuthenticationError
        or DeviceError for any other SSH failure.
        """
        login = self.login
        step = "netconf connect"
        sock = open_socket(login.host, login.netconf_port, login.connect_timeout_s, step)
        log.debug("%s: opening NETCONF session on port %d", login.host, login.netconf_port)

        deadline = HandshakeDeadline(sock, login.connect_timeout_s * 2)
        try:
            with deadline:
                self._manager = manager.connect(
                    host=login.host,
                    port=login.netconf_port,
                    sock=sock,
                    username=login.username,
                    password=login.password,
                    device_params={"name": "iosxe"},
                    hostkey_verify=False,
                    allow_agent=False,
                    look_for_keys=False,
                    timeout=login.connect_timeout_s,
                    manager_params={"timeout": login.command_timeout_s},
                )
        except NcAuthenticationError as exc:
            sock.close()
            raise AuthenticationError(
                login.host, step, f"authentication failed for user {login.username!r}"
            ) from exc
        except (TransportError, OperationError, TimeoutExpiredError, OSError, EOFError) as exc:
            sock.close()
            if deadline.expired:
                raise UnreachableError(
                    login.host,
                    step,
                    f"no NETCONF session within {login.connect_timeout_s * 2:g} s "
                    f"on port {login.netconf_port}; the device accepted the connection but "
                    "did not complete the SSH handshake",
                ) from exc
            raise _transport_error(login.host, step, exc) from exc

        self._check_host_key()
        log.debug("%s: NETCONF session %s open", login.host, self._manager.session_id)

    def _check_host_key(self) -> None:
        store = self.login.host_keys
        if store is None:
            return
        transport = self._manager._session._transport  # ncclient keeps the paramiko transport
        key = transport.get_remote_server_key()
        self.host_key_status = store.check(self.login.host, self.login.netconf_port, key)

    def close(self) -> None:
        """Close the session with close-session; never raises, a dead session is just dropped."""
        if self._manager is None:
            return
        session, self._manager = self._manager, None
        try:
            session.close_session()
        except Exception as exc:  # a session already dropped by the device raises many types
            log.debug("%s: NETCONF close-session failed: %s", self.host, exc)
            with contextlib.suppress(Exception):  # the transport is already gone
                session._session.close()

    def get(self, subtrees: list[str], step: str) -> str:
        """Send one `get` with the subtree filters `subtrees` and return the reply XML.

        Raises NetconfRpcError with the rpc-error tag and path, DeviceTimeoutError when the
        reply takes longer than the command timeout, UnreachableError when the session drops.
        """
        if self._manager is None:
            raise DeviceError(self.host, step, "NETCONF session is not open")
        log.debug("%s: NETCONF get %s", self.host, step)
        try:
            reply = self._manager.get(filter=subtrees)
        except RPCError as exc:
            raise NetconfRpcError(
                self.host, step, exc.tag or "unknown", exc.path, (exc.message or str(exc)).strip()
            ) from exc
        except TimeoutExpiredError as exc:
            raise DeviceTimeoutError(
                self.host,
                step,
                f"no NETCONF reply within {self.login.command_timeout_s:g} s",
            ) from exc
        except (TransportError, OperationError, OSError, EOFError) as exc:
            raise _transport_error(self.host, step, exc) from exc
        return str(reply.xml)

    def read_inventory(self) -> str:
        """Read device-hardware-data, q-filesystem, install-oper-data and the hostname in one `get`.

        Returns the `rpc-reply` XML. Raises like `get`.
        """
        return self.get(list(INVENTORY_FILTERS), "read hardware, filesystems and install state")


def _transport_error(host: str, step: str, exc: BaseException) -> DeviceError:
    """Turn an ncclient transport failure into the xeapp error a user can act on."""
    if isinstance(exc, socket.timeout | TimeoutError | TimeoutExpiredError):
        return DeviceTimeoutError(host, step, "NETCONF timed out")
    if isinstance(exc, OSError):
        return UnreachableError(host, step, os_error_reason(exc))
    if isinstance(exc, SessionCloseError | EOFError):
        return UnreachableError(host, step, "NETCONF session closed by the device")
    if isinstance(exc, SSHError):
        text = str(exc)
        if "subsystem" in text:
            return UnreachableError(
                host, step, "the device rejected the NETCONF subsystem; NETCONF is not running"
            )
        return UnreachableError(host, step, f"NETCONF SSH failed: {text}")
    return DeviceError(host, step, f"NETCONF failed: {exc}")
