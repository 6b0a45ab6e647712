"""Fixtures for discovery tests: the lab demo fleet and the services discovery runs on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from xeapp.credentials import Credentials, CredentialStore
from xeapp.discovery import DiscoveryResult, DiscoveryService
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.hostkeys import HostKeyStore
from xeapp.lab import Lab, LabDevice, start_lab
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.targets import Target

# A loopback block of its own, so these labs never share an address with other test modules.
DEMO_BASE = "127.0.4.10"
SINGLE_BASE = "127.0.4.100"  # labs of one device started by a test
UNUSED_ADDRESS = "127.0.4.250"  # nothing listens here
LAB_USERNAME = "admin"
LAB_PASSWORD = "admin"


@pytest.fixture(scope="module")
def demo_lab() -> Iterator[Lab]:
    with start_lab("demo", base=DEMO_BASE) as lab:
        yield lab


def _credentials(directory: Path) -> CredentialStore:
    directory.mkdir()
    credentials = CredentialStore(directory, keyring_backend=None)
    credentials.set(Credentials(LAB_USERNAME, LAB_PASSWORD))
    return credentials


@pytest.fixture(scope="module")
def demo_results(
    demo_lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, DiscoveryResult]]:
    """One discovery of the whole demo fleet, by lab hostname."""
    root = tmp_path_factory.mktemp("demo")
    settings = Settings(connect_timeout_s=3, command_timeout_s=20)
    with Store(root / "db", flush_delay_s=0.01) as store:
        resolver = LoginResolver(
            settings, _credentials(root / "credentials"), store, HostKeyStore(root / "known_hosts")
        )
        targets = [Target(d.ip, d.ssh_port, d.netconf_port) for d in demo_lab.devices]
        results = DiscoveryService(resolver, store, workers=8).discover(targets)
        yield {demo_lab.device(r.target.ip_address).hostname: r for r in results}


@pytest.fixture
def lab_login() -> Callable[[LabDevice], DeviceLogin]:
    """Return a function giving the DeviceLogin of a lab device."""

    def login(device: LabDevice) -> DeviceLogin:
        return DeviceLogin(
            device.ip,
            LAB_USERNAME,
            LAB_PASSWORD,
            ssh_port=device.ssh_port,
            netconf_port=device.netconf_port,
            connect_timeout_s=3,
            command_timeout_s=20,
        )

    return login


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db", flush_delay_s=0.01) as opened:
        yield opened


@pytest.fixture
def settings() -> Settings:
    return Settings(connect_timeout_s=3, command_timeout_s=20, netconf_start_wait_s=20)


@pytest.fixture
def resolver(tmp_path: Path, store: Store, settings: Settings) -> LoginResolver:
    host_keys = HostKeyStore(tmp_path / "known_hosts")
    return LoginResolver(settings, _credentials(tmp_path / "credentials"), store, host_keys)


@pytest.fixture
def service(resolver: LoginResolver, store: Store) -> DiscoveryService:
    return DiscoveryService(resolver, store, workers=8)
