"""HTTP/1.1 request parsing, target checks and byte ranges for the image server."""

from __future__ import annotations

import email.utils
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlsplit

MAX_HEAD_BYTES = 16 * 1024
ALLOWED_METHODS = ("GET", "HEAD")

_REQUEST_LINE = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP/(\d)\.(\d)$")
_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_RANGE_SPEC = re.compile(r"^(\d*)-(\d*)$")

REASONS = {
    200: "OK",
    206: "Partial Content",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    416: "Range Not Satisfiable",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}


class HttpError(Exception):
    """A request the server rejects with an error status instead of sending a file."""

    def __init__(self, status: int, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.size = size


@dataclass
class Request:
    """One parsed request head."""

    method: str
    target: str
    version: tuple[int, int]
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def keep_alive(self) -> bool:
        connection = (self.header("connection") or "").lower()
        if self.version >= (1, 1):
            return "close" not in connection
        return "keep-alive" in connection

    @property
    def has_body(self) -> bool:
        length = self.header("content-length")
        return self.header("transfer-encoding") is not None or (
            length is not None and length.strip() != "0"
        )


def read_head(sock: socket.socket, buffer: bytearray) -> bytes | None:
    """Read up to the blank line ending a request head.

    Returns the head without the blank line, or None when the client closed the connection before
    sending anything. Bytes after the head stay in `buffer` for the next request.
    Raises HttpError 431 when the head exceeds MAX_HEAD_BYTES, or 400 when the connection closes
    in the middle of a head.
    """
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end > MAX_HEAD_BYTES:
            raise HttpError(431, "request head too large")
        if end >= 0:
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            return head
        if len(buffer) > MAX_HEAD_BYTES:
            raise HttpError(431, "request head too large")
        chunk = sock.recv(8192)
        if not chunk:
            if buffer.strip():
                raise HttpError(400, "connection closed in the middle of the request head")
            return None
        buffer += chunk


def parse_head(head: bytes) -> Request:
    """Parse a request line and header fields (RFC 9112 section 3 and 5)."""
    lines = head.lstrip(b"\r\n").split(b"\r\n")
    match = _REQUEST_LINE.match(lines[0])
    if match is None:
        raise HttpError(400, "invalid request line")
    method, target, major, minor = match.groups()
    version = (int(major), int(minor))
    if version[0] != 1:
        raise HttpError(505, "only HTTP/1.0 and HTTP/1.1 are supported")

    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or b"\0" in line:
            raise HttpError(400, "invalid header field")
        key = name.decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return Request(method.decode("ascii"), target.decode("latin-1"), version, headers)


def target_filename(target: str) -> str:
    """Return the single file name a request target names.

    The repository is flat, so the only valid path is "/" followed by one name. Raises HttpError
    400 for dot segments, encoded or raw slashes and backslashes, NUL, invalid percent-encoding
    and nested paths, and 404 for "/" because the server lists no directories.
    """
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path or "/"
    path = target.split("?", 1)[0]
    raw = path.encode("latin-1")
    if not raw.startswith(b"/") or raw.startswith(b"//"):
        raise HttpError(400, "request target must be an absolute path")
    if _PERCENT.search(raw):
        raise HttpError(400, "invalid percent-encoding in the request target")
    if b"\\" in raw or b"\0" in raw:
        raise HttpError(400, "backslash or NUL in the request target")

    decoded = unquote_to_bytes(raw[1:])
    if b"/" in decoded or b"\\" in decoded or b"\0" in decoded:
        raise HttpError(400, "the request target names a path, not a file")
    if decoded in (b".", b".."):
        raise HttpError(400, "dot segment in the request target")
    if not decoded:
        raise HttpError(404, "no directory listing")
    try:
        return decoded.decode("ascii")
    except UnicodeDecodeError:
        raise HttpError(404, "no such image") from None


def http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def parse_range(value: str, size: int) -> tuple[int, int] | None:
    """Return the one byte range (first, last) inclusive that a Range header selects.

    Follows RFC 9110 section 14: a header in another unit, with invalid syntax, or with more
    than one range returns None, so the caller sends the whole representation with 200. The
    standard lets a server ignore any Range header field (section 14.2), and sending 200 keeps
    one response format for clients that ask for several ranges. Raises HttpError 416 when no
    range in the set is satisfiable: every first position is at or past the end, or the suffix
    length is zero.
    """
    unit, equals, specs = value.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    ranges: list[tuple[int, int]] = []
    spec_count = 0
    for spec in specs.split(","):
        spec = spec.strip()
        if not spec:
            continue
        spec_count += 1
        match = _RANGE_SPEC.match(spec)
        if match is None or match.group(0) == "-":
            return None
        first_text, last_text = match.groups()
        if first_text:
            first = int(first_text)
            last = int(last_text) if last_text else size - 1
            if last_text and last < first:
                return None
            if first < size:
                ranges.append((first, min(last, size - 1)))
        else:
            suffix = int(last_text)
            if suffix > 0 and size > 0:
                ranges.append((max(size - suffix, 0), size - 1))
    if spec_count == 0:
        return None
    if not ranges:
        raise HttpError(416, f"no range in {value!r} is satisfiable", size)
    if spec_count > 1:
        return None
    return ranges[0]
