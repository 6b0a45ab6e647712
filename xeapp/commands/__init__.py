"""Subcommands of the xeapp CLI and the application context they open.

Each module `xeapp/commands/<name>.py` exposes `register(subparsers)`, which adds its parser
and sets `func=run`, and `run(args) -> int`, which returns the process exit status. A command
that writes first looks for an app running on the same data directory (`find_app`) and, when
one runs, sends its request through that app's local API instead of taking the lock.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from xeapp.apiclient import DEFAULT_TIMEOUT_S, AppClient
from xeapp.credentials import CredentialStore, usable_keyring
from xeapp.datadir import DataDir, DataDirLock, resolve_data_dir
from xeapp.errors import XeappError
from xeapp.events import EventBus
from xeapp.logs import JobLogs
from xeapp.settings import Settings, load_settings, save_settings, set_setting
from xeapp.store import Store

COMMAND_NAMES = (
    "run",
    "demo",
    "lab",
    "discover",
    "netconf",
    "repo",
    "precheck",
    "upgrade",
    "jobs",
    "credentials",
)


def find_app(args: argparse.Namespace) -> AppClient | None:
    """Return a client of the app running on the command's data directory, or None.

    When an app runs, prints on stderr that the command goes through it. Raises AppApiError
    when the app rejects the API token.
    """
    root = resolve_data_dir(getattr(args, "data_dir", None))
    client = AppClient.find(root)
    if client is not None:
        print(
            f"xeapp: the app (process {client.pid}) runs on {root}; sending the request "
            f"through its local API at {client.base_url}",
            file=sys.stderr,
        )
    return client


def app_settings(args: argparse.Namespace) -> Settings:
    """Return the settings of the command's data directory, read without the lock."""
    data_dir = DataDir(resolve_data_dir(getattr(args, "data_dir", None)))
    return load_settings(data_dir.settings_file, repair=False)


def device_work_timeout(settings: Settings, devices: int, per_device_s: float) -> float:
    """Return the seconds to wait for the app to work on `devices` devices.

    The app works on discovery_workers devices at once, so the devices take that many rounds
    of `per_device_s` each.
    """
    rounds = math.ceil(max(1, devices) / max(1, settings.discovery_workers))
    return rounds * per_device_s + DEFAULT_TIMEOUT_S


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the records as one JSON document on stdout (logs stay on stderr)",
    )


def print_json(document: Any) -> None:
    """Print one JSON document on stdout."""
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    sys.stdout.flush()


@dataclass
class AppContext:
    """The data directory and the services built on it, for one command or one app run."""

    data_dir: DataDir
    settings: Settings
    store: Store
    credentials: CredentialStore
    events: EventBus
    job_logs: JobLogs
    lock: DataDirLock | None

    @property
    def writable(self) -> bool:
        return self.lock is not None

    def update_settings(self, changes: Mapping[str, Any]) -> Settings:
        """Validate and apply setting changes, save them, and return the new settings.

        Raises InvalidInputError naming the first invalid key, and XeappError for a context
        opened without the lock; in both cases nothing is saved.
        """
        if not self.writable:
            raise XeappError("settings can be changed only by the process holding the lock")
        settings = self.settings
        for key, value in changes.items():
            settings = set_setting(settings, key, value)
        save_settings(settings, self.data_dir.settings_file)
        self.settings = settings
        return settings

    def close(self) -> None:
        """Write pending store changes and release the data directory lock."""
        try:
            self.store.close()
        finally:
            if self.lock is not None:
                self.lock.release()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_context(args: argparse.Namespace, write: bool) -> AppContext:
    """Open the data directory named by `args.data_dir` (or XEAPP_DATA_DIR, or the default).

    With `write`, takes the data directory lock first and opens the store for writing.
    Without it, the store is read-only and a damaged settings file is left in place. Close
    the context (or use it in `with`) to flush the store and release the lock.

    Raises DataDirLockedError when another live process holds the lock, StoreError when the
    store cannot be opened.
    """
    data_dir = DataDir.create(resolve_data_dir(getattr(args, "data_dir", None)))
    lock = DataDirLock(data_dir.lock_file) if write else None
    if lock is not None:
        lock.acquire()
    try:
        settings = load_settings(data_dir.settings_file, repair=write)
        events = EventBus()
        store = Store(data_dir.db_dir, read_only=not write, events=events)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return AppContext(
        data_dir=data_dir,
        settings=settings,
        store=store,
        credentials=CredentialStore(data_dir.root, usable_keyring()),
        events=events,
        job_logs=JobLogs(data_dir.job_logs_dir, events),
        lock=lock,
    )
