"""`xeapp repo` subcommands run as a user would run them."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

NAME = "cat9k_iosxe.17.12.04.SPA.bin"
DATA = os.urandom(200_000)


def xeapp(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xeapp", "--data-dir", str(data_dir), "repo", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / NAME
    path.write_bytes(DATA)
    return path


def test_add_list_verify_remove(tmp_path: Path, image: Path) -> None:
    data_dir = tmp_path / "data"
    md5 = hashlib.md5(DATA).hexdigest().upper()
    assert xeapp(data_dir, "add", str(image), "--md5", md5).returncode == 0

    listed = xeapp(data_dir, "list", "--json")
    records = json.loads(listed.stdout)
    assert [r["filename"] for r in records] == [NAME]
    assert records[0]["verified"] == "Verified"

    assert xeapp(data_dir, "verify", NAME).returncode == 0
    assert xeapp(data_dir, "remove", NAME).returncode == 0
    assert json.loads(xeapp(data_dir, "list", "--json").stdout) == []


def test_add_mismatch_exit_1(tmp_path: Path, image: Path) -> None:
    result = xeapp(tmp_path / "data", "add", str(image), "--md5", "0" * 32)
    assert result.returncode == 1
    assert "MD5" in result.stderr
    assert not (tmp_path / "data" / "repo" / NAME).exists()


def test_add_invalid_hex_exit_2(tmp_path: Path, image: Path) -> None:
    result = xeapp(tmp_path / "data", "add", str(image), "--sha512", "not-hex")
    assert result.returncode == 2
    assert "'not-hex'" in result.stderr


def test_serve_until_interrupt(tmp_path: Path, image: Path) -> None:
    data_dir = tmp_path / "data"
    assert xeapp(data_dir, "add", str(image), "--link").returncode == 0
    command = [sys.executable, "-m", "xeapp", "--data-dir", str(data_dir), "repo", "serve"]
    server = subprocess.Popen(
        [*command, "--bind", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        port = int(first.split("port ")[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", f"/{NAME}")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == DATA
        conn.close()
    finally:
        time.sleep(0.2)
        server.send_signal(signal.SIGINT)
        status = server.wait(15)
    assert status == 0


def test_file_left_by_lost_table(tmp_path: Path, image: Path) -> None:
    data_dir = tmp_path / "data"
    assert xeapp(data_dir, "add", str(image)).returncode == 0
    for table in (data_dir / "db").glob("repository-*.json"):
        table.write_text("not JSON")

    listed = json.loads(xeapp(data_dir, "list", "--json").stdout)
    assert [(r["filename"], r["verified"]) for r in listed] == [(NAME, "Unregistered")]

    md5 = hashlib.md5(DATA).hexdigest()
    added = xeapp(data_dir, "add", str(image), "--md5", md5)
    assert added.returncode == 0, added.stderr
    listed = json.loads(xeapp(data_dir, "list", "--json").stdout)
    assert [(r["filename"], r["verified"]) for r in listed] == [(NAME, "Verified")]
    assert list((data_dir / "db").glob("repository-*.json.corrupt-*")) != []


def test_remove_file_left_by_lost_table(tmp_path: Path, image: Path) -> None:
    data_dir = tmp_path / "data"
    assert xeapp(data_dir, "add", str(image)).returncode == 0
    for table in (data_dir / "db").glob("repository-*.json"):
        table.write_text("not JSON")

    removed = xeapp(data_dir, "remove", NAME)

    assert removed.returncode == 0, removed.stderr
    assert not (data_dir / "repo" / NAME).exists()
    assert json.loads(xeapp(data_dir, "list", "--json").stdout) == []


def test_add_empty_file_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / NAME
    empty.touch()

    result = xeapp(tmp_path / "data", "add", str(empty))

    assert result.returncode == 1
    assert "is empty (0 bytes)" in result.stderr
    assert not (tmp_path / "data" / "repo" / NAME).exists()
