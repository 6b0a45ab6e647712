"""The one service object the app builds at start-up; pages and API routes take it as an argument.

AppServices owns the data directory lock and every long-lived service of one app run: settings,
store, credentials, the event bus, job logs, the image repository and its HTTP server, discovery,
the NETCONF toggle, pre-checks and the upgrade job manager. Nothing here imports nicegui.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from xeapp.commands import AppContext
from xeapp.credentials import CredentialStore, usable_keyring
from xeapp.datadir import DataDir, DataDirLock
from xeapp.discovery import (
    DiscoveryResult,
    DiscoveryService,
    DiscoverySweep,
    build_discovery_service,
    open_host_keys,
)
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import InvalidInputError, XeappError
from xeapp.events import EventBus
from xeapp.imageserver import ImageServer
from xeapp.logs import JobLogs
from xeapp.netconf_toggle import ToggleResult, set_netconf
from xeapp.prechecks import DevicePrechecks, PrecheckService, build_precheck_service
from xeapp.prechecks.remedies import REMOVE_INACTIVE, RemedyResult, remedy_disk_space
from xeapp.prechecks.report import to_csv, to_html
from xeapp.repository import Repository
from xeapp.settings import Settings, load_settings, save_settings
from xeapp.store import FINISHED_JOB_STATUSES, Store
from xeapp.targets import Target
from xeapp.upgrade import JobManager

log = logging.getLogger(__name__)

# Topics AppServices publishes on the bus, next to the store's `<table>.changed` topics.
DISCOVERY_PROGRESS = "discovery.progress"
NETCONF_PROGRESS = "netconf.progress"
SETTINGS_CHANGED = "settings.changed"
TRANSFER_PROGRESS = "imageserver.transfer"

# Seconds shutdown waits for running jobs before recording them as interrupted.
JOB_SHUTDOWN_WAIT_S = 5.0

ToggleCallback = Callable[[ToggleResult, int, int], None]


@dataclasses.dataclass(frozen=True)
class ImageServerStatus:
    """Image server status as the header and the Repository page show it."""

    running: bool
    url: str
    port: int | None
    bind: str
    fallback_reason: str | None


class AppServices:
    """Every service of one app run, built on one data directory.

    Build it with `AppServices.open`, call `start()` once the event loop runs, and `stop()` at
    shutdown. `stop()` ends the job manager's threads, marks running upgrades interrupted,
    stops the image server, flushes the store and releases the data directory lock.
    """

    def __init__(
        self,
        context: AppContext,
        *,
        demo: bool = False,
        image_server_bind: str | None = None,
        image_server_port: int | None = None,
    ) -> None:
        self.context = context
        self.data_dir: DataDir = context.data_dir
        self.settings: Settings = context.settings
        self.store: Store = context.store
        self.credentials: CredentialStore = context.credentials
        self.events: EventBus = context.events
        self.job_logs: JobLogs = context.job_logs
        self.demo = demo
        self.repository = Repository(self.data_dir.repo_dir, self.store)
        self.host_keys = open_host_keys(self.data_dir.root, self.events)
        self.image_server = ImageServer(
            self.data_dir.repo_dir,
            bind=image_server_bind or self.settings.image_server_bind,
            port=(
                image_server_port
                if image_server_port is not None
                else self.settings.image_server_port
            ),
            fallback_port=self.settings.image_server_fallback_port,
            public_address=self.settings.image_server_address,
            resolver=self.repository.resolve_for_serving,
        )
        self.image_server.add_progress_callback(self._publish_transfer)
        self.discovery: DiscoveryService = build_discovery_service(
            self.settings, self.store, self.credentials, self.data_dir.root, self.events
        )
        self.logins = LoginResolver(self.settings, self.credentials, self.store, self.host_keys)
        self.prechecks: PrecheckService = build_precheck_service(
            self.settings, self.store, self.credentials, self.data_dir.root, self.events
        )
        self.jobs = JobManager(
            self.store,
            self.job_logs,
            self.events,
            self.settings,
            self.logins,
            backups_dir=self.data_dir.backups_dir,
            copy_url=self.image_server.copy_url,
            transfer_bytes=self._bytes_sent,
            prechecks=self.prechecks,
        )
        self._sweeps: list[DiscoverySweep] = []
        self._executor = ThreadPoolExecutor(
            max_workers=max(1, self.settings.discovery_workers), thread_name_prefix="app-work"
        )
        self._lock = threading.Lock()
        self._freeing: set[str] = set()
        self._started = False
        self._stopped = False

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        demo: bool = False,
        image_server_bind: str | None = None,
        image_server_port: int | None = None,
        use_keyring: bool = True,
    ) -> AppServices:
        """Lock the data directory at `root`, open its store and build every service.

        Without `use_keyring`, secrets go to the data directory's user-only file, never to
        the OS keyring (the demo's throwaway credentials).

        Raises DataDirLockedError when another xeapp process uses the directory, StoreError
        when the store cannot be opened.
        """
        data_dir = DataDir.create(root)
        lock = DataDirLock(data_dir.lock_file)
        lock.acquire()
        try:
            settings = load_settings(data_dir.settings_file, repair=True)
            events = EventBus()
            store = Store(data_dir.db_dir, events=events)
        except BaseException:
            lock.release()
            raise
        context = AppContext(
            data_dir=data_dir,
            settings=settings,
            store=store,
            credentials=CredentialStore(data_dir.root, usable_keyring() if use_keyring else None),
            events=events,
            job_logs=JobLogs(data_dir.job_logs_dir, events),
            lock=lock,
        )
        services = cls(
            context,
            demo=demo,
            image_server_bind=image_server_bind,
            image_server_port=image_server_port,
        )
        return services

    # Lifecycle

    def start(self) -> None:
        """Start the image server and the job scheduler; raises ImageError when no port binds."""
        if self._started:
            return
        self._started = True
        removed = self.repository.remove_temp_files()
        if removed:
            log.info("removed %d unfinished uploads from %s", removed, self.data_dir.repo_dir)
        self.image_server.start()
        changed = self.jobs.start()
        if changed:
            log.info("recovered %d jobs left by the last run", len(changed))
        log.info("services started on data directory %s", self.data_dir.root)

    def stop(self) -> None:
        """Stop every service; safe to call twice and from a signal handler's thread."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        for sweep in list(self._sweeps):
            if not sweep.done:
                sweep.cancel()
        try:
            self.jobs.shutdown(wait_s=JOB_SHUTDOWN_WAIT_S)
        except Exception:
            log.exception("stopping the job manager failed")
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.image_server.stop()
        try:
            self.context.close()
        except XeappError:
            log.exception("flushing the store at shutdown failed")
        log.info("services stopped")

    # Settings

    def update_settings(self, changes: dict[str, Any]) -> Settings:
        """Validate and save changed settings; returns them. Raises InvalidInputError.

        Ports and the image server bind take effect at the next start; the other values
        take effect for new operations at once.
        """
        merged = dataclasses.replace(self.settings, **changes)
        merged.validate()
        save_settings(merged, self.data_dir.settings_file)
        for key, value in changes.items():
            setattr(self.settings, key, value)
        self.events.publish(SETTINGS_CHANGED, {"keys": sorted(changes)})
        return self.settings

    # Image server

    def image_server_status(self) -> ImageServerStatus:
        server = self.image_server
        host = server.public_address or server.bind
        if host in ("0.0.0.0", "::", ""):
            host = "<interface facing the device>"
        port = server.port
        port_text = "" if port in (80, None) else f":{port}"
        return ImageServerStatus(
            running=server.running,
            url=f"http://{host}{port_text}/",
            port=port,
            bind=server.bind,
            fallback_reason=server.fallback_reason,
        )

    def _publish_transfer(self, transfer: Any) -> None:
        self.events.publish(
            TRANSFER_PROGRESS,
            {
                "client": transfer.client,
                "filename": transfer.filename,
                "sent": transfer.sent,
                "length": transfer.length,
                "finished": transfer.finished is not None,
            },
        )

    # Discovery and NETCONF

    def discover(
        self,
        targets: Iterable[Target],
        progress: Callable[[DiscoveryResult, int, int], None] | None = None,
    ) -> DiscoverySweep:
        """Start a discovery sweep; progress events go to `progress` and to the bus."""

        def report(result: DiscoveryResult, done: int, total: int) -> None:
            self.events.publish(
                DISCOVERY_PROGRESS,
                {
                    "ip_address": result.target.ip_address,
                    "online": result.online,
                    "error": str(result.error) if result.error else None,
                    "done": done,
                    "total": total,
                },
            )
            if progress is not None:
                progress(result, done, total)

        sweep = self.discovery.start(targets, report)
        with self._lock:
            self._sweeps = [s for s in self._sweeps if not s.done] + [sweep]
        return sweep

    def targets_for(self, addresses: Iterable[str]) -> list[Target]:
        """Return a target per stored device, with its stored ports; raises NotFoundError."""
        targets = []
        for address in addresses:
            record = self.store.get_device(address)
            if record is None:
                raise InvalidInputError(f"device {address} is not in the inventory")
            targets.append(
                Target(record["ip_address"], record.get("ssh_port"), record.get("netconf_port"))
            )
        return targets

    def add_devices(self, targets: Iterable[Target]) -> list[dict[str, Any]]:
        """Store targets not yet in the inventory as Offline devices, unread; returns them."""
        added = []
        for target in targets:
            if self.store.get_device(target.ip_address) is not None:
                continue
            record = {
                "ip_address": target.ip_address,
                "ssh_port": target.ssh_port,
                "netconf_port": target.netconf_port,
                "status": "Offline",
                "last_error": "not discovered yet",
            }
            added.append(self.store.upsert_device(record))
        return added

    def set_netconf(
        self,
        addresses: Iterable[str],
        enable: bool,
        *,
        save: bool = False,
        progress: ToggleCallback | None = None,
    ) -> Future[list[ToggleResult]]:
        """Turn NETCONF on or off on stored devices in the background.

        Each confirmed result is written to the device's `netconf_state`. Returns a future of
        the results in finishing order.
        """
        logins = [self.login_for(address) for address in addresses]
        wait_s = float(self.settings.netconf_start_wait_s)

        def toggle_all() -> list[ToggleResult]:
            results: list[ToggleResult] = []
            workers = min(len(logins), self.settings.discovery_workers) or 1
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netconf") as pool:
                futures = [
                    pool.submit(set_netconf, login, enable, save=save, wait_s=wait_s)
                    for login in logins
                ]
                for future in futures:
                    result = future.result()
                    results.append(result)
                    if result.netconf_state is not None:
                        self.store.upsert_device(
                            {"ip_address": result.ip_address, "netconf_state": result.netconf_state}
                        )
                    self.events.publish(NETCONF_PROGRESS, dataclasses.asdict(result))
                    if progress is not None:
                        progress(result, len(results), len(logins))
            return results

        return self._executor.submit(toggle_all)

    def login_for(self, address: str) -> DeviceLogin:
        return self.logins.login(address)

    def _bytes_sent(self, device_ip: str, filename: str) -> int | None:
        transfer = self.image_server.progress(device_ip, filename)
        return transfer.sent if transfer is not None else None

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run blocking work on the app's bounded pool, off the UI's event loop."""
        return self._executor.submit(function, *args)

    # Pre-checks

    def precheck_outcome(self, address: str) -> DevicePrechecks | None:
        """Return the stored pre-check results of a device, or None when none ran."""
        return self.prechecks.load(address)

    def worst_precheck(self, address: str) -> str | None:
        """Return Fail, Warn or Pass, the worst stored result of a device, or None."""
        results = {r.get("result") for r in self.store.list_prechecks(address)}
        for result in ("Fail", "Warn", "Pass"):
            if result in results:
                return result
        return None

    def run_prechecks(self, addresses: list[str], image: str) -> Future[list[DevicePrechecks]]:
        """Run the pre-checks of devices against a repository image in the background.

        Results reach the PreChecks table, which publishes `prechecks.changed` per device.
        Raises NotFoundError for an unknown image or device.
        """
        self.prechecks.target_image(image)
        targets = self.targets_for(addresses)
        return self._executor.submit(self.prechecks.run, targets, image)

    def acknowledge_prechecks(self, address: str) -> DevicePrechecks:
        """Record that the user accepted the Warn results of a device's last pre-checks."""
        outcome: DevicePrechecks = self.prechecks.acknowledge(address)
        log.info("%s: pre-check warnings acknowledged for %s", address, outcome.image)
        return outcome

    def free_flash(
        self,
        address: str,
        image: str,
        *,
        ssh_port: int | None = None,
        netconf_port: int | None = None,
    ) -> Future[RemedyResult]:
        """Run `install remove inactive` on a device in the background, then rerun disk_space.

        The rerun replaces the stored disk_space result. With either port, a device outside
        the inventory is reached on those ports. Raises NotFoundError for an unknown image,
        InvalidInputError for a device not in the inventory, and XeappError while the device
        runs an upgrade job or the remedy. The future raises the errors of `remedy_disk_space`.
        """
        self.prechecks.target_image(image)
        if ssh_port is None and netconf_port is None:
            target = self.targets_for([address])[0]
        else:
            target = Target(address, ssh_port, netconf_port)
        running = [
            job
            for job in self.store.list_jobs()
            if job.get("target_ip") == target.ip_address and job.get("status") == "Running"
        ]
        if running:
            # The remedy would delete the image an upgrade job has just copied to flash.
            raise XeappError(
                f"{target.ip_address}: upgrade job {running[0]['job_id']} is running, so "
                f"{REMOVE_INACTIVE} must wait until it finishes"
            )
        with self._lock:
            if target.ip_address in self._freeing:
                raise XeappError(f"{target.ip_address}: {REMOVE_INACTIVE} is already running")
            self._freeing.add(target.ip_address)

        def free() -> RemedyResult:
            try:
                return remedy_disk_space(self.prechecks, target, image)
            finally:
                with self._lock:
                    self._freeing.discard(target.ip_address)

        log.info("%s: starting %s before a disk_space recheck", target.ip_address, REMOVE_INACTIVE)
        try:
            return self._executor.submit(free)
        except RuntimeError:
            with self._lock:
                self._freeing.discard(target.ip_address)
            raise

    def precheck_report(self, addresses: list[str], report_format: str) -> tuple[bytes, str, str]:
        """Return the pre-check report of devices as (content, file name, media type)."""
        outcomes = [o for a in addresses if (o := self.precheck_outcome(a)) is not None]
        if report_format == "csv":
            return to_csv(outcomes).encode("utf-8"), "xeapp-prechecks.csv", "text/csv"
        if report_format == "html":
            return to_html(outcomes).encode("utf-8"), "xeapp-prechecks.html", "text/html"
        raise InvalidInputError(f"invalid report format {report_format!r}: expected csv or html")

    # Jobs

    def schedule_upgrades(
        self,
        addresses: list[str],
        image: str,
        *,
        at: datetime | None = None,
        two_phase: bool = False,
        stop_after_failures: int | None = None,
        acknowledge_warnings: bool = False,
        source_interface: str | None = None,
    ) -> list[dict[str, Any]]:
        """Create one upgrade job per device, run now or at `at` (timezone-aware).

        Refuses devices whose pre-checks for `image` did not pass, or whose warnings were not
        acknowledged unless `acknowledge_warnings` accepts them for these jobs. Returns the job
        records. Raises InvalidInputError or NotFoundError.
        """
        self.repository.get(image)
        for address in addresses:
            outcome = self.precheck_outcome(address)
            if outcome is None or outcome.image != image:
                raise InvalidInputError(f"{address}: run the pre-checks for {image} first")
            if not outcome.ready:
                raise InvalidInputError(f"{address}: a pre-check failed; fix it and rerun them")
            if not (outcome.cleared_for_upgrade or acknowledge_warnings):
                raise InvalidInputError(
                    f"{address}: pre-check warnings are not acknowledged; acknowledge them first"
                )
        if at is not None and at.tzinfo is None:
            raise InvalidInputError("a scheduled time needs its time zone")
        return self.jobs.submit(
            list(addresses),
            image,
            at=at,
            two_phase=two_phase,
            stop_after_failures=stop_after_failures,
            acknowledge_warnings=acknowledge_warnings,
            source_interface=source_interface,
        )

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        return self.jobs.cancel(job_id)

    def clear_job(self, job_id: str) -> None:
        self.jobs.clear(job_id)

    def clear_finished_jobs(self) -> int:
        return self.jobs.clear_finished()

    def running_job_count(self) -> int:
        return sum(1 for job in self.store.list_jobs() if job.get("status") == "Running")

    def finished_jobs(self) -> list[dict[str, Any]]:
        return [j for j in self.store.list_jobs() if j.get("status") in FINISHED_JOB_STATUSES]


# scrypt cost parameters of the UI password hash (n=2**14, r=8: about 16 MiB and 50 ms).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """Return `scrypt$<salt hex>$<hash hex>` for the UI password setting."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    """Return True when `password` matches a hash from hash_password."""
    if not stored or stored.count("$") != 2:
        return False
    scheme, salt_hex, digest_hex = stored.split("$")
    if scheme != "scrypt":
        return False
    try:
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return hmac.compare_digest(digest, expected)
