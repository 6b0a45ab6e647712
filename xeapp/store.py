"""The TinyDB store of devices, images, jobs and pre-check results, sharded and crash-safe.

Each table is split into shard files (`inventory-07.json`, ...) chosen by a CRC32 of the
record's key, so one change rewrites one small file, never the whole table. Every file write
is atomic (temporary file, fsync, os.replace). Jobs and Repository are written before the
call returns. Inventory and PreChecks are written behind: changes within `flush_delay_s`
coalesce into one write per shard, and `flush()` or `close()` writes them at once.
"""

from __future__ import annotations

import atexit
import copy
import ipaddress
import json
import logging
import shutil
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Table

from xeapp.datadir import atomic_write, move_aside, remove_stale_temp_files
from xeapp.errors import InvalidInputError, NotFoundError, StoreError
from xeapp.events import (
    INVENTORY_CHANGED,
    JOBS_CHANGED,
    PRECHECKS_CHANGED,
    REPOSITORY_CHANGED,
    EventBus,
)

log = logging.getLogger(__name__)

Record = dict[str, Any]
# A migration rewrites the records of every table, in place, from one schema version to the next.
Migration = Callable[[dict[str, list[Record]]], None]

SCHEMA_VERSION = 1
# MIGRATIONS[n] turns schema version n into n + 1.
MIGRATIONS: dict[int, Migration] = {}
META_FILE = "meta.json"

DEVICE_ROLES = ("Switch", "Router")
DEVICE_STATUSES = ("Online", "Offline")
NETCONF_STATES = ("Enabled", "Disabled")
JOB_STATUSES = ("Pending", "Running", "Success", "Failed", "Cancelled", "Missed")
FINISHED_JOB_STATUSES = ("Success", "Failed", "Cancelled", "Missed")
PRECHECK_RESULTS = ("Pass", "Warn", "Fail")


@dataclass(frozen=True)
class TableSpec:
    """Key field, shard count and write policy of one table."""

    name: str
    label: str
    key: str
    shards: int
    write_behind: bool
    allowed: Mapping[str, tuple[str, ...]]
    topic: str

    def file_name(self, index: int) -> str:
        return f"{self.name.lower()}-{index:02d}.json"

    def shard_of(self, key_value: str) -> int:
        return zlib.crc32(key_value.encode("utf-8")) % self.shards


# At 5,000 devices an Inventory shard contains about 80 devices, some tens of kilobytes.
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "Inventory",
            "device",
            "ip_address",
            64,
            True,
            {
                "device_role": DEVICE_ROLES,
                "status": DEVICE_STATUSES,
                "netconf_state": NETCONF_STATES,
            },
            INVENTORY_CHANGED,
        ),
        TableSpec("Repository", "image", "filename", 1, False, {}, REPOSITORY_CHANGED),
        TableSpec("Jobs", "job", "job_id", 16, False, {"status": JOB_STATUSES}, JOBS_CHANGED),
        TableSpec(
            "PreChecks",
            "pre-check result",
            "ip_address",
            64,
            True,
            {"result": PRECHECK_RESULTS},
            PRECHECKS_CHANGED,
        ),
    )
}


class _ShardStorage(Storage):
    """TinyDB storage kept in memory; the store writes it to its file."""

    def __init__(self, store: Store, spec: TableSpec, path: Path, data: dict[str, Any]) -> None:
        self.store = store
        self.spec = spec
        self.path = path
        self.data = data

    def read(self) -> dict[str, Any] | None:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.store._mark_dirty(self)


