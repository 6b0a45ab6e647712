"""The discovery sweep: read many devices concurrently and keep the inventory up to date.

Each target is read on a bounded worker pool (settings.discovery_workers). The result of each
device is stored in the Inventory and reported to the progress callback as soon as that device
finishes, so one slow device holds one worker and never the others. A sweep can be cancelled:
devices not yet started are skipped and keep their stored data; devices being read finish
within their connect and command timeouts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from xeapp.credentials import CredentialStore
from xeapp.devicefacts import STATUS_OFFLINE, DeviceFacts
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.facts import read_device
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import DeviceError, XeappError
from xeapp.events import EventBus
from xeapp.hostkeys import HostKeyChange, HostKeyStore
from xeapp.settings import Settings
from xeapp.targets import Target

log = logging.getLogger(__name__)

KNOWN_HOSTS_FILE = "known_hosts"
HOST_KEY_CHANGED = "hostkey.changed"

# Inventory fields whose empty value the store rejects; they are stored as None instead.
_ENUM_FIELDS = ("device_role", "status", "netconf_state")


class InventoryStore(Protocol):
    """The store calls a sweep makes."""

    def get_device(self, ip_address: str) -> dict[str, Any] | None: ...

    def upsert_device(self, device: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class DiscoveryResult:
    """The outcome for one target: the facts stored (Offline keeps the last known data)."""

    target: Target
    facts: DeviceFacts
    error: XeappError | None
    elapsed_s: float

    @property
    def online(self) -> bool:
        """True when the device was read."""
        return self.error is None


ProgressCallback = Callable[[DiscoveryResult, int, int], None]
DeviceReader = Callable[[DeviceLogin], DeviceFacts]


def facts_to_record(facts: DeviceFacts) -> dict[str, Any]:
    """Return the Inventory record of `facts`, with empty enumerated fields as None."""
    record = facts.to_dict()
    for name in _ENUM_FIELDS:
        if not record.get(name):
            record[name] = None
    return record


class DiscoverySweep:
    """A sweep started by `DiscoveryService.start`; results arrive while it runs.

    `results` grows as devices finish. `cancel` skips the devices not yet started; `wait`
    blocks until every started device has finished.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.results: list[DiscoveryResult] = []
        self.started_at = time.monotonic()
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._futures: list[Future[None]] = []
        self._settled = 0
        if total == 0:
            self._finished.set()

    @property
    def cancelled(self) -> bool:
        """True once `cancel` was called."""
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """True when every device finished or was skipped by a cancel."""
        return self._finished.is_set()

    def cancel(self) -> None:
        """Skip every device not yet started; devices being read finish on their own."""
        self._cancel.set()
        for future in self._futures:
            future.cancel()
        log.info("discovery cancelled after %d of %d devices", len(self.results), self.total)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the sweep is done; return False when `timeout_s` passed first."""
        return self._finished.wait(timeout_s)

    def _record(self, result: DiscoveryResult) -> int:
        with self._lock:
            self.results.append(result)
            return len(self.results)

    def _settle(self, _future: Future[None]) -> None:
        with self._lock:
            self._settled += 1
            finished = self._settled == self.total
        if finished:
            self._finished.set()


class DiscoveryService:
    """Discovers targets and writes what it reads into the Inventory."""

    def __init__(
        self,
        logins: LoginResolver,
        store: InventoryStore | None,
        *,
        workers: int,
        reader: DeviceReader = read_device,
    ) -> None:
        self.logins = logins
        self.store = store
        self.workers = workers
        self.reader = reader

    def start(
        self, targets: Iterable[Target], progress: ProgressCallback | None = None
    ) -> DiscoverySweep:
        """Start reading `targets` on the worker pool and return at once.

        `progress(result, finished_count, total)` is called from a worker thread as each device
        finishes; it must return quickly and must not touch UI elements.
        """
        target_list = list(targets)
        sweep = DiscoverySweep(len(target_list))
        if not target_list:
            return sweep
        log.info("discovery of %d devices on %d workers", len(target_list), self.workers)

        executor = ThreadPoolExecutor(
            max_workers=min(self.workers, len(target_list)), thread_name_prefix="discovery"
        )
        for target in target_list:
            future = executor.submit(self._discover_one, sweep, target, progress)
            sweep._futures.append(future)
            future.add_done_callback(sweep._settle)
        executor.shutdown(wait=False)
        return sweep

    def discover(
        self, targets: Iterable[Target], progress: ProgressCallback | None = None
    ) -> list[DiscoveryResult]:
        """Read `targets` and return one result per device finished, in finishing order."""
        sweep = self.start(targets, progress)
        sweep.wait()
        return sweep.results

    def _discover_one(
        self, sweep: DiscoverySweep, target: Target, progress: ProgressCallback | None
    ) -> None:
        if sweep.cancelled:
            return
        started = time.monotonic()
        result = self.discover_target(target)
        result.elapsed_s = time.monotonic() - started
        count = sweep._record(result)
        if progress is not None:
            try:
                progress(result, count, sweep.total)
            except Exception:
                log.exception("%s: discovery progress callback failed", target.ip_address)

    def discover_target(self, target: Target) -> DiscoveryResult:
        """Read one target, store the result and return it; never raises for a device error."""
        started = time.monotonic()
        error: XeappError | None = None
        login: DeviceLogin | None = None
        try:
            login = self.logins.login(
                target.ip_address,
                ssh_port=target.ssh_port,
                netconf_port=target.netconf_port,
                username=target.username,
            )
            facts = self.reader(login)
            log.info(
                "%s: %s %s %s via %s",
                target.ip_address,
                facts.hostname,
                facts.pid,
                facts.current_version,
                facts.source,
            )
        except XeappError as exc:
            error = exc
            facts = self._offline(target, login, exc)
        except Exception as exc:  # a bug must not end the sweep for the other devices
            log.exception("%s: discovery failed unexpectedly", target.ip_address)
            error = DeviceError(target.ip_address, "discovery", f"unexpected error: {exc}")
            facts = self._offline(target, login, error)

        stored = self._store(facts)
        return DiscoveryResult(target, stored, error, time.monotonic() - started)

    def _offline(self, target: Target, login: DeviceLogin | None, error: XeappError) -> DeviceFacts:
        reason = error.reason if isinstance(error, DeviceError) else str(error)
        log.warning("%s: Offline: %s", target.ip_address, reason)
        previous = self.store.get_device(target.ip_address) if self.store is not None else None
        facts = DeviceFacts.from_dict(previous) if previous else DeviceFacts(target.ip_address)
        facts.status = STATUS_OFFLINE
        facts.last_error = str(error)
        if login is not None:
            facts.ssh_port = login.ssh_port
            facts.netconf_port = login.netconf_port
        return facts

    def _store(self, facts: DeviceFacts) -> DeviceFacts:
        if self.store is None:
            return facts
        try:
            record = self.store.upsert_device(facts_to_record(facts))
        except XeappError as exc:
            log.error("%s: cannot store the discovery result: %s", facts.ip_address, exc)
            return facts
        return DeviceFacts.from_dict(record)


def open_host_keys(data_root: Path, events: EventBus | None = None) -> HostKeyStore:
    """Return the host key store of a data directory; changes publish `hostkey.changed`."""

    def publish(change: HostKeyChange) -> None:
        if events is not None:
            events.publish(HOST_KEY_CHANGED, asdict(change))

    return HostKeyStore(data_root / KNOWN_HOSTS_FILE, on_change=publish)


def build_discovery_service(
    settings: Settings,
    store: InventoryStore,
    credentials: CredentialStore,
    data_root: Path,
    events: EventBus | None = None,
) -> DiscoveryService:
    """Return a DiscoveryService on the app's settings, store, credentials and known hosts."""
    resolver = LoginResolver(settings, credentials, store, open_host_keys(data_root, events))
    return DiscoveryService(resolver, store, workers=settings.discovery_workers)
