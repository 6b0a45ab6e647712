"""Run the pre-checks of many devices on a bounded pool and keep the results in the store.

Each device is read once (see live.py) and every check evaluates that read. Devices run
concurrently on settings.discovery_workers threads, so one slow device holds one worker. The
results of a device replace its previous ones in the PreChecks table, one record per check,
each with the image, `ran_at`, `read` and the device's warning acknowledgement.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from xeapp.credentials import CredentialStore
from xeapp.discovery import open_host_keys
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import InvalidInputError, NotFoundError, XeappError
from xeapp.events import EventBus
from xeapp.prechecks.live import LiveState, read_live
from xeapp.prechecks.model import CheckResult, DevicePrechecks, Result, TargetImage, now_iso
from xeapp.prechecks.registry import CHECK_NAMES, evaluate, fail_all
from xeapp.settings import Settings
from xeapp.targets import Target

log = logging.getLogger(__name__)

ProgressCallback = Callable[[DevicePrechecks, int, int], None]
LiveReader = Callable[[DeviceLogin], LiveState]


class PrecheckStore(Protocol):
    """The store calls the pre-checks make."""

    def get_image(self, filename: str) -> dict[str, Any] | None: ...

    def get_device(self, ip_address: str) -> dict[str, Any] | None: ...

    def replace_prechecks(
        self, ip_address: str, results: Iterable[Mapping[str, Any]]
    ) -> list[dict[str, Any]]: ...

    def list_prechecks(self, ip_address: str | None = None) -> list[dict[str, Any]]: ...


class PrecheckService:
    """Runs pre-checks, stores their results and records warning acknowledgements."""

    def __init__(
        self,
        logins: LoginResolver,
        store: PrecheckStore,
        *,
        workers: int,
        reader: LiveReader = read_live,
    ) -> None:
        self.logins = logins
        self.store = store
        self.workers = workers
        self.reader = reader

    def target_image(self, filename: str) -> TargetImage:
        """Return the repository image `filename`; raises NotFoundError when it is not there."""
        record = self.store.get_image(filename)
        if record is None:
            raise NotFoundError(f"image {filename} not found in the repository; add it first")
        return TargetImage.from_record(record)

    def run(
        self,
        targets: Iterable[Target],
        image_filename: str,
        progress: ProgressCallback | None = None,
    ) -> list[DevicePrechecks]:
        """Check every target against the image and store the results.

        Returns one DevicePrechecks per target, in the order given. `progress(device, done,
        total)` is called from a worker thread as each device finishes. Device errors become
        Fail results; raises NotFoundError only for an image not in the repository.
        """
        image = self.target_image(image_filename)
        target_list = list(targets)
        if not target_list:
            return []
        log.info(
            "pre-checks of %d devices for %s on %d workers",
            len(target_list),
            image.filename,
            min(self.workers, len(target_list)),
        )
        lock = threading.Lock()
        finished = 0

        def check(target: Target) -> DevicePrechecks:
            nonlocal finished
            outcome = self.check_device(target, image)
            with lock:
                finished += 1
                count = finished
            if progress is not None:
                try:
                    progress(outcome, count, len(target_list))
                except Exception:
                    log.exception("%s: pre-check progress callback failed", target.ip_address)
            return outcome

        workers = min(self.workers, len(target_list))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="precheck") as pool:
            return list(pool.map(check, target_list))

    def check_device(self, target: Target, image: TargetImage) -> DevicePrechecks:
        """Read one device, run every check, store and return the results.

        Device errors and unexpected errors become Fail results, so one device never ends the
        run for the others.
        """
        try:
            login = self.logins.login(
                target.ip_address,
                ssh_port=target.ssh_port,
                netconf_port=target.netconf_port,
                username=target.username,
            )
        except XeappError as exc:
            log.warning("%s: pre-checks not run: %s", target.ip_address, exc)
            return self._save(target.ip_address, image, fail_all(str(exc)))
        try:
            live = self.reader(login)
            results = evaluate(live, image)
        except Exception as exc:  # a bug must not end the run for the other devices
            log.exception("%s: pre-checks failed unexpectedly", target.ip_address)
            results = fail_all(f"unexpected error: {exc}")
        outcome = self._save(target.ip_address, image, results)
        counts = outcome.counts()
        log.info(
            "%s: pre-checks for %s: %d Pass, %d Warn, %d Fail",
            target.ip_address,
            image.filename,
            counts["Pass"],
            counts["Warn"],
            counts["Fail"],
        )
        return outcome

    def rerun_check(self, target: Target, image_filename: str, check_name: str) -> DevicePrechecks:
        """Read the device again, rerun one check and replace its stored result.

        Returns the device's results with the new one. The warning acknowledgement is kept
        unless the rerun turned the check into a Warn. Raises NotFoundError for an unknown
        image, InvalidInputError for an unknown check name.
        """
        if check_name not in CHECK_NAMES:
            raise InvalidInputError(
                f"unknown check {check_name!r}: expected one of {', '.join(CHECK_NAMES)}"
            )
        image = self.target_image(image_filename)
        previous = self.load(target.ip_address)
        try:
            login = self.logins.login(
                target.ip_address, ssh_port=target.ssh_port, netconf_port=target.netconf_port
            )
            fresh = evaluate(self.reader(login), image, (check_name,))[0]
        except XeappError as exc:
            fresh = fail_all(str(exc), (check_name,))[0]

        checks = [fresh]
        acknowledged_at: str | None = None
        if previous is not None and previous.image == image.filename:
            checks = [fresh if c.check_name == check_name else c for c in previous.checks]
            if all(c.check_name != check_name for c in previous.checks):
                checks.append(fresh)
            if previous.acknowledged and fresh.result is not Result.WARN:
                acknowledged_at = previous.acknowledged_at
        return self._save(target.ip_address, image, checks, acknowledged_at)

    def load(self, ip_address: str) -> DevicePrechecks | None:
        """Return the stored results of a device, or None when it has none."""
        records = self.store.list_prechecks(ip_address)
        if not records:
            return None
        order = {name: index for index, name in enumerate(CHECK_NAMES)}
        records.sort(key=lambda r: order.get(r.get("check_name", ""), len(order)))
        first = records[0]
        return DevicePrechecks(
            ip_address=str(first["ip_address"]),
            image=str(first.get("image", "")),
            checks=[CheckResult.from_record(r) for r in records],
            acknowledged=bool(first.get("acknowledged")),
            acknowledged_at=first.get("acknowledged_at"),
        )

    def acknowledge(self, ip_address: str, image_filename: str | None = None) -> DevicePrechecks:
        """Record that the user accepted the device's warnings, and return its results.

        Raises NotFoundError when the device has no results (for that image, when given).
        An acknowledgement never makes a device with a Fail ready.
        """
        current = self.load(ip_address)
        if current is None or (image_filename and current.image != image_filename):
            wanted = f" for {image_filename}" if image_filename else ""
            raise NotFoundError(f"no pre-check results for {ip_address}{wanted}; run them first")
        log.info(
            "%s: %d pre-check warnings acknowledged for %s",
            ip_address,
            len(current.warnings),
            current.image,
        )
        return self._store_results(ip_address, current.image, current.checks, now_iso())

    def _save(
        self,
        ip_address: str,
        image: TargetImage,
        checks: list[CheckResult],
        acknowledged_at: str | None = None,
    ) -> DevicePrechecks:
        try:
            return self._store_results(ip_address, image.filename, checks, acknowledged_at)
        except XeappError as exc:
            log.error("%s: cannot store the pre-check results: %s", ip_address, exc)
            return DevicePrechecks(ip_address, image.filename, checks)

    def _store_results(
        self, ip_address: str, image: str, checks: list[CheckResult], acknowledged_at: str | None
    ) -> DevicePrechecks:
        """Replace the device's records; `acknowledged_at` is None while warnings are unaccepted."""
        acknowledged = acknowledged_at is not None
        records = [
            {
                **check.to_record(),
                "image": image,
                "acknowledged": acknowledged,
                "acknowledged_at": acknowledged_at,
            }
            for check in checks
        ]
        self.store.replace_prechecks(ip_address, records)
        return DevicePrechecks(ip_address, image, list(checks), acknowledged, acknowledged_at)


def build_precheck_service(
    settings: Settings,
    store: PrecheckStore,
    credentials: CredentialStore,
    data_root: Path,
    events: EventBus | None = None,
) -> PrecheckService:
    """Return a PrecheckService on the app's settings, store, credentials and known hosts."""
    resolver = LoginResolver(settings, credentials, store, open_host_keys(data_root, events))
    return PrecheckService(resolver, store, workers=settings.discovery_workers)
