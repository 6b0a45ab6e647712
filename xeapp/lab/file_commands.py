"""`copy`, `verify /md5` and `delete`: the lab's file handling, with real HTTP downloads."""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from xeapp.lab.clierror import IncompleteCommand, InvalidInput
from xeapp.lab.runconfig import save_config
from xeapp.lab.state import Filesystem, LabFile

if TYPE_CHECKING:
    from xeapp.lab.vty import Vty

log = logging.getLogger(__name__)

# Seconds the device's HTTP client waits for the server before it reports `Timed out`.
HTTP_TIMEOUT = 10.0
_CHUNK = 64 * 1024
_BYTES_PER_MARK = 1024 * 1024


class _SourceAddressHandler(urllib.request.HTTPHandler):
    """HTTP handler whose connections leave from the device's own address.

    An image server that follows copy progress per client address then sees each device as a
    client of its own.
    NOTE: where only 127.0.0.1 can be bound, every device has that address, so a server sees
    all the lab's devices as one client.
    """

    def __init__(self, source_ip: str) -> None:
        super().__init__()
        self.source_ip = source_ip

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(http.client.HTTPConnection, req, source_address=(self.source_ip, 0))


def _opener(source_ip: str) -> urllib.request.OpenerDirector:
    # No proxy: the lab must never reach a server through a proxy or beyond this host.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _SourceAddressHandler(source_ip)
    )


class CopyFailed(Exception):
    """An HTTP copy that ends with an IOS-XE `%Error ...` line."""


def copy(vty: Vty, args: list[str]) -> str:
    """Run `copy SOURCE DESTINATION` for running-config and http:// sources."""
    if len(args) < 2:
        raise IncompleteCommand
    source, destination = args[0], args[1]
    if "running-config".startswith(source.lower()) and source.lower().startswith("run"):
        if not "startup-config".startswith(destination.lower()):
            raise InvalidInput(len("copy ") + len(source) + 1)
        return _copy_run_start(vty)
    if source.lower().startswith("http://"):
        _copy_http(vty, source, destination)
        return ""
    raise InvalidInput(len("copy "))


def _copy_run_start(vty: Vty) -> str:
    with vty.device.lock:
        quiet = vty.device.file_prompt_quiet
    if not quiet:
        vty.ask("Destination filename [startup-config]? ")
    with vty.device.lock:
        save_config(vty.device)
    return "Building configuration...\n[OK]\n"


def _destination(vty: Vty, url: str, destination: str) -> tuple[Filesystem, str] | None:
    prefix, _, name = destination.partition(":")
    with vty.device.lock:
        fs = vty.device.member_filesystem(prefix)
        quiet = vty.device.file_prompt_quiet
    if fs is None:
        raise InvalidInput(len("copy ") + len(url) + 1)
    name = name.lstrip("/") or url.rstrip("/").rsplit("/", 1)[-1]
    if not quiet:
        answer = vty.ask(f"Destination filename [{name}]? ").strip()
        name = answer or name
        with vty.device.lock:
            exists = name in fs.files
        if exists and not vty.confirm(
            "%Warning:There is a file already existing with this name\n"
            "Do you want to over write? [confirm]"
        ):
            return None
    return fs, name


def _copy_http(vty: Vty, url: str, destination: str) -> None:
    target = _destination(vty, url, destination)
    if target is None:
        return
    fs, name = target
    vty.write(f"Accessing {url}...\n")
    started = time.monotonic()
    try:
        size, md5 = _download(vty, url, fs)
    except CopyFailed as exc:
        vty.write(f"\n{exc}\n")
        return
    with vty.device.lock:
        faults = dict(vty.device.faults)
        if "copy_corrupt" in faults:
            md5 = md5[:-1] + ("0" if md5[-1] != "0" else "1")
        fs.files[name] = LabFile(name=name, size=size, md5=md5)
    elapsed = max(time.monotonic() - started, 0.001)
    vty.write(f"\n{size} bytes copied in {elapsed:.3f} secs ({int(size / elapsed)} bytes/sec)\n")


