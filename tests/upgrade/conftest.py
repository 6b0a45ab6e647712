"""Fixtures for upgrade tests: a lab, a data directory with images, and job managers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from labjobs import BUNDLE_IMAGE, ROUTER_IMAGE, STACK_IMAGE, UpgradeEnv, add_devices, image_bytes

from xeapp.credentials import CredentialStore
from xeapp.datadir import DataDir
from xeapp.discovery import open_host_keys
from xeapp.drivers.logins import LoginResolver
from xeapp.events import EventBus
from xeapp.imageserver import ImageServer
from xeapp.lab import start_lab
from xeapp.logs import JobLogs
from xeapp.repository import Repository
from xeapp.settings import Settings
from xeapp.store import Store


@pytest.fixture
def upgrade_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., UpgradeEnv]]:
    """Return a factory: lab profiles in, a data directory with images and inventory out."""
    monkeypatch.setenv("XEAPP_USERNAME", "admin")
    monkeypatch.setenv("XEAPP_PASSWORD", "admin")
    envs: list[UpgradeEnv] = []

    def factory(*profiles: str | dict[str, Any], base: str = "127.0.0.40") -> UpgradeEnv:
        root = tmp_path / f"data{len(envs)}"
        data_dir = DataDir.create(root)
        lab = start_lab(
            profiles=list(profiles), base=base, reload_seconds=0.5, netconf_start_seconds=0.2
        )
        events = EventBus()
        store = Store(data_dir.db_dir, events=events)
        repository = Repository(data_dir.repo_dir, store)
        for name in (STACK_IMAGE, ROUTER_IMAGE, BUNDLE_IMAGE):
            source = tmp_path / name
            source.write_bytes(image_bytes(name))
            repository.add_file(source)
        add_devices(store, lab)
        settings = Settings(connect_timeout_s=5, command_timeout_s=20)
        credentials = CredentialStore(root)
        logins = LoginResolver(settings, credentials, store, open_host_keys(root))
        server = ImageServer(data_dir.repo_dir, bind="127.0.0.1", port=0, fallback_port=None)
        env = UpgradeEnv(
            root,
            lab,
            store,
            events,
            JobLogs(data_dir.job_logs_dir, events),
            settings,
            logins,
            server.start(),
        )
        envs.append(env)
        return env

    yield factory
    for env in envs:
        for manager in env.managers:
            manager.shutdown()
        env.server.stop()
        env.lab.stop()
        env.store.close()