class Store:
    """Thread-safe access to the four tables; every read and write takes one lock.

    Records are plain dicts; callers get copies, so changing one never changes the store.
    With `events`, each change publishes `<table>.changed` after the lock is released.
    Raises StoreError when a file cannot be written, and for writes to a read-only store.
    """

    def __init__(
        self,
        db_dir: Path,
        *,
        flush_delay_s: float = 0.25,
        read_only: bool = False,
        events: EventBus | None = None,
    ) -> None:
        self.db_dir = db_dir
        self.flush_delay_s = flush_delay_s
        self.read_only = read_only
        self.events = events
        self.bytes_written = 0
        self.files_written = 0
        self._lock = threading.RLock()
        self._io_lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._dirty: dict[Path, _ShardStorage] = {}
        self._deadline: float | None = None
        self._closing = False
        self._tables: dict[str, list[Table]] = {}

        if not read_only:
            db_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            remove_stale_temp_files(db_dir)
        with self._lock:
            self._open()
        self._flusher: threading.Thread | None = None
        if not read_only:
            self._flusher = threading.Thread(
                target=self._run_flusher, name="store-flush", daemon=True
            )
            self._flusher.start()
            # Pending changes of a store nobody closed are written when the interpreter exits.
            atexit.register(self._close_at_exit)

    # Inventory

    def upsert_device(self, device: Mapping[str, Any]) -> Record:
        """Add a device or merge `device`'s fields into the stored one with its `ip_address`.

        Returns the stored record. Raises InvalidInputError for a missing or invalid address
        or a field value outside its allowed set.
        """
        record = self._prepare("Inventory", {**device, "ip_address": _ip(device.get("ip_address"))})
        return self._upsert("Inventory", record)

    def get_device(self, ip_address: str) -> Record | None:
        return self._get("Inventory", _ip(ip_address))

    def list_devices(self) -> list[Record]:
        """Return every device, ordered by address."""
        return sorted(self._all("Inventory"), key=_ip_sort_key)

    def remove_device(self, ip_address: str) -> bool:
        """Remove a device and its pre-check results; True if it was stored."""
        address = _ip(ip_address)
        removed = self._remove("Inventory", address)
        self._remove("PreChecks", address)
        return removed

    def clear_inventory(self) -> None:
        """Remove every device and every pre-check result."""
        for name in ("Inventory", "PreChecks"):
            with self._lock:
                self._check_writable()
                for table in self._tables[name]:
                    table.truncate()
            self._publish(name, {"action": "clear"})

    # Repository

    def add_image(self, image: Mapping[str, Any]) -> Record:
        """Add an image, or replace the one with the same `filename`; returns the stored record.

        `upload_date` defaults to now (UTC, ISO 8601).
        """
        if not image.get("filename"):
            raise InvalidInputError("an image record needs a filename")
        record = self._prepare("Repository", {"upload_date": _now(), **image})
        return self._upsert("Repository", record, replace=True)

    def get_image(self, filename: str) -> Record | None:
        return self._get("Repository", filename)

    def list_images(self) -> list[Record]:
        """Return every image, ordered by file name."""
        return sorted(self._all("Repository"), key=lambda image: image["filename"])

    def remove_image(self, filename: str) -> bool:
        return self._remove("Repository", filename)

    # Jobs

    def add_job(self, job: Mapping[str, Any]) -> Record:
        """Store a new job and return it.

        `job_id` defaults to a new random id, `status` to Pending and `created_at` to now.
        Raises InvalidInputError for a missing `target_ip` or a `job_id` already stored.
        """
        record = self._prepare(
            "Jobs",
            {
                "job_id": uuid.uuid4().hex[:12],
                "status": "Pending",
                "created_at": _now(),
                **job,
                "target_ip": _ip(job.get("target_ip")),
            },
        )
        return self._upsert("Jobs", record, exists=False)

    def update_job(self, job_id: str, fields: Mapping[str, Any]) -> Record:
        """Merge `fields` into a stored job and return it; raises NotFoundError."""
        record = self._prepare("Jobs", {**fields, "job_id": job_id})
        return self._upsert("Jobs", record, exists=True)

    def get_job(self, job_id: str) -> Record | None:
        return self._get("Jobs", job_id)

    def list_jobs(self) -> list[Record]:
        """Return every job, oldest first."""
        return sorted(self._all("Jobs"), key=lambda job: (job.get("created_at", ""), job["job_id"]))

    def remove_job(self, job_id: str) -> bool:
        return self._remove("Jobs", job_id)

    # PreChecks

    def replace_prechecks(
        self, ip_address: str, results: Iterable[Mapping[str, Any]]
    ) -> list[Record]:
        """Replace every pre-check result of a device with `results` and return them."""
        address = _ip(ip_address)
        records = [
            self._prepare("PreChecks", {**result, "ip_address": address}) for result in results
        ]
        spec = TABLES["PreChecks"]
        with self._lock:
            self._check_writable()
            table = self._tables[spec.name][spec.shard_of(address)]
            table.remove(where("ip_address") == address)
            table.insert_multiple(records)
        self._publish("PreChecks", {"action": "replace", "ip_address": address})
        return copy.deepcopy(records)

    def list_prechecks(self, ip_address: str | None = None) -> list[Record]:
        """Return the pre-check results of one device, or of every device when None."""
        if ip_address is None:
            return sorted(self._all("PreChecks"), key=_ip_sort_key)
        address = _ip(ip_address)
        spec = TABLES["PreChecks"]
        with self._lock:
            table = self._tables[spec.name][spec.shard_of(address)]
            return copy.deepcopy([dict(r) for r in table.search(where("ip_address") == address)])

    # Lifecycle

    @property
    def schema_version(self) -> int:
        return SCHEMA_VERSION

    def flush(self) -> None:
        """Write every pending change to disk; raises StoreError when a write fails."""
        self._flush_shards(None)

    def close(self) -> None:
        """Write pending changes and stop the background writer."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self._wake.notify_all()
        if self._flusher is not None:
            self._flusher.join()
        if not self.read_only:
            atexit.unregister(self._close_at_exit)
            self.flush()

    def _close_at_exit(self) -> None:
        try:
            self.close()
        except StoreError:
            log.exception("writing the store in %s at exit failed", self.db_dir)

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Record operations shared by the tables

    def _prepare(self, name: str, record: Mapping[str, Any]) -> Record:
        spec = TABLES[name]
        for field, allowed in spec.allowed.items():
            value = record.get(field)
            if value is not None and value not in allowed:
                raise InvalidInputError(
                    f"invalid {field} {value!r} for {name}: expected one of {', '.join(allowed)}"
                )
        try:
            # The JSON round trip rejects values a shard file cannot hold and copies the rest.
            prepared: Record = json.loads(json.dumps(record))
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{name} record cannot be stored as JSON: {exc}") from exc
        return prepared

    def _upsert(
        self, name: str, record: Record, *, replace: bool = False, exists: bool | None = None
    ) -> Record:
        """Merge (or with `replace`, replace) a record; `exists` demands it be there or not."""
        spec = TABLES[name]
        key_value = record[spec.key]
        condition = where(spec.key) == key_value
        with self._lock:
            self._check_writable()
            table = self._tables[name][spec.shard_of(key_value)]
            found = table.contains(condition)
            if exists is True and not found:
                raise NotFoundError(f"{spec.label} {key_value} not found")
            if exists is False and found:
                raise InvalidInputError(f"{spec.label} {key_value} already exists")
            if replace and found:
                table.remove(condition)
            table.upsert(record, condition)
            stored = copy.deepcopy(dict(table.get(condition) or {}))
            shard = self._storage_of(table)
        # Outside the store lock: _flush_shards takes the I/O lock first, then the store lock.
        if not spec.write_behind:
            self._flush_shards([shard])
        self._publish(name, {"action": "upsert", spec.key: key_value})
        return stored

    def _get(self, name: str, key_value: str) -> Record | None:
        spec = TABLES[name]
        with self._lock:
            table = self._tables[name][spec.shard_of(key_value)]
            record = table.get(where(spec.key) == key_value)
            return copy.deepcopy(dict(record)) if record is not None else None

    def _all(self, name: str) -> list[Record]:
        with self._lock:
            return [copy.deepcopy(dict(r)) for table in self._tables[name] for r in table.all()]

    def _remove(self, name: str, key_value: str) -> bool:
        spec = TABLES[name]
        with self._lock:
            self._check_writable()
            table = self._tables[name][spec.shard_of(key_value)]
            removed = bool(table.remove(where(spec.key) == key_value))
            shard = self._storage_of(table)
        if removed and not spec.write_behind:
            self._flush_shards([shard])
        if removed:
            self._publish(name, {"action": "remove", spec.key: key_value})
        return removed

    def _publish(self, name: str, payload: dict[str, Any]) -> None:
        if self.events is not None:
            self.events.publish(TABLES[name].topic, payload)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store in {self.db_dir} is open read-only")
        if self._closing:
            raise StoreError(f"the store in {self.db_dir} is closed")

    @staticmethod
    def _storage_of(table: Table) -> _ShardStorage:
        storage = table.storage
        assert isinstance(storage, _ShardStorage)
        return storage

    # Writing shard files

    def _mark_dirty(self, shard: _ShardStorage) -> None:
        # Called by TinyDB inside a table operation, so the store lock is already held.
        self._dirty[shard.path] = shard
        if shard.spec.write_behind and self._deadline is None:
            self._deadline = time.monotonic() + self.flush_delay_s
            self._wake.notify()

    def _flush_shards(self, shards: list[_ShardStorage] | None) -> None:
        """Write the given dirty shards, or all dirty shards, to their files.

        The I/O lock keeps snapshots and file writes in the same order, so an older snapshot
        never replaces a newer file.
        """
        with self._io_lock:
            with self._lock:
                chosen = list(self._dirty.values()) if shards is None else shards
                pending = [(s, _encode(s.data)) for s in chosen if self._dirty.pop(s.path, None)]
                if shards is None:
                    self._deadline = None
            for index, (shard, data) in enumerate(pending):
                try:
                    atomic_write(shard.path, data)
                except OSError as exc:
                    with self._lock:
                        for failed, _ in pending[index:]:
                            self._dirty.setdefault(failed.path, failed)
                    raise StoreError(f"cannot write {shard.path}: {exc}") from exc
                self.bytes_written += len(data)
                self.files_written += 1

    def _run_flusher(self) -> None:
        while True:
            with self._lock:
                while self._deadline is None and not self._closing:
                    self._wake.wait()
                if self._closing:
                    return
                delay = self._deadline - time.monotonic() if self._deadline else 0.0
                if delay > 0 and self._wake.wait_for(lambda: self._closing, timeout=delay):
                    return
            try:
                self.flush()
            except StoreError:
                log.exception("background write of the store failed; retrying in 1 s")
                with self._lock:
                    self._deadline = time.monotonic() + max(1.0, self.flush_delay_s)

    # Opening, schema version and migrations

    def _open(self) -> None:
        meta = self._read_meta()
        version = meta.get("schema_version", SCHEMA_VERSION)
        layout = meta.get("shards", _current_layout())
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise StoreError(
                f"the store in {self.db_dir} has schema version {version}, newer than this "
                f"xeapp supports ({SCHEMA_VERSION}); upgrade xeapp"
            )

        if version == SCHEMA_VERSION and layout == _current_layout():
            for spec in TABLES.values():
                self._tables[spec.name] = [
                    self._open_shard(
                        spec, index, self._load_file(self.db_dir / spec.file_name(index))
                    )
                    for index in range(spec.shards)
                ]
            if not meta and not self.read_only:
                self._write_meta()
            return
        self._migrate(version, layout)

    def _migrate(self, version: int, layout: Mapping[str, int]) -> None:
        records: dict[str, list[Record]] = {}
        for spec in TABLES.values():
            records[spec.name] = []
            for index in range(layout.get(spec.name, spec.shards)):
                data = self._load_file(self.db_dir / spec.file_name(index))
                records[spec.name].extend(data.get(spec.name, {}).values())
        if not self.read_only:
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
            backup = self.db_dir.with_name(f"{self.db_dir.name}-before-v{SCHEMA_VERSION}-{stamp}")
            shutil.copytree(self.db_dir, backup)
            log.warning(
                "migrating the store in %s from schema version %d to %d and shard layout %s "
                "to %s; copy kept in %s",
                self.db_dir,
                version,
                SCHEMA_VERSION,
                dict(layout),
                _current_layout(),
                backup,
            )
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step](records)

        for spec in TABLES.values():
            self._tables[spec.name] = [
                self._open_shard(spec, index, {}) for index in range(spec.shards)
            ]
            for record in records[spec.name]:
                key_value = record[spec.key]
                self._tables[spec.name][spec.shard_of(key_value)].insert(record)
        if self.read_only:
            self._dirty.clear()
            self._deadline = None
            return

        self.flush()
        expected = {spec.file_name(i) for spec in TABLES.values() for i in range(spec.shards)}
        for path in self.db_dir.glob("*-[0-9][0-9].json"):
            if path.name not in expected:
                path.unlink()
        self._write_meta()

    def _open_shard(self, spec: TableSpec, index: int, data: dict[str, Any]) -> Table:
        storage = _ShardStorage(self, spec, self.db_dir / spec.file_name(index), data)
        database = TinyDB(storage=lambda: storage)
        return database.table(spec.name, cache_size=0)

    def _load_file(self, path: Path, *, tables: bool = True) -> dict[str, Any]:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            if tables and not all(isinstance(table, dict) for table in data.values()):
                raise ValueError("expected a JSON object of tables")
        except (UnicodeDecodeError, ValueError) as exc:
            if self.read_only:
                log.warning("store file %s is unreadable (%s); reading it as empty", path, exc)
            else:
                kept = move_aside(path, "corrupt")
                log.warning(
                    "store file %s is unreadable (%s); moved it to %s and started an empty one",
                    path,
                    exc,
                    kept,
                )
            return {}
        return data

    def _read_meta(self) -> dict[str, Any]:
        path = self.db_dir / META_FILE
        meta = self._load_file(path, tables=False)
        if not meta and any(self.db_dir.glob("*-[0-9][0-9].json")):
            log.warning(
                "store %s has no readable %s; assuming schema version %d",
                self.db_dir,
                META_FILE,
                SCHEMA_VERSION,
            )
        return meta

    def _write_meta(self) -> None:
        meta = {"schema_version": SCHEMA_VERSION, "shards": _current_layout()}
        atomic_write(self.db_dir / META_FILE, json.dumps(meta, indent=2).encode("utf-8"))


def _current_layout() -> dict[str, int]:
    return {spec.name: spec.shards for spec in TABLES.values()}


def _encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ip(value: Any) -> str:
    """Return an address in its canonical text form; raises InvalidInputError."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("a device record needs an ip_address")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidInputError(
            f"invalid ip_address {value!r}: expected an IPv4 or IPv6 address"
        ) from None


def _ip_sort_key(record: Mapping[str, Any]) -> tuple[int, bytes]:
    address = ipaddress.ip_address(record["ip_address"])
    return address.version, address.packed