def _download(vty: Vty, url: str, fs: Filesystem) -> tuple[int, str]:
    """Stream `url` into an MD5 without keeping it, printing `!` marks; return (size, md5)."""
    with vty.device.lock:
        faults = dict(vty.device.faults)
        free = fs.free_bytes
    # NOTE: the error texts follow IOS-XE copy errors seen for tftp/ftp sources; no recorded
    # `copy http://` failure was available to compare against.
    if "copy_http_404" in faults:
        raise CopyFailed(f"%Error opening {url} (No such file or directory)")
    if "copy_http_refused" in faults:
        raise CopyFailed(f"%Error opening {url} (Socket error)")
    if "copy_http_stall" in faults:
        vty.pause(min(float(str(faults["copy_http_stall"]["seconds"])), 60.0))
        raise CopyFailed(f"%Error opening {url} (Timed out)")
    try:
        response = _opener(vty.address).open(url, timeout=HTTP_TIMEOUT)
    except urllib.error.HTTPError as exc:
        log.info("copy %s: HTTP %s", url, exc.code)
        raise CopyFailed(f"%Error opening {url} (No such file or directory)") from exc
    except TimeoutError as exc:
        raise CopyFailed(f"%Error opening {url} (Timed out)") from exc
    except (urllib.error.URLError, OSError) as exc:
        log.info("copy %s: %s", url, exc)
        raise CopyFailed(f"%Error opening {url} (Socket error)") from exc
    with response:
        vty.write(f"Loading {url} ")
        length = response.headers.get("Content-Length")
        if "copy_flash_full" in faults or (length and int(length) > free):
            raise CopyFailed(f"%Error writing {fs.name}/ (No space left on device)")
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        marks = 0
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (TimeoutError, OSError) as exc:
                raise CopyFailed(f"%Error reading {url} (Timed out)") from exc
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            if size > free:
                raise CopyFailed(f"%Error writing {fs.name}/ (No space left on device)")
            while marks < size // _BYTES_PER_MARK + 1:
                vty.write("!")
                marks += 1
    return size, digest.hexdigest()


def _split_target(vty: Vty, target: str, column: int) -> tuple[Filesystem, str]:
    prefix, sep, name = target.partition(":")
    with vty.device.lock:
        fs = vty.device.member_filesystem(prefix) if sep else None
    if fs is None:
        raise InvalidInput(column)
    return fs, name.lstrip("/")


def verify(vty: Vty, args: list[str]) -> str:
    """Run `verify /md5 FS:FILE [EXPECTED]` with the MD5 recorded when the file was copied."""
    if not args or args[0].lower() != "/md5":
        raise InvalidInput(len("verify "))
    if len(args) < 2:
        raise IncompleteCommand
    fs, name = _split_target(vty, args[1], len("verify /md5 "))
    prefix = args[1].partition(":")[0]
    with vty.device.lock:
        item = fs.files.get(name)
    if item is None:
        return f"%Error opening {prefix}:/{name} (No such file or directory)\n"
    dots = "." * max(1, min(item.size // (8 * 1024 * 1024), 400))
    if len(args) > 2:
        expected = args[2].lower()
        if expected == item.md5:
            return f"{dots}Done!\nVerified ({prefix}:{name}) = {item.md5}\n"
        return (
            f"{dots}Done!\n%Error verifying {prefix}:{name}\n"
            f"Computed signature = {item.md5}\nSubmitted signature = {expected}\n"
        )
    return f"{dots}Done!\nverify /md5 ({prefix}:{name}) = {item.md5}\n"


def delete(vty: Vty, args: list[str]) -> str:
    """Run `delete [/force] [/recursive] FS:FILE`, asking both questions unless forced or quiet."""
    switches = [a for a in args if a.startswith("/")]
    paths = [a for a in args if not a.startswith("/")]
    if not paths:
        raise IncompleteCommand
    fs, name = _split_target(vty, paths[0], len("delete ") + sum(len(s) + 1 for s in switches))
    prefix = paths[0].partition(":")[0]
    with vty.device.lock:
        quiet = vty.device.file_prompt_quiet
    if "/force" not in [s.lower() for s in switches] and not quiet:
        answer = vty.ask(f"Delete filename [{name}]? ").strip()
        name = answer or name
        if not vty.confirm(f"Delete {prefix}:/{name}? [confirm]"):
            return ""
    with vty.device.lock:
        removed = fs.files.pop(name, None)
    if removed is None:
        return f"%Error deleting {prefix}:/{name} (No such file or directory)\n"
    return ""
