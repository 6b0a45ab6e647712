"""Per-transfer progress, copy URLs and stop of the image server."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from pathlib import Path

import pytest
from imageserver_helpers import IMAGE_NAME, IMAGE_SIZE

from xeapp.errors import InvalidInputError
from xeapp.imageserver import ImageServer, Transfer


def download(port: int, headers: dict[str, str] | None = None) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", f"/{IMAGE_NAME}", headers=headers or {})
    body = conn.getresponse().read()
    conn.close()
    return body


def test_progress_callback_counts(repo_dir: Path) -> None:
    events: list[Transfer] = []
    server = ImageServer(repo_dir, bind="127.0.0.1", port=0, on_progress=events.append)
    with server:
        assert server.port is not None
        download(server.port)
    assert events[0].sent == 0
    assert events[-1].sent == IMAGE_SIZE
    assert events[-1].complete
    assert events[-1].client == "127.0.0.1"
    assert events[-1].filename == IMAGE_NAME


def test_progress_snapshot_range(server: ImageServer) -> None:
    assert server.port is not None
    download(server.port, {"Range": "bytes=100-199"})
    # The client can read the last byte before the server thread marks the transfer finished.
    deadline = time.monotonic() + 5
    while server.transfers(active_only=True) and time.monotonic() < deadline:
        time.sleep(0.01)
    record = server.progress("127.0.0.1", IMAGE_NAME)
    assert record is not None
    assert record.offset == 100
    assert record.length == 100
    assert record.sent == 100
    assert server.transfers(active_only=True) == []


def test_progress_while_client_stalls(repo_dir: Path) -> None:
    """A client that stops reading leaves an active transfer with a partial count."""
    big = "big.bin"
    (repo_dir / big).write_bytes(b"\0" * (64 * 1024 * 1024))
    with ImageServer(repo_dir, bind="127.0.0.1", port=0, timeout=5) as server:
        assert server.port is not None
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(f"GET /{big} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            deadline = time.monotonic() + 5
            active: list[Transfer] = []
            while not active and time.monotonic() < deadline:
                active = server.transfers(active_only=True)
                time.sleep(0.05)
            assert len(active) == 1
            assert 0 < active[0].sent < active[0].length
        # Closing the client ends the transfer incomplete; stop() must not hang on it.
    record = server.progress("127.0.0.1", big)
    assert record is not None
    assert record.finished is not None


def test_finished_transfer_logged(server: ImageServer, caplog: pytest.LogCaptureFixture) -> None:
    assert server.port is not None
    with caplog.at_level(logging.INFO, logger="xeapp.imageserver"):
        download(server.port)
        # The server thread logs after the client has the last byte, so wait for its line.
        deadline = time.monotonic() + 5
        lines: list[str] = []
        while not lines and time.monotonic() < deadline:
            lines = [r.getMessage() for r in caplog.records if "sent " in r.getMessage()]
            time.sleep(0.02)
    assert len(lines) == 1
    assert f"sent {IMAGE_NAME} to 127.0.0.1: {IMAGE_SIZE} of {IMAGE_SIZE} bytes" in lines[0]
    assert "MB/s" in lines[0]


def test_concurrent_downloads_all_counted(server: ImageServer, image_bytes: bytes) -> None:
    assert server.port is not None
    port = server.port
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(download(port))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(results) == 8
    assert all(body == image_bytes for body in results)


def test_stop_closes_open_connection(repo_dir: Path) -> None:
    server = ImageServer(repo_dir, bind="127.0.0.1", port=0, timeout=30).start()
    assert server.port is not None
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    assert idle.recv(10) == b""
    idle.close()


def test_copy_url_loopback(server: ImageServer) -> None:
    assert (
        server.copy_url("127.0.0.5", IMAGE_NAME) == f"http://127.0.0.1:{server.port}/{IMAGE_NAME}"
    )


def test_copy_url_route_address(repo_dir: Path) -> None:
    # A wildcard bind leaves the choice to the route; loopback targets route from loopback.
    with ImageServer(repo_dir, bind="127.0.0.1", port=0) as server:
        server.bind = "0.0.0.0"
        assert server.copy_url("127.0.0.9", IMAGE_NAME).startswith("http://127.0.0.1:")


def test_copy_url_override(repo_dir: Path) -> None:
    server = ImageServer(repo_dir, bind="127.0.0.1", port=0, public_address="10.9.8.7")
    with server:
        assert server.copy_url("127.0.0.1", IMAGE_NAME).startswith("http://10.9.8.7:")


def test_copy_url_port_80_omitted(repo_dir: Path) -> None:
    server = ImageServer(repo_dir, bind="127.0.0.1", port=0, public_address="10.9.8.7")
    with server:
        server.port = 80
        assert server.copy_url("127.0.0.1", IMAGE_NAME) == f"http://10.9.8.7/{IMAGE_NAME}"


@pytest.mark.parametrize("name", ["../x.bin", "a b.bin", "x.bin; reload", "x.txt"])
def test_copy_url_rejects_bad_name(server: ImageServer, name: str) -> None:
    with pytest.raises(InvalidInputError):
        server.copy_url("127.0.0.1", name)


def test_copy_url_rejects_bad_device(server: ImageServer) -> None:
    with pytest.raises(InvalidInputError):
        server.copy_url("not-an-ip", IMAGE_NAME)
