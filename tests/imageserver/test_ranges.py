"""GET, HEAD and Range behaviour of the image server checked against RFC 9110."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from imageserver_helpers import IMAGE_NAME, IMAGE_SIZE, raw_request

from xeapp.imageserver import ImageServer

PATH = f"/{IMAGE_NAME}"


def fetch(
    server: ImageServer, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    assert server.port is not None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(method, PATH, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_get_whole_file(server: ImageServer, image_bytes: bytes) -> None:
    response, body = fetch(server)
    assert response.status == 200
    assert body == image_bytes
    assert response.getheader("Content-Length") == str(IMAGE_SIZE)
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Content-Encoding") is None


def test_get_ignores_accept_encoding(server: ImageServer, image_bytes: bytes) -> None:
    response, body = fetch(server, headers={"Accept-Encoding": "gzip, deflate"})
    assert response.getheader("Content-Encoding") is None
    assert body == image_bytes


def test_head_matches_get_headers(server: ImageServer) -> None:
    get_response, _ = fetch(server)
    head_response, head_body = fetch(server, "HEAD")
    assert head_response.status == 200
    assert head_body == b""
    for name in ("Content-Length", "ETag", "Last-Modified", "Accept-Ranges", "Content-Type"):
        assert head_response.getheader(name) == get_response.getheader(name), name


def test_head_ignores_range(server: ImageServer) -> None:
    # RFC 9110 section 14.2 defines range handling for GET only.
    response, _ = fetch(server, "HEAD", {"Range": "bytes=0-9"})
    assert response.status == 200
    assert response.getheader("Content-Length") == str(IMAGE_SIZE)


@pytest.mark.parametrize(
    ("spec", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=10-19", 10, 19),
        ("bytes=99990-", 99990, IMAGE_SIZE - 1),
        ("bytes=-5", IMAGE_SIZE - 5, IMAGE_SIZE - 1),
        ("bytes=-200000", 0, IMAGE_SIZE - 1),
        ("bytes=99990-500000", 99990, IMAGE_SIZE - 1),
        ("BYTES = 5-6", 5, 6),
    ],
)
def test_single_range_partial_content(
    server: ImageServer, image_bytes: bytes, spec: str, first: int, last: int
) -> None:
    response, body = fetch(server, headers={"Range": spec})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {first}-{last}/{IMAGE_SIZE}"
    assert response.getheader("Content-Length") == str(last - first + 1)
    assert body == image_bytes[first : last + 1]


@pytest.mark.parametrize("spec", ["bytes=100000-", "bytes=200000-300000", "bytes=-0"])
def test_unsatisfiable_range_416(server: ImageServer, spec: str) -> None:
    response, _ = fetch(server, headers={"Range": spec})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{IMAGE_SIZE}"


@pytest.mark.parametrize(
    "spec", ["items=0-5", "bytes=5-1", "bytes=abc", "bytes=-", "bytes=", "bytes=1-2-3"]
)
def test_invalid_range_ignored(server: ImageServer, image_bytes: bytes, spec: str) -> None:
    response, body = fetch(server, headers={"Range": spec})
    assert response.status == 200
    assert body == image_bytes


def test_multiple_ranges_whole_file(server: ImageServer, image_bytes: bytes) -> None:
    # RFC 9110 section 14.2 lets a server ignore Range; the whole file is sent with 200.
    response, body = fetch(server, headers={"Range": "bytes=0-9,20-29"})
    assert response.status == 200
    assert body == image_bytes


def test_multiple_unsatisfiable_ranges_416(server: ImageServer) -> None:
    response, _ = fetch(server, headers={"Range": "bytes=200000-,300000-"})
    assert response.status == 416


def test_if_range_matching_etag(server: ImageServer, image_bytes: bytes) -> None:
    etag = fetch(server, "HEAD")[0].getheader("ETag")
    assert etag is not None
    response, body = fetch(server, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert response.status == 206
    assert body == image_bytes[:10]


def test_if_range_stale_etag_whole(server: ImageServer, image_bytes: bytes) -> None:
    response, body = fetch(server, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert response.status == 200
    assert body == image_bytes


def test_keep_alive_serves_several(server: ImageServer, image_bytes: bytes) -> None:
    assert server.port is not None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for spec in ("bytes=0-9", "bytes=10-19", "bytes=20-29"):
        conn.request("GET", PATH, headers={"Range": spec})
        response = conn.getresponse()
        first = int(spec.split("=")[1].split("-")[0])
        assert response.read() == image_bytes[first : first + 10]
    conn.close()


def test_http10_request_served(server: ImageServer, image_bytes: bytes) -> None:
    assert server.port is not None
    status, headers, body = raw_request(server.port, f"GET {PATH} HTTP/1.0\r\n\r\n".encode())
    assert status == 200
    assert headers["connection"] == "close"
    assert body == image_bytes


def test_empty_file_range_416(server: ImageServer, repo_dir: Path) -> None:
    (repo_dir / "empty.bin").write_bytes(b"")
    assert server.port is not None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/empty.bin", headers={"Range": "bytes=0-"})
    assert conn.getresponse().status == 416
    conn.close()
