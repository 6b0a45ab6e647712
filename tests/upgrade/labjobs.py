"""Helpers for upgrade tests: image names, fast options, and the environment a manager runs in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xeapp.credentials import CredentialStore
from xeapp.datadir import DataDir
from xeapp.discovery import open_host_keys
from xeapp.drivers.logins import LoginResolver
from xeapp.events import EventBus
from xeapp.imageserver import ImageServer
from xeapp.lab import Lab, start_lab
from xeapp.logs import JobLogs
from xeapp.repository import Repository
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.upgrade import JobManager, UpgradeOptions

# Target images per profile, and the version each carries.
STACK_IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"
ROUTER_IMAGE = "isr4400-universalk9.17.12.04.SPA.bin"
BUNDLE_IMAGE = "cat3k_caa-universalk9.16.12.11.SPA.bin"
IMAGE_SIZE = 300_000
# The Catalyst 3850 profile ships with 0.88 GB free per member, under the pre-checks' 1 GB
# floor. This spec leaves about 1.1 GB, a Warn, so the bundle-mode device can be upgraded.
BUNDLE_SPEC: dict[str, Any] = {
    "profile": "c3850-stack",
    "flash_free": {1: 1_090_000_000, 2: 1_090_000_000},
}

FAST = UpgradeOptions(
    reload_timeout_s=20.0,
    poll_interval_s=0.1,
    down_timeout_s=3.0,
    install_timeout_s=20.0,
    command_base_timeout_s=10.0,
)


def image_bytes(name: str, size: int = IMAGE_SIZE) -> bytes:
    """Return deterministic content for a test image, different per name."""
    seed = name.encode()
    return (seed * (size // len(seed) + 1))[:size]


def add_images(repository: Repository, folder: Path) -> None:
    """Add the three test images with their published MD5, so they are Verified."""
    for name in (STACK_IMAGE, ROUTER_IMAGE, BUNDLE_IMAGE):
        source = folder / name
        content = image_bytes(name)
        source.write_bytes(content)
        repository.add_file(source, md5=hashlib.md5(content).hexdigest())


@dataclass
class UpgradeEnv:
    """A data directory with the services a job manager needs, and the lab it upgrades."""

    root: Path
    lab: Lab
    store: Store
    events: EventBus
    job_logs: JobLogs
    settings: Settings
    logins: LoginResolver
    server: ImageServer
    managers: list[JobManager] = field(default_factory=list)

    def manager(self, **overrides: Any) -> JobManager:
        """Build and start a job manager on this environment."""
        options = overrides.pop("options", FAST)
        manager = JobManager(
            self.store,
            self.job_logs,
            self.events,
            self.settings,
            self.logins,
            backups_dir=DataDir(self.root).backups_dir,
            copy_url=self.server.copy_url,
            transfer_bytes=self.transfer_bytes,
            options=options,
            **overrides,
        )
        manager.start()
        self.managers.append(manager)
        return manager

    def transfer_bytes(self, device_ip: str, filename: str) -> int | None:
        transfer = self.server.progress(device_ip, filename)
        return transfer.sent if transfer else None

    def ip(self, hostname: str) -> str:
        return self.lab.device(hostname).ip

    def log(self, job_id: str) -> str:
        return "\n".join(self.job_logs.read(job_id))

    def close(self) -> None:
        for manager in self.managers:
            manager.shutdown()
        self.server.stop()
        self.lab.stop()
        self.store.close()


def add_devices(store: Store, lab: Lab) -> None:
    """Put every lab device in the inventory with its ports, as discovery would."""
    for device in lab.devices:
        store.upsert_device(
            {
                "ip_address": device.ip,
                "ssh_port": device.ssh_port,
                "netconf_port": device.netconf_port,
                "hostname": device.hostname,
            }
        )


def build_env(root: Path, *profiles: str | dict[str, Any], base: str) -> UpgradeEnv:
    """Start a lab of `profiles` at `base` and a data directory at `root` listing its devices.

    The caller sets XEAPP_USERNAME and XEAPP_PASSWORD to admin and calls `close`.
    """
    data_dir = DataDir.create(root)
    lab = start_lab(
        profiles=list(profiles), base=base, reload_seconds=0.5, netconf_start_seconds=0.2
    )
    events = EventBus()
    store = Store(data_dir.db_dir, events=events)
    add_images(Repository(data_dir.repo_dir, store), root)
    add_devices(store, lab)
    settings = Settings(connect_timeout_s=5, command_timeout_s=20)
    credentials = CredentialStore(root)
    logins = LoginResolver(settings, credentials, store, open_host_keys(root))
    server = ImageServer(data_dir.repo_dir, bind="127.0.0.1", port=0, fallback_port=None)
    job_logs = JobLogs(data_dir.job_logs_dir, events)
    return UpgradeEnv(root, lab, store, events, job_logs, settings, logins, server.start())
