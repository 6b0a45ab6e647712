"""Tests of driver errors against loopback addresses: refused ports and a stalled handshake."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from xeapp.drivers import DeviceLogin, NetconfDriver, SshDriver
from xeapp.errors import DeviceError, UnreachableError

# Nothing listens on this loopback address in the test environment.
UNUSED_ADDRESS = "127.0.0.250"


def login(host: str, port: int, timeout_s: float = 1.0) -> DeviceLogin:
    return DeviceLogin(
        host=host,
        username="admin",
        password="admin",
        ssh_port=port,
        netconf_port=port,
        connect_timeout_s=timeout_s,
        command_timeout_s=timeout_s,
    )


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never sends an SSH banner."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize("driver_class", [NetconfDriver, SshDriver])
def test_unused_address_refused(driver_class: type[NetconfDriver | SshDriver]) -> None:
    driver = driver_class(login(UNUSED_ADDRESS, 2222))
    with pytest.raises(UnreachableError, match="connection refused") as caught:
        driver.connect()
    assert caught.value.host == UNUSED_ADDRESS


@pytest.mark.parametrize("driver_class", [NetconfDriver, SshDriver])
def test_silent_device_times_out(
    driver_class: type[NetconfDriver | SshDriver], silent_server: int
) -> None:
    driver = driver_class(login("127.0.0.1", silent_server, timeout_s=0.5))
    started = time.monotonic()
    with pytest.raises(UnreachableError, match="did not complete the SSH handshake"):
        driver.connect()
    assert time.monotonic() - started < 5


def test_command_without_session() -> None:
    with pytest.raises(DeviceError, match="not open"):
        SshDriver(login(UNUSED_ADDRESS, 2222)).send_command("show version")
