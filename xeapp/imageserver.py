"""HTTP server that hands repository images to devices running `copy http://... flash:`."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import selectors
import socket
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from xeapp.errors import ImageError, InvalidInputError
from xeapp.images import validate_image_filename
from xeapp.imageserver_http import (
    ALLOWED_METHODS,
    REASONS,
    HttpError,
    Request,
    http_date,
    parse_head,
    parse_range,
    read_head,
    target_filename,
)
from xeapp.imageserver_net import bind_with_fallback, local_address_for

log = logging.getLogger(__name__)

HAS_SENDFILE = hasattr(os, "sendfile")
SENDFILE_CHUNK = 16 * 1024 * 1024
COPY_CHUNK = 1024 * 1024
PROGRESS_INTERVAL = 0.5
MAX_CONNECTIONS = 256
MAX_RECORDS = 1000
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024
_WILDCARDS = ("0.0.0.0", "::", "[::]", "")


@dataclass
class Transfer:
    """Progress of one response body: bytes sent of one file to one client."""

    client: str
    filename: str
    offset: int
    length: int
    started: float
    sent: int = 0
    finished: float | None = None
    complete: bool = False

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Average rate in bytes per second."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[Transfer], None]
Resolver = Callable[[str], Path]


def repo_resolver(repo_dir: Path) -> Resolver:
    """Build a resolver that maps a file name to a regular file directly inside `repo_dir`.

    The returned function raises FileNotFoundError for a missing file, a non-regular file, or a
    symlink whose target lies outside `repo_dir`.
    """
    root = Path(repo_dir).resolve()

    def resolve(name: str) -> Path:
        real = (root / name).resolve(strict=True)
        if real.parent != root:
            raise FileNotFoundError(f"{name} points outside the repository")
        if not real.is_file():
            raise FileNotFoundError(f"{name} is not a regular file")
        return real

    return resolve


class ImageServer:
    """Read-only HTTP/1.1 server for image files, one thread per connection.

    Each connection thread sends file bodies with os.sendfile where the platform has it, so the
    kernel copies from the page cache to the socket and the GIL is released during the copy.
    """

    def __init__(
        self,
        repo_dir: Path,
        *,
        bind: str = "0.0.0.0",
        port: int = 80,
        fallback_port: int | None = 8080,
        public_address: str | None = None,
        resolver: Resolver | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.repo_dir = Path(repo_dir)
        self.bind = bind
        self.preferred_port = port
        self.fallback_port = fallback_port
        self.public_address = public_address
        self.timeout = timeout
        self._resolve = resolver or repo_resolver(self.repo_dir)
        self._callbacks: list[ProgressCallback] = [on_progress] if on_progress else []

        self.port: int | None = None
        self.fallback_reason: str | None = None
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._transfers: dict[tuple[str, str], Transfer] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # Lifecycle

    def start(self) -> ImageServer:
        """Bind and start serving; returns self. Raises ImageError when no port can be bound."""
        if self._listener is not None:
            return self
        bound = bind_with_fallback(self.bind, self.preferred_port, self.fallback_port)
        self._listener, self.port, self.fallback_reason = (
            bound.sock,
            bound.port,
            bound.fallback_reason,
        )
        self._listener.setblocking(False)
        self._wake_r, self._wake_w = socket.socketpair()
        self._stopping.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"imageserver-{self.port}", daemon=True
        )
        self._accept_thread.start()
        log.info(
            "image server listening on %s port %d%s, serving %s",
            self.bind,
            self.port,
            f" (fallback: {self.fallback_reason})" if self.fallback_reason else "",
            self.repo_dir,
        )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every open connection and wait for their threads to end."""
        if self._listener is None:
            return
        self._stopping.set()
        assert self._wake_w is not None
        self._wake_w.send(b"x")
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        with self._lock:
            connections = list(self._connections.items())
        for conn, _ in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in connections:
            thread.join(max(deadline - time.monotonic(), 0))
        for sock in (self._listener, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._listener = self._wake_r = self._wake_w = None
        log.info("image server on port %s stopped", self.port)

    def __enter__(self) -> ImageServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._listener is not None

    # Addresses and progress

    def address_for(self, device_ip: str) -> str:
        """Return the address a device should use: the override, the bound address, or the route."""
        try:
            ipaddress.ip_address(device_ip.strip())
        except ValueError:
            raise InvalidInputError(f"invalid device IP address: {device_ip!r}") from None
        if self.public_address:
            return self.public_address
        if self.bind not in _WILDCARDS:
            return self.bind.strip("[]")
        return local_address_for(device_ip)

    def copy_url(self, device_ip: str, filename: str) -> str:
        """Return the URL for `copy URL flash:` on the device at `device_ip`.

        Raises InvalidInputError for an invalid file name and ImageError when not running.
        """
        name = validate_image_filename(filename)
        if self.port is None or not self.running:
            raise ImageError("the image server is not running; start it before copying images")
        host = self.address_for(device_ip)
        if ":" in host:
            host = f"[{host}]"
        port = "" if self.port == 80 else f":{self.port}"
        return f"http://{host}{port}/{quote(name)}"

    def add_progress_callback(self, callback: ProgressCallback) -> None:
        """Call `callback` with a copy of a transfer at its start, every 0.5 s and at its end.

        Callbacks run on the connection thread, so they must be quick and must not touch UI
        widgets directly.
        """
        self._callbacks.append(callback)

    def transfers(self, active_only: bool = False) -> list[Transfer]:
        """Return copies of the latest transfer per (client, file)."""
        with self._lock:
            records = [replace(t) for t in self._transfers.values()]
        return [t for t in records if t.finished is None] if active_only else records

    def progress(self, client: str, filename: str) -> Transfer | None:
        """Return a copy of the latest transfer of `filename` to `client`, or None."""
        with self._lock:
            record = self._transfers.get((client, filename))
            return replace(record) if record else None

    # Connections

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._wake_r is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._listener:
                        self._accept()

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            conn, address = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            log.warning("image server: accept failed: %s", error)
            return
        conn.settimeout(self.timeout)
        with self._lock:
            if len(self._connections) >= MAX_CONNECTIONS:
                log.warning(
                    "image server: rejecting %s, %d connections open", address[0], MAX_CONNECTIONS
                )
                self._reject_busy(conn)
                return
            thread = threading.Thread(
                target=self._serve_connection, args=(conn, address[0]), daemon=True
            )
            self._connections[conn] = thread
        thread.start()

    @staticmethod
    def _reject_busy(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(_error_response(HttpError(503, "too many connections"), head_only=False))
        conn.close()

    def _serve_connection(self, conn: socket.socket, client: str) -> None:
        buffer = bytearray()
        try:
            while not self._stopping.is_set():
                request: Request | None = None
                try:
                    head = read_head(conn, buffer)
                    if head is None:
                        break
                    request = parse_head(head)
                    keep_alive = self._respond(conn, client, request)
                except HttpError as error:
                    head_only = request is not None and request.method == "HEAD"
                    conn.sendall(_error_response(error, head_only))
                    _drain_and_close(conn)
                    break
                if not keep_alive:
                    break
        except ImageError as error:
            log.warning("image server: transfer to %s aborted: %s", client, error)
        except TimeoutError:
            log.debug("image server: connection from %s timed out", client)
        except OSError as error:
            log.debug("image server: connection from %s closed: %s", client, error)
        finally:
            with self._lock:
                self._connections.pop(conn, None)
            conn.close()

    def _open(self, target: str) -> tuple[str, int, os.stat_result]:
        name = target_filename(target)
        try:
            validate_image_filename(name)
            path = self._resolve(name)
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except (InvalidInputError, OSError, LookupError) as error:
            log.debug("image server: %r not served: %s", name, error)
            raise HttpError(404, "no such image") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise HttpError(404, "no such image")
        return name, fd, info

    def _respond(self, conn: socket.socket, client: str, request: Request) -> bool:
        """Send one response; returns whether the connection stays open."""
        if request.method not in ALLOWED_METHODS:
            raise HttpError(405, f"method {request.method} not allowed")
        name, fd, info = self._open(request.target)
        try:
            size = info.st_size
            etag = f'"{info.st_size:x}-{info.st_mtime_ns:x}"'
            last_modified = http_date(info.st_mtime)
            byte_range = None
            range_header = request.header("range")
            if_range = request.header("if-range")
            if request.method == "GET" and range_header and if_range in (None, etag, last_modified):
                byte_range = parse_range(range_header, size)

            keep_alive = request.keep_alive and not request.has_body
            headers = {
                "Content-Type": "application/octet-stream",
                "Accept-Ranges": "bytes",
                "ETag": etag,
                "Last-Modified": last_modified,
            }
            if byte_range is None:
                status, offset, length = 200, 0, size
            else:
                status, offset, length = 206, byte_range[0], byte_range[1] - byte_range[0] + 1
                headers["Content-Range"] = f"bytes {byte_range[0]}-{byte_range[1]}/{size}"
            headers["Content-Length"] = str(length)
            conn.sendall(_head(status, headers, keep_alive))
            if request.method == "GET" and length:
                self._send_body(conn, fd, client, name, offset, length)
            return keep_alive
        finally:
            os.close(fd)

    # Bodies and progress

    def _send_body(
        self, conn: socket.socket, fd: int, client: str, name: str, offset: int, length: int
    ) -> None:
        transfer = Transfer(client, name, offset, length, time.monotonic())
        with self._lock:
            self._transfers.pop((client, name), None)
            self._transfers[(client, name)] = transfer
            while len(self._transfers) > MAX_RECORDS:
                del self._transfers[next(iter(self._transfers))]
        self._notify(transfer)
        try:
            if HAS_SENDFILE:
                self._sendfile_loop(conn, fd, transfer)
            else:
                self._copy_loop(conn, fd, transfer)
            transfer.complete = True
        finally:
            transfer.finished = time.monotonic()
            self._notify(transfer)
            log.info(
                "image server: sent %s to %s: %d of %d bytes in %.1f s (%.1f MB/s)%s",
                name,
                client,
                transfer.sent,
                length,
                transfer.seconds,
                transfer.rate / 1e6,
                "" if transfer.complete else ", incomplete",
            )

    def _sendfile_loop(self, conn: socket.socket, fd: int, transfer: Transfer) -> None:
        last_report = time.monotonic()
        position = transfer.offset
        end = transfer.offset + transfer.length
        with selectors.DefaultSelector() as selector:
            selector.register(conn, selectors.EVENT_WRITE)
            while position < end:
                try:
                    sent = os.sendfile(
                        conn.fileno(), fd, position, min(end - position, SENDFILE_CHUNK)
                    )
                except BlockingIOError:
                    # The socket has a timeout, so its descriptor is non-blocking: wait for room.
                    if not selector.select(self.timeout):
                        raise TimeoutError("client stopped reading") from None
                    continue
                if sent == 0:
                    raise ImageError(f"{transfer.filename} became shorter while being sent")
                position += sent
                transfer.sent += sent
                now = time.monotonic()
                if now - last_report >= PROGRESS_INTERVAL:
                    last_report = now
                    self._notify(transfer)

    def _copy_loop(self, conn: socket.socket, fd: int, transfer: Transfer) -> None:
        last_report = time.monotonic()
        os.lseek(fd, transfer.offset, os.SEEK_SET)
        remaining = transfer.length
        while remaining:
            chunk = os.read(fd, min(remaining, COPY_CHUNK))
            if not chunk:
                raise ImageError(f"{transfer.filename} became shorter while being sent")
            conn.sendall(chunk)
            remaining -= len(chunk)
            transfer.sent += len(chunk)
            now = time.monotonic()
            if now - last_report >= PROGRESS_INTERVAL:
                last_report = now
                self._notify(transfer)

    def _notify(self, transfer: Transfer) -> None:
        for callback in self._callbacks:
            try:
                callback(replace(transfer))
            except Exception:
                log.exception("image server: progress callback failed")


def _drain_and_close(conn: socket.socket) -> None:
    """Half-close and read what the client still sends before the caller closes the socket.

    Closing with unread input makes the kernel send a reset, which can destroy the error
    response before the client reads it.
    """
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(LINGER_SECONDS)
    deadline = time.monotonic() + LINGER_SECONDS
    drained = 0
    with contextlib.suppress(OSError):
        while time.monotonic() < deadline and drained < LINGER_BYTES:
            chunk = conn.recv(65536)
            if not chunk:
                break
            drained += len(chunk)


def _head(status: int, headers: dict[str, str], keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", f"Date: {http_date(time.time())}"]
    lines.append("Server: xeapp")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _error_response(error: HttpError, head_only: bool) -> bytes:
    body = f"{error.status} {REASONS[error.status]}: {error.message}\n".encode()
    headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
    if error.status == 405:
        headers["Allow"] = ", ".join(ALLOWED_METHODS)
    if error.status == 416 and error.size is not None:
        headers["Content-Range"] = f"bytes */{error.size}"
    return _head(error.status, headers, keep_alive=False) + (b"" if head_only else body)
