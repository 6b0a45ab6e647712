"""`xeapp repo`: manage the image repository and serve it over HTTP."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

from xeapp.apiclient import DEFAULT_TIMEOUT_S
from xeapp.commands import add_json_option, find_app, open_context, print_json
from xeapp.hashing import ProgressCallback
from xeapp.imageserver import ImageServer
from xeapp.repository import Repository

log = logging.getLogger(__name__)

# NOTE: a low estimate of copying plus hashing on a laptop disk, so that a request through the
# app times out only when the app is stuck, not when the disk is slow.
HASHING_BYTES_PER_S = 20 * 2**20
_COLUMNS = ("filename", "version", "family", "size", "verified", "md5", "upload_date", "devices")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "repo",
        help="add, list, verify and remove images, or serve them to devices",
        description="Manage the image repository that devices copy images from.",
    )
    actions = parser.add_subparsers(dest="repo_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add an image file to the repository")
    add.add_argument("file", metavar="FILE", help="image file to add (copied unless linked)")
    add.add_argument("--md5", metavar="HEX", help="expected MD5 from Cisco's download page")
    add.add_argument("--sha512", metavar="HEX", help="expected SHA-512 from Cisco's download page")
    link = add.add_mutually_exclusive_group()
    link.add_argument(
        "--link",
        dest="mode",
        action="store_const",
        const="symlink",
        default="copy",
        help="create a symbolic link in repo/ to FILE instead of copying it",
    )
    link.add_argument(
        "--hardlink",
        dest="mode",
        action="store_const",
        const="hardlink",
        help="create a hard link in repo/ to FILE (same file system only)",
    )
    add.add_argument(
        "--version",
        metavar="V",
        help="IOS-XE version (such as 17.9.4a), needed when the file name does not contain it",
    )
    add_json_option(add)

    listing = actions.add_parser("list", help="list the images in the repository")
    add_json_option(listing)

    verify = actions.add_parser("verify", help="hash an image again and compare it")
    verify.add_argument("filename", metavar="NAME", help="file name of the image")
    add_json_option(verify)

    remove = actions.add_parser("remove", help="remove an image from the repository")
    remove.add_argument("filename", metavar="NAME", help="file name of the image")

    serve = actions.add_parser("serve", help="run the HTTP image server alone until Ctrl-C")
    serve.add_argument(
        "--port", type=int, metavar="P", help="TCP port to try first (default: from settings, 80)"
    )
    serve.add_argument(
        "--bind",
        metavar="ADDR",
        help="local IP address to listen on (default: from settings, 0.0.0.0 = all interfaces)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    handlers = {"add": _add, "list": _list, "verify": _verify, "remove": _remove, "serve": _serve}
    return handlers[args.repo_command](args)


def _add(args: argparse.Namespace) -> int:
    path = Path(args.file)
    client = find_app(args)
    if client is not None:
        # The app runs on this machine as the same user, so it reads the file where it is.
        body = {
            "path": str(path.resolve()),
            "mode": args.mode,
            "md5": args.md5,
            "sha512": args.sha512,
            "version": args.version,
        }
        record = client.post("/api/images", body, timeout=_hashing_timeout(_size(path)))
    else:
        with open_context(args, write=True) as context:
            repository = Repository(context.data_dir.repo_dir, context.store)
            record = repository.add_file(
                path,
                mode=args.mode,
                md5=args.md5,
                sha512=args.sha512,
                version=args.version,
                progress=_progress_printer(f"adding {path.name}"),
            )
    _print_records([record], args.json)
    return 0


def _list(args: argparse.Namespace) -> int:
    # Reads the store without the lock, so it works the same while the app runs.
    with open_context(args, write=False) as context:
        records = Repository(context.data_dir.repo_dir, context.store).list_images()
    _print_records(records, args.json)
    return 0


def _verify(args: argparse.Namespace) -> int:
    client = find_app(args)
    if client is not None:
        sizes = {image["filename"]: image.get("size") for image in client.get("/api/images")}
        timeout = _hashing_timeout(int(sizes.get(args.filename) or 0))
        path = f"/api/images/{quote(args.filename, safe='')}/verify"
        record = client.post(path, timeout=timeout)
    else:
        with open_context(args, write=True) as context:
            repository = Repository(context.data_dir.repo_dir, context.store)
            record = repository.verify(args.filename, _progress_printer(f"hashing {args.filename}"))
    _print_records([record], args.json)
    return 0


def _remove(args: argparse.Namespace) -> int:
    client = find_app(args)
    if client is not None:
        client.delete(f"/api/images/{quote(args.filename, safe='')}")
    else:
        with open_context(args, write=True) as context:
            Repository(context.data_dir.repo_dir, context.store).remove(args.filename)
    print(f"removed {args.filename}")
    return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the app reports the missing file


def _hashing_timeout(size: int) -> float:
    """Return the seconds the app may take to copy and hash a file of `size` bytes."""
    return DEFAULT_TIMEOUT_S + size / HASHING_BYTES_PER_S


def _serve(args: argparse.Namespace) -> int:
    # NOTE: the store is read once at start-up, so images added by another process while this
    # server runs get 404 until it is restarted.
    with open_context(args, write=False) as context:
        settings = context.settings
        repository = Repository(context.data_dir.repo_dir, context.store)
        server = ImageServer(
            context.data_dir.repo_dir,
            bind=args.bind or settings.image_server_bind,
            port=args.port if args.port is not None else settings.image_server_port,
            fallback_port=settings.image_server_fallback_port,
            public_address=settings.image_server_address,
            resolver=repository.resolve_for_serving,
        )
        stopped = threading.Event()

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            stopped.set()

        previous = signal.signal(signal.SIGTERM, on_sigterm)
        with server:
            print(f"serving {context.data_dir.repo_dir} on {server.bind} port {server.port}")
            if server.fallback_reason:
                print(f"port fallback: {server.fallback_reason}")
            print("press Ctrl-C to stop", flush=True)
            try:
                while not stopped.wait(1.0):
                    pass
            except KeyboardInterrupt:
                pass
        signal.signal(signal.SIGTERM, previous)
    return 0


def _progress_printer(label: str) -> ProgressCallback | None:
    """Build a callback drawing a percentage on stderr, or None when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    last = -1

    def show(done: int, total: int | None) -> None:
        nonlocal last
        if not total:
            return
        percent = done * 100 // total
        if percent != last:
            last = percent
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{label}: {percent}% of {total / 2**20:.0f} MiB{end}")
            sys.stderr.flush()

    return show


def _print_records(records: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(records)
        return
    if not records:
        print("the repository is empty")
        return
    rows = [[_cell(record, column) for column in _COLUMNS] for record in records]
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(_COLUMNS)]
    print(
        "  ".join(
            column.upper().ljust(width) for column, width in zip(_COLUMNS, widths, strict=True)
        )
    )
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _cell(record: dict[str, Any], column: str) -> str:
    value = record.get(column)
    if column == "devices":
        return ", ".join(value or []) or "-"
    return "-" if value is None else str(value)
