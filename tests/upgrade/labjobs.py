"""Helpers for upgrade tests: image names, fast options, and the environment a manager runs in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xeapp.datadir import DataDir
from xeapp.drivers.logins import LoginResolver
from xeapp.events import EventBus
from xeapp.imageserver import ImageServer
from xeapp.lab import Lab
from xeapp.logs import JobLogs
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.upgrade import JobManager, UpgradeOptions

# Target images per profile, and the version each carries.
STACK_IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"
ROUTER_IMAGE = "isr4400-universalk9.17.12.04.SPA.bin"
BUNDLE_IMAGE = "cat3k_caa-universalk9.16.12.11.SPA.bin"
IMAGE_SIZE = 300_000

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
