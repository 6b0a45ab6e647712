"""Request targets the image server must not serve: traversal, symlinks, other methods."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from imageserver_helpers import IMAGE_NAME, get_raw, raw_request

from xeapp.imageserver import ImageServer

SECRET = b"outside the repository"


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET)
    return secret


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.bin",
        "/..%2fsecret.bin",
        "/%2e%2e/secret.bin",
        "/%2E%2E%2Fsecret.bin",
        "/%2e%2e%5csecret.bin",
        "/..\\secret.bin",
        "/repo/../secret.bin",
        "//etc/passwd",
        "/etc/passwd",
        "/%2fetc%2fpasswd",
        "/secret.bin%00.bin",
        "/..",
        "/%2e%2e",
        "/.",
        "secret.bin",
        "/%zz",
        "http://127.0.0.1/../secret.bin",
    ],
)
def test_traversal_rejected(server: ImageServer, outside_file: Path, target: str) -> None:
    assert server.port is not None
    status, _, body = get_raw(server.port, target)
    assert status in (400, 404)
    assert SECRET not in body


def test_raw_nul_rejected(server: ImageServer) -> None:
    assert server.port is not None
    status, _, _ = raw_request(server.port, b"GET /a\0.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 400


def test_root_lists_nothing(server: ImageServer) -> None:
    assert server.port is not None
    status, _, body = get_raw(server.port, "/")
    assert status == 404
    assert IMAGE_NAME.encode() not in body


def test_subdirectory_not_served(server: ImageServer, repo_dir: Path) -> None:
    (repo_dir / "sub").mkdir()
    (repo_dir / "sub" / "inner.bin").write_bytes(b"inner")
    assert server.port is not None
    assert get_raw(server.port, "/sub")[0] == 404
    assert get_raw(server.port, "/sub/inner.bin")[0] in (400, 404)


def test_missing_file_404(server: ImageServer) -> None:
    assert server.port is not None
    assert get_raw(server.port, "/missing.bin")[0] == 404


def test_invalid_name_404(server: ImageServer, repo_dir: Path) -> None:
    (repo_dir / "notes.txt").write_bytes(b"not an image")
    assert server.port is not None
    assert get_raw(server.port, "/notes.txt")[0] == 404


def test_symlink_out_rejected(server: ImageServer, repo_dir: Path, outside_file: Path) -> None:
    (repo_dir / "escape.bin").symlink_to(outside_file)
    assert server.port is not None
    status, _, body = get_raw(server.port, "/escape.bin")
    assert status == 404
    assert SECRET not in body


def test_symlink_inside_served(server: ImageServer, repo_dir: Path, image_bytes: bytes) -> None:
    (repo_dir / "alias.bin").symlink_to(repo_dir / IMAGE_NAME)
    assert server.port is not None
    status, _, body = get_raw(server.port, "/alias.bin")
    assert status == 200
    assert body == image_bytes


def test_symlinked_directory_rejected(
    server: ImageServer, repo_dir: Path, outside_file: Path
) -> None:
    (repo_dir / "dir.bin").symlink_to(outside_file.parent, target_is_directory=True)
    assert server.port is not None
    assert get_raw(server.port, "/dir.bin")[0] == 404


def test_query_string_ignored(server: ImageServer, image_bytes: bytes) -> None:
    assert server.port is not None
    status, _, body = get_raw(server.port, f"/{IMAGE_NAME}?x=1")
    assert status == 200
    assert body == image_bytes


def test_percent_encoded_name_served(server: ImageServer, image_bytes: bytes) -> None:
    assert server.port is not None
    encoded = "".join(f"%{byte:02x}" for byte in IMAGE_NAME.encode())
    status, _, body = get_raw(server.port, f"/{encoded}")
    assert status == 200
    assert body == image_bytes


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"])
def test_other_methods_405(server: ImageServer, repo_dir: Path, method: str) -> None:
    assert server.port is not None
    before = sorted(os.listdir(repo_dir))
    status, headers, _ = get_raw(server.port, f"/{IMAGE_NAME}", method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"
    assert sorted(os.listdir(repo_dir)) == before


def test_put_body_leaves_file(server: ImageServer, repo_dir: Path, image_bytes: bytes) -> None:
    assert server.port is not None
    request = (f"PUT /{IMAGE_NAME} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").encode()
    assert raw_request(server.port, request)[0] == 405
    assert (repo_dir / IMAGE_NAME).read_bytes() == image_bytes


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET /x.bin HTTP/2.0\r\n\r\n",
    ],
)
def test_malformed_request_rejected(server: ImageServer, request_bytes: bytes) -> None:
    assert server.port is not None
    assert raw_request(server.port, request_bytes)[0] in (400, 505)


def test_oversized_head_431(server: ImageServer) -> None:
    assert server.port is not None
    request = b"GET / HTTP/1.1\r\nX-Fill: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw_request(server.port, request)[0] == 431
