"""Build a job manager on an app's store, settings, credentials and image server."""

from __future__ import annotations

from pathlib import Path

from xeapp.credentials import CredentialStore
from xeapp.datadir import DataDir
from xeapp.discovery import open_host_keys
from xeapp.drivers.logins import LoginResolver
from xeapp.events import EventBus
from xeapp.imageserver import ImageServer
from xeapp.logs import JobLogs
from xeapp.prechecks import PrecheckService
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.upgrade.jobs import JobManager
from xeapp.upgrade.options import UpgradeOptions
from xeapp.upgrade.prechecks import PrecheckRunner


def build_job_manager(
    data_root: Path,
    settings: Settings,
    store: Store,
    credentials: CredentialStore,
    events: EventBus,
    job_logs: JobLogs,
    server: ImageServer,
    *,
    options: UpgradeOptions | None = None,
    max_parallel: int | None = None,
    prechecks: PrecheckRunner | None = None,
) -> JobManager:
    """Return a JobManager (not started) whose jobs copy images from `server`.

    Jobs re-run their pre-checks on `prechecks`, by default a PrecheckService on the same
    store, credentials and known hosts.
    """

    def transfer_bytes(device_ip: str, filename: str) -> int | None:
        transfer = server.progress(device_ip, filename)
        return transfer.sent if transfer is not None else None

    logins = LoginResolver(settings, credentials, store, open_host_keys(data_root, events))
    if prechecks is None:
        prechecks = PrecheckService(logins, store, workers=settings.discovery_workers)
    return JobManager(
        store,
        job_logs,
        events,
        settings,
        logins,
        backups_dir=DataDir(data_root).backups_dir,
        copy_url=server.copy_url,
        transfer_bytes=transfer_bytes,
        prechecks=prechecks,
        options=options,
        max_parallel=max_parallel,
    )


def start_image_server(
    data_root: Path, settings: Settings, *, bind: str | None = None, port: int | None = None
) -> ImageServer:
    """Start the image server on the repository with the settings' address and ports.

    `bind` and `port` replace the settings' values. Raises ImageError when no port binds.
    """
    server = ImageServer(
        DataDir(data_root).repo_dir,
        bind=bind or settings.image_server_bind,
        port=settings.image_server_port if port is None else port,
        fallback_port=settings.image_server_fallback_port,
        public_address=settings.image_server_address,
    )
    return server.start()
