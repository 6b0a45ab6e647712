"""A minimal paramiko SSH server on loopback that runs `serve_netconf_session`, for tests."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import paramiko
from ncclient import manager

from xeapp.lab.netconf import serve_netconf_session
from xeapp.lab.netconf_errors import NS_BASE
from xeapp.lab.netconf_framing import MessageReader
from xeapp.lab.state import (
    DeviceState,
    Filesystem,
    InstallPackage,
    InstallState,
    LabFile,
    Member,
    Platform,
)

USERNAME = "admin"
PASSWORD = "lab-secret"
_HOST_KEY = paramiko.RSAKey.generate(2048)
_session_ids = itertools.count(1)

GB = 1024**3


def c9300_stack() -> DeviceState:
    """Return a 3-member C9300 stack in install mode on 17.9.4a."""
    members = []
    for number, role in ((1, "Active"), (2, "Standby"), (3, "Member")):
        filesystem = Filesystem(f"flash-{number}:", 11_353_194_496, reserved_bytes=2 * GB)
        filesystem.files["packages.conf"] = LabFile("packages.conf", 7_923, "0" * 32)
        members.append(
            Member(
                number=number,
                pid="C9300-48P",
                serial=f"FOC0000{number:04d}",
                role=role,
                state="Ready",
                mac=f"0000.5e00.53{number:02x}",
                hw_version="V02",
                filesystem=filesystem,
            )
        )
    packages = [
        InstallPackage("17.09.04a.0.6", "C", "cat9k_iosxe.17.09.04a.SPA.bin"),
        InstallPackage("17.12.04.0.5678", "I", "cat9k_iosxe.17.12.04.SPA.bin"),
    ]
    return DeviceState(
        hostname="LAB-9300-Stack-1",
        profile="c9300-stack3",
        chassis_pid="C9300-48P",
        device_kind="switch",
        version="17.9.4a",
        image_name="cat9k_iosxe.17.09.04a.SPA.bin",
        mode="INSTALL",
        rommon_version="17.6.1r",
        boot_current=["flash:packages.conf"],
        boot_next=["flash:packages.conf"],
        romvars={},
        members=members,
        install=InstallState(packages=packages),
        username=USERNAME,
        password=PASSWORD,
        boot_time=datetime(2024, 3, 1, 8, 30, tzinfo=UTC),
    )


def isr4451_router() -> DeviceState:
    """Return a standalone ISR4451-X in bundle mode on 17.6.5."""
    filesystem = Filesystem("bootflash:", 7_451_738_112, reserved_bytes=GB)
    filesystem.files["isr4400-universalk9.17.06.05.SPA.bin"] = LabFile(
        "isr4400-universalk9.17.06.05.SPA.bin", 734_334_052, "1" * 32
    )
    member = Member(
        number=1,
        pid="ISR4451-X/K9",
        serial="FGL0000A001",
        role="Active",
        state="Ready",
        mac="0000.5e00.5310",
        hw_version="V07",
        filesystem=filesystem,
    )
    return DeviceState(
        hostname="isr4k",
        profile="isr4451-x",
        chassis_pid="ISR4451-X/K9",
        device_kind="router",
        version="17.6.5",
        image_name="isr4400-universalk9.17.06.05.SPA.bin",
        mode="BUNDLE",
        rommon_version="16.12(2r)",
        boot_current=["bootflash:isr4400-universalk9.17.06.05.SPA.bin"],
        boot_next=["bootflash:isr4400-universalk9.17.06.05.SPA.bin"],
        romvars={},
        members=[member],
        username=USERNAME,
        password=PASSWORD,
        platform=Platform(
            software_name="ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M)",
            chassis_descr="Cisco ISR4451 Chassis",
            layout="router",
        ),
    )


class _NetconfServer(paramiko.ServerInterface):
    def __init__(self, device: DeviceState, sessions: list[threading.Thread]) -> None:
        self.device = device
        self.sessions = sessions

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if (username, password) == (self.device.username, self.device.password):
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        if name != "netconf":
            return False
        thread = threading.Thread(
            target=serve_netconf_session,
            args=(channel, self.device, next(_session_ids)),
            daemon=True,
        )
        thread.start()
        self.sessions.append(thread)
        return True


class NetconfTestServer:
    """Accepts SSH connections on 127.0.0.1 and serves NETCONF for one device."""

    def __init__(self, device: DeviceState) -> None:
        self.device = device
        self.sessions: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._transports: list[paramiko.Transport] = []
        self._clients: list[paramiko.SSHClient] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            transport = paramiko.Transport(sock)
            transport.add_server_key(_HOST_KEY)
            transport.start_server(server=_NetconfServer(self.device, self.sessions))
            self._transports.append(transport)

    def wait_sessions_ended(self, timeout: float = 5) -> bool:
        """Return whether every NETCONF session thread returned within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        for thread in self.sessions:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self.sessions)

    def drop_all(self) -> None:
        """Close every SSH connection, as a reloading device does."""
        for transport in self._transports:
            transport.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=2)
        for client in self._clients:
            client.close()
        self.drop_all()

    def connect(self, timeout: float = 10) -> manager.Manager:
        """Return an ncclient session to this device, connected the plain way."""
        return manager.connect(
            host="127.0.0.1",
            port=self.port,
            username=USERNAME,
            password=PASSWORD,
            device_params={"name": "iosxe"},
            hostkey_verify=False,
            allow_agent=False,
            look_for_keys=False,
            timeout=timeout,
        )

    def raw_session(self) -> paramiko.Channel:
        """Return a paramiko channel on the netconf subsystem, for byte-level tests."""
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        client.connect(
            "127.0.0.1",
            port=self.port,
            username=USERNAME,
            password=PASSWORD,
            allow_agent=False,
            look_for_keys=False,
            timeout=10,
        )
        channel = client.get_transport().open_session()  # type: ignore[union-attr]
        channel.invoke_subsystem("netconf")
        channel.settimeout(5)
        self._clients.append(client)
        return channel


@contextlib.contextmanager
def running_server(device: DeviceState) -> Iterator[NetconfTestServer]:
    server = NetconfTestServer(device)
    try:
        yield server
    finally:
        server.stop()


def read_messages(
    channel: paramiko.Channel, chunked: bool, count: int = 1, timeout: float = 5
) -> list[bytes]:
    """Read `count` framed messages from `channel`, within `timeout` seconds."""
    reader = MessageReader(64 * 1024 * 1024)
    if chunked:
        reader.use_chunked()
    messages: list[bytes] = []
    deadline = time.monotonic() + timeout
    while len(messages) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(messages)} of {count} messages within {timeout} s")
        data = channel.recv(65536)
        if not data:
            raise EOFError("channel closed before the messages arrived")
        messages += reader.feed(data)
    return messages


def read_message(channel: paramiko.Channel, chunked: bool, timeout: float = 5) -> bytes:
    """Read one framed message from `channel`, within `timeout` seconds."""
    return read_messages(channel, chunked, 1, timeout)[0]


def client_hello(*capabilities: str) -> bytes:
    """Return a client `<hello>` advertising `capabilities`."""
    lines = "".join(f"<capability>{c}</capability>" for c in capabilities)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<hello xmlns="{NS_BASE}"><capabilities>{lines}</capabilities></hello>'
    ).encode()
