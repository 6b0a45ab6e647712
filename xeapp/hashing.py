"""MD5 and SHA-512 of image files computed in one pass, and checks of expected hash values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xeapp.errors import HashMismatchError, InvalidInputError

CHUNK_SIZE = 1024 * 1024
HEX_LENGTHS = {"MD5": 32, "SHA-512": 128}
_HEX = re.compile(r"^[0-9a-f]+$")

# Called with (bytes done, total bytes or None when the total is unknown).
ProgressCallback = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Digests:
    """Hex digests of one file."""

    md5: str
    sha512: str


class MultiHasher:
    """MD5 and SHA-512 fed from the same chunks, so a file is read or written once."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha512 = hashlib.sha512()
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self._md5.update(data)
        self._sha512.update(data)
        self.size += len(data)

    def digests(self) -> Digests:
        return Digests(self._md5.hexdigest(), self._sha512.hexdigest())


def normalize_expected(value: str | None, algorithm: str) -> str | None:
    """Return an expected hash in lower case without surrounding whitespace, or None if empty.

    Raises InvalidInputError naming the value when it is not hex of the algorithm's length.
    """
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    length = HEX_LENGTHS[algorithm]
    if not _HEX.match(text) or len(text) != length:
        raise InvalidInputError(
            f"invalid {algorithm} value {value.strip()!r}: expected {length} hexadecimal digits"
        )
    return text


def check_digests(filename: str, computed: Digests, md5: str | None, sha512: str | None) -> None:
    """Raise HashMismatchError for the first expected value that differs from `computed`."""
    if md5 is not None and md5 != computed.md5:
        raise HashMismatchError(filename, "MD5", md5, computed.md5)
    if sha512 is not None and sha512 != computed.sha512:
        raise HashMismatchError(filename, "SHA-512", sha512, computed.sha512)


def hash_file(path: Path, progress: ProgressCallback | None = None) -> Digests:
    """Read `path` once in CHUNK_SIZE pieces and return its digests; raises OSError."""
    hasher = MultiHasher()
    total = path.stat().st_size
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with open(path, "rb") as stream:
        while count := stream.readinto(buffer):
            hasher.update(view[:count])
            if progress is not None:
                progress(hasher.size, total)
    return hasher.digests()
