"""Files in `repo/` without a table record, and empty images."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from xeapp.errors import HashMismatchError, ImageError, NotFoundError
from xeapp.repository import UNREGISTERED, Repository
from xeapp.store import Store

NAME = "cat9k_iosxe.17.12.04.SPA.bin"
DATA = os.urandom(128 * 1024)
MD5 = hashlib.md5(DATA).hexdigest()
OLD = b"left over from a table that was moved aside"


@pytest.fixture
def unregistered(repo: Repository) -> Path:
    """A file in repo/ whose record is gone, as after an unreadable table was moved aside."""
    repo.repo_dir.mkdir(parents=True)
    path = repo.repo_dir / NAME
    path.write_bytes(OLD)
    return path


def test_list_marks_unregistered(repo: Repository, unregistered: Path) -> None:
    (repo.repo_dir / ".incoming-abc.part").write_bytes(b"x")
    (repo.repo_dir / "notes.txt").write_text("not an image name")

    listed = repo.list_images()

    assert [entry["filename"] for entry in listed] == [NAME]
    assert listed[0]["verified"] == UNREGISTERED
    assert listed[0]["size"] == len(OLD)
    assert listed[0]["version"] == "17.12.04"


def test_list_puts_records_first(repo: Repository, unregistered: Path) -> None:
    other = "cat9k_iosxe.17.09.04a.SPA.bin"
    repo.add_stream(io.BytesIO(DATA), other)

    listed = repo.list_images()

    assert [entry["filename"] for entry in listed] == [other, NAME]
    assert listed[0]["verified"] == "Unverified"


def test_add_stream_replaces_unregistered(repo: Repository, unregistered: Path) -> None:
    record = repo.add_stream(io.BytesIO(DATA), NAME, md5=MD5)

    assert record["verified"] == "Verified"
    assert unregistered.read_bytes() == DATA
    assert repo.resolve_for_serving(NAME) == unregistered.resolve()


def test_add_mismatch_keeps_unregistered(repo: Repository, unregistered: Path) -> None:
    with pytest.raises(HashMismatchError):
        repo.add_stream(io.BytesIO(DATA), NAME, md5="0" * 32)

    assert unregistered.read_bytes() == OLD
    assert repo.store.get_image(NAME) is None


@pytest.mark.parametrize("mode", ["hardlink", "symlink"])
def test_add_link_replaces_unregistered(
    repo: Repository, unregistered: Path, tmp_path: Path, mode: str
) -> None:
    source = tmp_path / "downloads" / NAME
    source.parent.mkdir()
    source.write_bytes(DATA)

    record = repo.add_file(source, mode=mode, md5=MD5)  # type: ignore[arg-type]

    assert record["storage"] == mode
    assert unregistered.read_bytes() == DATA
    assert repo.resolve_for_serving(NAME).read_bytes() == DATA


@pytest.mark.parametrize("mode", ["copy", "hardlink", "symlink"])
def test_add_registers_file_in_place(repo: Repository, unregistered: Path, mode: str) -> None:
    unregistered.write_bytes(DATA)

    record = repo.add_file(unregistered, mode=mode, md5=MD5)  # type: ignore[arg-type]

    assert record["verified"] == "Verified"
    assert record["storage"] == "copy"
    assert unregistered.read_bytes() == DATA
    assert repo.resolve_for_serving(NAME) == unregistered.resolve()


def test_register_in_place_mismatch(repo: Repository, unregistered: Path) -> None:
    with pytest.raises(HashMismatchError):
        repo.add_file(unregistered, md5=MD5)

    assert unregistered.read_bytes() == OLD
    assert repo.store.get_image(NAME) is None


def test_register_symlink_in_place(repo: Repository, tmp_path: Path) -> None:
    source = tmp_path / NAME
    source.write_bytes(DATA)
    repo.repo_dir.mkdir(parents=True)
    link = repo.repo_dir / NAME
    link.symlink_to(source)

    record = repo.add_file(link, md5=MD5)

    assert record["storage"] == "symlink"
    assert record["link_target"] == str(source.resolve())
    assert repo.resolve_for_serving(NAME) == source.resolve()


def test_remove_unregistered(repo: Repository, unregistered: Path) -> None:
    repo.remove(NAME)

    assert not unregistered.exists()
    assert repo.list_images() == []


def test_remove_dangling_symlink(repo: Repository, tmp_path: Path) -> None:
    repo.repo_dir.mkdir(parents=True)
    link = repo.repo_dir / NAME
    link.symlink_to(tmp_path / "gone.bin")

    assert repo.list_images()[0]["size"] is None
    repo.remove(NAME)

    assert not link.is_symlink()


def test_remove_unregistered_blocked_by_job(
    repo: Repository, store: Store, unregistered: Path
) -> None:
    store.add_job({"target_ip": "127.0.0.2", "image": NAME, "status": "Pending"})

    with pytest.raises(ImageError, match="pending or running jobs"):
        repo.remove(NAME)

    assert unregistered.exists()


def test_remove_missing_not_found(repo: Repository) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        repo.remove(NAME)


def test_remove_traversal_not_found(repo: Repository, tmp_path: Path) -> None:
    outside = tmp_path / "outside.bin"
    outside.write_bytes(DATA)
    repo.repo_dir.mkdir(parents=True)

    with pytest.raises(NotFoundError):
        repo.remove("../outside.bin")

    assert outside.exists()


def test_unregistered_not_served(repo: Repository, unregistered: Path) -> None:
    with pytest.raises(FileNotFoundError):
        repo.resolve_for_serving(NAME)


def test_verify_unregistered_says_add(repo: Repository, unregistered: Path) -> None:
    with pytest.raises(NotFoundError, match="not registered") as caught:
        repo.verify(NAME)

    assert "add it again" in str(caught.value)


def test_empty_stream_rejected(repo: Repository) -> None:
    with pytest.raises(ImageError, match="empty"):
        repo.add_stream(io.BytesIO(b""), NAME)

    assert repo.store.get_image(NAME) is None
    assert not (repo.repo_dir / NAME).exists()
    assert os.listdir(repo.repo_dir) == []


def test_empty_declared_size_rejected(repo: Repository) -> None:
    with pytest.raises(ImageError, match=r"0 bytes"):
        repo.add_stream(io.BytesIO(b""), NAME, size=0)

    assert repo.store.get_image(NAME) is None


@pytest.mark.parametrize("mode", ["copy", "hardlink", "symlink"])
def test_empty_file_rejected(repo: Repository, tmp_path: Path, mode: str) -> None:
    source = tmp_path / NAME
    source.touch()

    with pytest.raises(ImageError, match="empty"):
        repo.add_file(source, mode=mode)  # type: ignore[arg-type]

    assert repo.store.get_image(NAME) is None
    assert not (repo.repo_dir / NAME).exists()
