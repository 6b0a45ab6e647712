"""Fixtures that start lab devices and a small HTTP image server on loopback."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from netmiko import BaseConnection, ConnectHandler

from xeapp.lab import Lab, LabDevice, start_lab

IMAGE_NAME = "cat9k_iosxe.17.12.04.SPA.bin"


@pytest.fixture
def make_lab() -> Iterator[Callable[..., Lab]]:
    """Return a factory that starts a lab on free ports with short timings; stops them after."""
    labs: list[Lab] = []

    def factory(*profiles: str | dict[str, Any], **options: Any) -> Lab:
        options.setdefault("reload_seconds", 0.5)
        options.setdefault("netconf_start_seconds", 0.2)
        options.setdefault("base", "127.0.0.10")
        lab = start_lab(profiles=list(profiles) or None, **options)
        labs.append(lab)
        return lab

    yield factory
    for lab in labs:
        lab.stop()


def open_cli(device: LabDevice, **options: Any) -> BaseConnection:
    """Open a netmiko cisco_xe session to a lab device, the plain way."""
    params: dict[str, Any] = {
        "device_type": "cisco_xe",
        "host": device.ip,
        "port": device.ssh_port,
        "username": "admin",
        "password": "admin",
        "timeout": 10,
        "banner_timeout": 5,
        "auth_timeout": 5,
    }
    params.update(options)
    return ConnectHandler(**params)


@pytest.fixture
def connect() -> Callable[..., BaseConnection]:
    """Return the function that opens a netmiko cisco_xe session to a lab device."""
    return open_cli


def wait_for_drop(conn: BaseConnection, timeout: float = 5.0) -> bool:
    """Wait until the device closed the session; return whether it did within `timeout`.

    netmiko's disconnect() on a session the device is about to drop writes a newline and reads
    for 10 s, because paramiko reports no data rather than a closed channel. Tests that make
    the device reload wait here first, so the disconnect that follows returns at once.
    """
    transport = conn.remote_conn.get_transport()
    deadline = time.monotonic() + timeout
    while transport.is_active() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not transport.is_active()


@pytest.fixture
def dropped() -> Callable[..., bool]:
    """Return the function that waits until the device closed a netmiko session."""
    return wait_for_drop


@dataclass
class ImageServer:
    url: str
    name: str
    size: int
    md5: str


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""

    def do_GET(self) -> None:
        if self.path.rsplit("/", 1)[-1] != IMAGE_NAME:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def image_server() -> Iterator[ImageServer]:
    """Serve a 300 kB image file over HTTP on 127.0.0.1 with a free port."""
    payload = bytes(range(256)) * 1200
    handler = type("Handler", (_Handler,), {"payload": payload})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    yield ImageServer(
        url=f"http://127.0.0.1:{port}/{IMAGE_NAME}",
        name=IMAGE_NAME,
        size=len(payload),
        md5=hashlib.md5(payload, usedforsecurity=False).hexdigest(),
    )
    server.shutdown()
    server.server_close()
