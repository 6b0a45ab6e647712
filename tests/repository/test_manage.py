"""Listing, verifying again, removing, and serving repository images."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
from pathlib import Path

import pytest

from xeapp.errors import HashMismatchError, NotFoundError
from xeapp.imageserver import ImageServer
from xeapp.repository import ImageInUseError, Repository
from xeapp.store import Store

NAME = "cat9k_iosxe.17.12.04.SPA.bin"
DATA = os.urandom(256 * 1024)


@pytest.fixture
def added(repo: Repository) -> Repository:
    repo.add_stream(io.BytesIO(DATA), NAME, md5=hashlib.md5(DATA).hexdigest())
    return repo


def test_verify_again_passes(added: Repository) -> None:
    assert added.verify(NAME)["verified"] == "Verified"


def test_verify_detects_corruption(added: Repository) -> None:
    with open(added.repo_dir / NAME, "r+b") as image:
        image.write(b"\xff\xfe")
    with pytest.raises(HashMismatchError) as caught:
        added.verify(NAME)
    assert caught.value.algorithm == "MD5"
    assert added.get(NAME)["verified"] == "Mismatch"


def test_verify_unknown_image(repo: Repository) -> None:
    with pytest.raises(NotFoundError):
        repo.verify(NAME)


@pytest.mark.parametrize("status", ["Pending", "Running"])
def test_remove_blocked_by_job(added: Repository, store: Store, status: str) -> None:
    job = store.add_job({"target_ip": "127.0.0.2", "image": NAME, "status": status})
    with pytest.raises(ImageInUseError) as caught:
        added.remove(NAME)
    assert caught.value.job_ids == [job["job_id"]]
    assert (added.repo_dir / NAME).exists()


def test_remove_after_job_finished(added: Repository, store: Store) -> None:
    store.add_job({"target_ip": "127.0.0.2", "image": NAME, "status": "Success"})
    added.remove(NAME)
    assert not (added.repo_dir / NAME).exists()
    assert store.get_image(NAME) is None


def test_remove_symlink_keeps_source(repo: Repository, tmp_path: Path) -> None:
    source = tmp_path / NAME
    source.write_bytes(DATA)
    repo.add_file(source, mode="symlink")
    repo.remove(NAME)
    assert source.read_bytes() == DATA


def test_devices_using(added: Repository, store: Store) -> None:
    store.add_job({"target_ip": "127.0.0.3", "image": NAME, "status": "Success"})
    store.upsert_device({"ip_address": "127.0.0.4", "current_version": "17.12.4"})
    store.upsert_device({"ip_address": "127.0.0.5", "current_version": "17.9.4"})
    assert added.devices_using(NAME) == ["127.0.0.3", "127.0.0.4"]
    listed = added.list_images()
    assert listed[0]["devices"] == ["127.0.0.3", "127.0.0.4"]


def test_remove_temp_files(repo: Repository) -> None:
    repo.repo_dir.mkdir(parents=True)
    (repo.repo_dir / ".incoming-abc.part").write_bytes(b"x")
    assert repo.remove_temp_files() == 1
    assert os.listdir(repo.repo_dir) == []


def _get(port: int, name: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", f"/{name}")
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_server_serves_only_registered(added: Repository) -> None:
    (added.repo_dir / "stray.bin").write_bytes(b"not registered")
    server = ImageServer(
        added.repo_dir, bind="127.0.0.1", port=0, resolver=added.resolve_for_serving
    )
    with server:
        assert server.port is not None
        assert _get(server.port, NAME) == (200, DATA)
        assert _get(server.port, "stray.bin")[0] == 404


def test_server_serves_symlinked_image(repo: Repository, tmp_path: Path) -> None:
    source = tmp_path / NAME
    source.write_bytes(DATA)
    repo.add_file(source, mode="symlink")
    server = ImageServer(repo.repo_dir, bind="127.0.0.1", port=0, resolver=repo.resolve_for_serving)
    with server:
        assert server.port is not None
        assert _get(server.port, NAME) == (200, DATA)
