"""Adding images: hashes, names, versions, disk space and the three add modes."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from xeapp.errors import HashMismatchError, ImageError, InvalidInputError
from xeapp.repository import Repository

NAME = "cat9k_iosxe.17.09.04a.SPA.bin"
DATA = os.urandom(3 * 1024 * 1024 + 17)
MD5 = hashlib.md5(DATA).hexdigest()
SHA512 = hashlib.sha512(DATA).hexdigest()


def repo_files(repo: Repository) -> list[str]:
    return sorted(os.listdir(repo.repo_dir)) if repo.repo_dir.exists() else []


def test_add_stream_verified(repo: Repository) -> None:
    record = repo.add_stream(io.BytesIO(DATA), NAME, size=len(DATA), md5=MD5, sha512=SHA512)
    assert record["verified"] == "Verified"
    assert record["md5"] == MD5
    assert record["sha512"] == SHA512
    assert record["size"] == len(DATA)
    assert record["version"] == "17.09.04a"
    assert record["family"] == "cat9k_iosxe"
    assert (repo.repo_dir / NAME).read_bytes() == DATA
    assert repo_files(repo) == [NAME]


def test_expected_hash_normalised(repo: Repository) -> None:
    record = repo.add_stream(io.BytesIO(DATA), NAME, md5=f"  {MD5.upper()}\n")
    assert record["md5_expected"] == MD5
    assert record["verified"] == "Verified"


def test_no_expected_hash_unverified(repo: Repository) -> None:
    record = repo.add_stream(io.BytesIO(DATA), NAME)
    assert record["verified"] == "Unverified"
    assert record["md5"] == MD5


def test_md5_mismatch_keeps_file_out(repo: Repository) -> None:
    wrong = "0" * 32
    with pytest.raises(HashMismatchError) as caught:
        repo.add_stream(io.BytesIO(DATA), NAME, md5=wrong, sha512=SHA512)
    assert caught.value.algorithm == "MD5"
    assert caught.value.expected == wrong
    assert caught.value.computed == MD5
    assert repo_files(repo) == []
    assert repo.store.get_image(NAME) is None


def test_sha512_mismatch_named(repo: Repository) -> None:
    with pytest.raises(HashMismatchError) as caught:
        repo.add_stream(io.BytesIO(DATA), NAME, md5=MD5, sha512="a" * 128)
    assert caught.value.algorithm == "SHA-512"
    assert repo_files(repo) == []


@pytest.mark.parametrize(
    ("md5", "sha512"),
    [("xyz", None), ("0" * 31, None), ("g" * 32, None), (None, "0" * 127), (MD5 + "00", None)],
)
def test_invalid_hex_rejected(repo: Repository, md5: str | None, sha512: str | None) -> None:
    with pytest.raises(InvalidInputError) as caught:
        repo.add_stream(io.BytesIO(DATA), NAME, md5=md5, sha512=sha512)
    assert str(md5 or sha512) in str(caught.value)
    assert repo_files(repo) == []


@pytest.mark.parametrize(
    "name",
    ["../cat9k_iosxe.17.09.04a.SPA.bin", "/tmp/x.bin", "a b.bin", "x.bin;reload", "x.bin\0", "x"],
)
def test_bad_name_rejected(repo: Repository, name: str) -> None:
    with pytest.raises(InvalidInputError):
        repo.add_stream(io.BytesIO(DATA), name, version="17.9.4")
    assert repo_files(repo) == []


def test_unparsed_name_needs_version(repo: Repository) -> None:
    with pytest.raises(InvalidInputError, match="version"):
        repo.add_stream(io.BytesIO(DATA), "custom_build.bin")
    record = repo.add_stream(io.BytesIO(DATA), "custom_build.bin", version="17.9.4a")
    assert record["version"] == "17.09.04a"


def test_invalid_version_rejected(repo: Repository) -> None:
    with pytest.raises(InvalidInputError):
        repo.add_stream(io.BytesIO(DATA), "custom_build.bin", version="banana")


def test_duplicate_rejected(repo: Repository) -> None:
    repo.add_stream(io.BytesIO(DATA), NAME)
    with pytest.raises(ImageError, match="already in the repository"):
        repo.add_stream(io.BytesIO(b"other"), NAME)
    assert (repo.repo_dir / NAME).read_bytes() == DATA


def test_disk_space_checked_first(repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = shutil.disk_usage("/")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=len(DATA) + 1024))
    with pytest.raises(ImageError, match="not enough disk space"):
        repo.add_stream(io.BytesIO(DATA), NAME, size=len(DATA))
    assert repo_files(repo) == []


def test_short_stream_rejected(repo: Repository) -> None:
    with pytest.raises(ImageError, match="received"):
        repo.add_stream(io.BytesIO(DATA[:1000]), NAME, size=len(DATA))
    assert repo_files(repo) == []


def test_progress_reaches_size(repo: Repository) -> None:
    calls: list[tuple[int, int | None]] = []
    repo.add_stream(io.BytesIO(DATA), NAME, size=len(DATA), progress=lambda *a: calls.append(a))
    assert calls[-1] == (len(DATA), len(DATA))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "downloads" / NAME
    path.parent.mkdir()
    path.write_bytes(DATA)
    return path


def test_add_file_copy(repo: Repository, source: Path) -> None:
    record = repo.add_file(source, md5=MD5)
    target = repo.repo_dir / NAME
    assert record["storage"] == "copy"
    assert not target.is_symlink()
    assert target.stat().st_ino != source.stat().st_ino
    assert target.read_bytes() == DATA


def test_add_file_hardlink(repo: Repository, source: Path) -> None:
    record = repo.add_file(source, mode="hardlink", md5=MD5)
    assert record["storage"] == "hardlink"
    assert (repo.repo_dir / NAME).stat().st_ino == source.stat().st_ino


def test_add_file_symlink(repo: Repository, source: Path) -> None:
    record = repo.add_file(source, mode="symlink", md5=MD5)
    assert record["storage"] == "symlink"
    assert (repo.repo_dir / NAME).is_symlink()
    assert repo.resolve_for_serving(NAME) == source.resolve()


def test_retargeted_symlink_not_served(repo: Repository, source: Path, tmp_path: Path) -> None:
    repo.add_file(source, mode="symlink")
    other = tmp_path / "other.bin"
    other.write_bytes(b"secret")
    link = repo.repo_dir / NAME
    link.unlink()
    link.symlink_to(other)
    with pytest.raises(FileNotFoundError):
        repo.resolve_for_serving(NAME)


def test_link_mismatch_creates_nothing(repo: Repository, source: Path) -> None:
    for mode in ("hardlink", "symlink"):
        with pytest.raises(HashMismatchError):
            repo.add_file(source, mode=mode, md5="1" * 32)  # type: ignore[arg-type]
    assert repo_files(repo) == []


def test_add_file_missing_source(repo: Repository, tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="not a file"):
        repo.add_file(tmp_path / NAME)
