"""`copy http://` connects from the device's own address, so a server can tell devices apart."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import xeapp.lab.fleet as fleet

IMAGE_NAME = "cat9k_iosxe.17.12.04.SPA.bin"
PAYLOAD = b"\x5a" * 4096


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    clients: list[str]

    def do_GET(self) -> None:
        self.clients.append(self.client_address[0])
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """Serve the image on 127.0.0.1; yield its URL and the client address of every GET."""
    clients: list[str] = []
    handler = type("Handler", (_RecordingHandler,), {"clients": clients})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{IMAGE_NAME}", clients
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _copy(conn, url: str) -> str:
    conn.send_config_set(["file prompt quiet"])
    return conn.send_command(f"copy {url} flash:", read_timeout=10)


def test_copy_source_is_device_address(make_lab, connect, recording_server) -> None:
    url, clients = recording_server
    lab = make_lab("c9500", "c9200l")
    outputs = []
    for device in lab.devices:
        with connect(device) as conn:
            outputs.append(_copy(conn, url))
    assert all(f"{len(PAYLOAD)} bytes copied in" in output for output in outputs)
    assert clients == [device.ip for device in lab.devices]
    assert clients[0] != clients[1]


def test_copy_source_shared_without_aliases(
    make_lab, connect, recording_server, monkeypatch
) -> None:
    url, clients = recording_server
    monkeypatch.setattr(fleet, "aliases_available", lambda base: False)
    lab = make_lab("c9500", "c9200l")
    for device in lab.devices:
        with connect(device) as conn:
            _copy(conn, url)
    assert [device.ip for device in lab.devices] == ["127.0.0.1", "127.0.0.1"]
    assert clients == ["127.0.0.1", "127.0.0.1"]
