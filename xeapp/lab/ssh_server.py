"""SSH listeners of the lab: the CLI and NETCONF ports of every device, served by paramiko."""

from __future__ import annotations

import itertools
import logging
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

import paramiko
from paramiko.common import (
    AUTH_FAILED,
    AUTH_SUCCESSFUL,
    OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED,
    OPEN_SUCCEEDED,
)
from paramiko.server import InteractiveQuery

from xeapp.lab.install_commands import expire_auto_abort
from xeapp.lab.reload import is_up
from xeapp.lab.state import DeviceState
from xeapp.lab.terminal import ChannelClosed, Terminal
from xeapp.lab.vty import Vty

log = logging.getLogger(__name__)
# The logger of the lab's server-side paramiko transports, apart from the clients' "paramiko".
TRANSPORT_LOG = "xeapp.lab.transport"


class _ClientResetFilter(logging.Filter):
    """Lower paramiko's ERROR for a connection reset by the client to DEBUG.

    A client that closes its socket with output of the device still unread (netmiko right
    after it writes `exit`, before the echo arrives) makes the kernel send a TCP reset. That
    is the client leaving, not a failure of the lab.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and "Connection reset by peer" in record.getMessage():
            # The logger accepted the record at ERROR, so check the lowered level here.
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


logging.getLogger(TRANSPORT_LOG).addFilter(_ClientResetFilter())

try:
    from xeapp.lab.netconf import serve_netconf_session
except ImportError:  # the CLI still works in a checkout without the NETCONF server
    serve_netconf_session = None  # type: ignore[assignment]

_TICK = 0.05  # seconds between checks of reloads, auto-abort timers and NETCONF on or off
_AUTH_TIMEOUT = 30.0
_REQUEST_TIMEOUT = 15.0
_CLOSE_WAIT = 2.0  # seconds a session the device ended waits for the client to close
_JOIN_TIMEOUT = 2.0  # seconds stop() waits for each thread of the lab to end
_session_ids = itertools.count(1)


@dataclass(eq=False)
class Endpoint:
    """One device as the network sees it: its address, its two ports and its live sessions."""

    device: DeviceState
    ip: str
    ssh_port: int
    netconf_port: int
    transports: set[paramiko.Transport] = field(default_factory=set)
    held: list[socket.socket] = field(default_factory=list)
    guard: threading.Lock = field(default_factory=threading.Lock)

    @property
    def state(self) -> DeviceState:
        return self.device

    @property
    def hostname(self) -> str:
        with self.device.lock:
            return self.device.hostname

    def drop_sessions(self) -> None:
        """Close every SSH and NETCONF session of the device, as a reload does."""
        with self.guard:
            transports = list(self.transports)
            self.transports.clear()
        for transport in transports:
            transport.close()
        if transports:
            log.info("%s: dropped %d sessions", self.ip, len(transports))

    def close_held(self) -> None:
        with self.guard:
            held, self.held = self.held, []
        for sock in held:
            sock.close()


class _DeviceServer(paramiko.ServerInterface):
    def __init__(self, endpoint: Endpoint, kind: str) -> None:
        self.endpoint = endpoint
        self.kind = kind
        self.request = threading.Event()
        self.request_kind = ""
        self.command = ""
        self._user = ""

    def get_allowed_auths(self, username: str) -> str:
        return "password,keyboard-interactive"

    def _check(self, username: str, password: str) -> int:
        device = self.endpoint.device
        with device.lock:
            rejected = "wrong_credentials" in device.faults
            valid = username == device.username and password == device.password
        if valid and not rejected:
            return AUTH_SUCCESSFUL
        log.info("%s: rejected login of %r", self.endpoint.ip, username)
        return AUTH_FAILED

    def check_auth_password(self, username: str, password: str) -> int:
        return self._check(username, password)

    def check_auth_interactive(self, username: str, submethods: str) -> int | InteractiveQuery:
        self._user = username
        query = InteractiveQuery("", "")
        query.add_prompt("Password: ", False)
        return query

    def check_auth_interactive_response(self, responses: list[str]) -> int | InteractiveQuery:
        return self._check(self._user, responses[0] if responses else "")

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return OPEN_SUCCEEDED
        return OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: object) -> bool:
        return self.kind == "ssh"

    def check_channel_window_change_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        return self._accept_request("shell", self.kind == "ssh")

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        self.command = command.decode("utf-8", "replace")
        return self._accept_request("exec", self.kind == "ssh")

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        allowed = self.kind == "netconf" and name == "netconf"
        return self._accept_request("netconf", allowed and serve_netconf_session is not None)

    def _accept_request(self, kind: str, allowed: bool) -> bool:
        if allowed:
            self.request_kind = kind
            self.request.set()
        return allowed


class LabServer:
    """Accepts connections on every device's ports and follows reloads and NETCONF toggles.

    One thread selects over all listening sockets. Each accepted connection gets a paramiko
    transport and a thread that runs the CLI or NETCONF session.
    """

    def __init__(self, host_key: paramiko.PKey, reload_behaviour: str = "refuse") -> None:
        if reload_behaviour not in ("refuse", "silent"):
            raise ValueError(f"invalid reload behaviour {reload_behaviour!r}: refuse or silent")
        self.host_key = host_key
        self.reload_behaviour = reload_behaviour
        self.endpoints: list[Endpoint] = []
        self._listeners: dict[tuple[int, str], socket.socket] = {}
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._threads: set[threading.Thread] = set()
        self._threads_guard = threading.Lock()
        # Counts the accept loop's passes over all devices, so a reload can wait for one.
        self._passes = 0
        self._passes_changed = threading.Condition()

    def add(self, endpoint: Endpoint) -> Endpoint:
        """Bind the endpoint's ports (0 picks a free port) and return it with the real ports.

        Raises:
            OSError: a port is in use or the address cannot be bound.
        """
        ssh = self._bind(endpoint.ip, endpoint.ssh_port)
        try:
            netconf = self._bind(endpoint.ip, endpoint.netconf_port)
        except OSError:
            ssh.close()
            raise
        endpoint.ssh_port = ssh.getsockname()[1]
        endpoint.netconf_port = netconf.getsockname()[1]
        self.endpoints.append(endpoint)
        index = len(self.endpoints) - 1
        self._register(index, "ssh", ssh)
        self._register(index, "netconf", netconf)
        return endpoint

    @staticmethod
    def _bind(ip: str, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # SO_REUSEADDR lets a reloaded device rebind at once; SO_REUSEPORT is never set, so a
        # second lab on the same address and port fails here.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        return sock

    def _register(self, index: int, kind: str, sock: socket.socket) -> None:
        self._listeners[(index, kind)] = sock
        self._selector.register(sock, selectors.EVENT_READ, (index, kind))

    def _unregister(self, index: int, kind: str) -> None:
        sock = self._listeners.pop((index, kind), None)
        if sock is not None:
            self._selector.unregister(sock)
            sock.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lab-accept", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, close every listener and session, and wait for the lab's threads.

        Every session thread ends within about `_TICK` once its transport is closed, so the
        joins return at once. The timeouts only bound a thread stuck in a command handler.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=_JOIN_TIMEOUT)
        for key in list(self._listeners):
            self._unregister(*key)
        transports: list[paramiko.Transport] = []
        for endpoint in self.endpoints:
            endpoint.close_held()
            with endpoint.guard:
                transports += endpoint.transports
            endpoint.drop_sessions()
        with self._threads_guard:
            threads = list(self._threads)
        for thread in [*threads, *transports]:
            thread.join(timeout=_JOIN_TIMEOUT)
        still_running = [thread.name for thread in threads if thread.is_alive()]
        if still_running:
            log.warning("lab stopped with session threads still running: %s", still_running)
        self._selector.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=_TICK):
                index, kind = key.data
                self._accept(index, kind, key.fileobj)  # type: ignore[arg-type]
            self._reconcile()
            with self._passes_changed:
                self._passes += 1
                self._passes_changed.notify_all()

    def _drop_sessions(self, endpoint: Endpoint) -> None:
        """Drop a device's sessions; for a reload, close its ports first, as a device does.

        Without the wait, a client reconnecting at once could reach the listener in the tick
        before the accept loop closes it.
        """
        with endpoint.device.lock:
            down = endpoint.device.is_down()
        if down and self.reload_behaviour == "refuse":
            with self._passes_changed:
                # The pass running now may have checked the device before it went down.
                target = self._passes + 2
                self._passes_changed.wait_for(
                    lambda: self._passes >= target or self._stop.is_set(), timeout=1.0
                )
        endpoint.drop_sessions()

    def _reconcile(self) -> None:
        for index, endpoint in enumerate(self.endpoints):
            device = endpoint.device
            with device.lock:
                rolled_back = expire_auto_abort(device)
                up = is_up(device)
                netconf_on = device.netconf_enabled
            if rolled_back:
                endpoint.drop_sessions()
            listening = up or self.reload_behaviour == "silent"
            self._want(index, "ssh", endpoint.ip, endpoint.ssh_port, listening)
            self._want(
                index, "netconf", endpoint.ip, endpoint.netconf_port, listening and netconf_on
            )
            if up and endpoint.held and not self._banner_fault(endpoint):
                endpoint.close_held()

    def _want(self, index: int, kind: str, ip: str, port: int, listening: bool) -> None:
        present = (index, kind) in self._listeners
        if listening and not present:
            try:
                self._register(index, kind, self._bind(ip, port))
            except OSError as exc:
                log.warning("%s:%d: cannot listen again: %s", ip, port, exc)
        elif not listening and present:
            self._unregister(index, kind)

    @staticmethod
    def _banner_fault(endpoint: Endpoint) -> bool:
        with endpoint.device.lock:
            return "ssh_banner_timeout" in endpoint.device.faults

    def _accept(self, index: int, kind: str, listener: socket.socket) -> None:
        try:
            sock, peer = listener.accept()
        except OSError:
            return
        sock.setblocking(True)
        endpoint = self.endpoints[index]
        device = endpoint.device
        with device.lock:
            up = is_up(device)
            fault = device.faults.get("ssh_banner_timeout")
            netconf_ready = device.netconf_ready()
        if not up or (fault is not None and str(fault["port"]) in (kind, "both")):
            with endpoint.guard:
                endpoint.held.append(sock)
            return
        if kind == "netconf" and not netconf_ready:
            log.debug("%s: NETCONF not started yet, closing connection", endpoint.ip)
            sock.close()
            return
        thread = threading.Thread(
            target=self._serve,
            args=(endpoint, kind, sock, peer[0]),
            name=f"lab-{kind}-{endpoint.ip}-{peer[1]}",
            daemon=True,
        )
        with self._threads_guard:
            self._threads.add(thread)
        thread.start()

    def _serve(self, endpoint: Endpoint, kind: str, sock: socket.socket, peer: str) -> None:
        transport = paramiko.Transport(sock)
        transport.set_log_channel(TRANSPORT_LOG)
        transport.add_server_key(self.host_key)
        server = _DeviceServer(endpoint, kind)
        with endpoint.guard:
            endpoint.transports.add(transport)
        try:
            transport.start_server(server=server)
            channel = self._wait_for_request(transport, server)
            if channel is None:
                return
            self._run_session(endpoint, server, channel, peer)
            self._wait_for_client_close(transport)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            log.debug("%s: %s session ended: %s", endpoint.ip, kind, exc)
        finally:
            with endpoint.guard:
                endpoint.transports.discard(transport)
            transport.close()
            # stop() joins this thread, so ending the transport's own thread here means no
            # lab thread outlives stop(), even one whose transport it never saw registered.
            if transport.is_alive():
                transport.join(timeout=_JOIN_TIMEOUT)
            with self._threads_guard:
                self._threads.discard(threading.current_thread())

    def _wait_for_request(
        self, transport: paramiko.Transport, server: _DeviceServer
    ) -> paramiko.Channel | None:
        """Return the channel once the client asked for a shell, exec or subsystem.

        Returns None when the client leaves, the lab stops or a time limit passes first.
        paramiko's `accept` does not return when the transport closes, so both waits poll.
        """
        channel = None
        deadline = time.monotonic() + _AUTH_TIMEOUT
        while channel is None:
            if self._stop.is_set() or not transport.is_active() or time.monotonic() > deadline:
                return None
            channel = transport.accept(timeout=_TICK)
        deadline = time.monotonic() + _REQUEST_TIMEOUT
        while not server.request.wait(_TICK):
            if self._stop.is_set() or not transport.is_active() or time.monotonic() > deadline:
                return None
        return channel

    def _wait_for_client_close(self, transport: paramiko.Transport) -> None:
        """Wait, up to `_CLOSE_WAIT`, for the client to close a session the device ended.

        The channel is closed by then, so the client has its EOF and CLOSE. Closing the socket
        at once would leave the client's own EOF and CLOSE unread, and the resulting TCP
        reset makes paramiko log "Socket exception: Connection reset by peer" at ERROR.
        """
        deadline = time.monotonic() + _CLOSE_WAIT
        while transport.is_active() and time.monotonic() < deadline and not self._stop.is_set():
            time.sleep(_TICK / 5)

    def _run_session(
        self, endpoint: Endpoint, server: _DeviceServer, channel: paramiko.Channel, peer: str
    ) -> None:
        if server.request_kind == "netconf" and serve_netconf_session is not None:
            serve_netconf_session(channel, endpoint.device, next(_session_ids))
            return
        vty = Vty(
            endpoint.device,
            Terminal(channel),
            lambda: self._drop_sessions(endpoint),
            peer,
            endpoint.ip,
        )
        if server.request_kind == "exec":
            try:
                vty.terminal.length = 0
                vty.execute(server.command)
                channel.send_exit_status(0)
            except ChannelClosed:
                pass
        else:
            vty.run()
        channel.close()
