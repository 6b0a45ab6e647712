"""NETCONF-over-SSH message framing (RFC 6242): end-of-message and chunked."""

from __future__ import annotations

import re

END_OF_MESSAGE = b"]]>]]>"
END_OF_CHUNKS = b"\n##\n"
# RFC 6242 section 4.2: chunk-size is 1 to 4294967295, written without leading zeros.
MAX_CHUNK_SIZE = 4294967295
_CHUNK_HEADER = re.compile(rb"\n#([1-9][0-9]{0,9})\n")
_PARTIAL_HEADER = re.compile(rb"\n#[1-9][0-9]{0,9}")
# Chunks this server sends; any size is valid, smaller chunks exercise the client's reassembly.
SEND_CHUNK_SIZE = 16384


class FramingError(Exception):
    """The peer broke the framing; RFC 6242 requires the session to be terminated."""


class MessageReader:
    """Split a byte stream into NETCONF messages, whatever the size of each read.

    Starts in end-of-message framing; `use_chunked()` switches to chunked framing once both
    hellos advertised base:1.1. Bytes already buffered after the hello are parsed with the
    new framing.
    """

    def __init__(self, max_message_bytes: int) -> None:
        self.chunked = False
        self._buffer = bytearray()
        self._chunks: list[bytes] = []
        self._chunk_bytes = 0
        self._max_message_bytes = max_message_bytes

    def use_chunked(self) -> None:
        self.chunked = True

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes and return every message they complete, in order.

        Raises:
            FramingError: a chunk header is invalid or a message exceeds the size limit.
        """
        self._buffer += data
        messages: list[bytes] = []
        while True:
            message = self._next_chunked() if self.chunked else self._next_end_of_message()
            if message is None:
                break
            messages.append(message)
        if len(self._buffer) + self._chunk_bytes > self._max_message_bytes:
            raise FramingError(f"message larger than {self._max_message_bytes} bytes")
        return messages

    def _next_end_of_message(self) -> bytes | None:
        end = self._buffer.find(END_OF_MESSAGE)
        if end < 0:
            return None
        message = bytes(self._buffer[:end])
        del self._buffer[: end + len(END_OF_MESSAGE)]
        return message

    def _next_chunked(self) -> bytes | None:
        while True:
            if len(self._buffer) < 4:
                return None
            if self._buffer.startswith(b"\n##"):
                if self._buffer[3:4] != b"\n" or not self._chunks:
                    raise FramingError(f"invalid end-of-chunks {bytes(self._buffer[:4])!r}")
                del self._buffer[: len(END_OF_CHUNKS)]
                message = b"".join(self._chunks)
                self._chunks.clear()
                self._chunk_bytes = 0
                return message
            match = _CHUNK_HEADER.match(self._buffer)
            if match is None:
                if _PARTIAL_HEADER.fullmatch(self._buffer):
                    return None
                raise FramingError(f"invalid chunk header {bytes(self._buffer[:13])!r}")
            size = int(match.group(1))
            if size > MAX_CHUNK_SIZE:
                raise FramingError(f"chunk size {size} exceeds {MAX_CHUNK_SIZE}")
            start = match.end()
            if len(self._buffer) < start + size:
                return None
            self._chunks.append(bytes(self._buffer[start : start + size]))
            self._chunk_bytes += size
            del self._buffer[: start + size]


def frame_message(message: bytes, chunked: bool) -> bytes:
    """Return `message` framed for sending."""
    if not chunked:
        return message + END_OF_MESSAGE
    parts = []
    for start in range(0, len(message), SEND_CHUNK_SIZE):
        chunk = message[start : start + SEND_CHUNK_SIZE]
        parts.append(b"\n#%d\n" % len(chunk) + chunk)
    parts.append(END_OF_CHUNKS)
    return b"".join(parts)
