"""Tests of the discovery sweep with a stand-in reader: progress, cancel, Offline, storage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.credentials import Credentials, CredentialStore
from xeapp.devicefacts import DeviceFacts, MemberFacts
from xeapp.discovery import DiscoveryResult, DiscoveryService
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.logins import LoginResolver
from xeapp.errors import AuthenticationError, UnreachableError
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.targets import Target


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db", flush_delay_s=0.01) as opened:
        yield opened


@pytest.fixture
def resolver(tmp_path: Path, store: Store) -> LoginResolver:
    (tmp_path / "creds").mkdir()
    credentials = CredentialStore(tmp_path / "creds", keyring_backend=None)
    credentials.set(Credentials("admin", "lab-password"))
    return LoginResolver(Settings(ssh_port=2222, netconf_port=8830), credentials, store)


def online(login: DeviceLogin) -> DeviceFacts:
    return DeviceFacts(
        ip_address=login.host,
        ssh_port=login.ssh_port,
        netconf_port=login.netconf_port,
        hostname=f"SW-{login.host.rsplit('.', 1)[1]}",
        pid="C9300-24T",
        device_role="Switch",
        current_version="17.09.04a",
        members=[MemberFacts(1, pid="C9300-24T", filesystem="flash:", free_bytes=5)],
        status="Online",
        netconf_state="Enabled",
        source="netconf",
    )


def test_results_stored_with_ports(store: Store, resolver: LoginResolver) -> None:
    service = DiscoveryService(resolver, store, workers=4, reader=online)
    service.discover([Target("127.0.0.21")])
    record = store.get_device("127.0.0.21")
    assert record is not None
    assert record["hostname"] == "SW-21"
    assert record["ssh_port"] == 2222
    assert record["members"][0]["free_bytes"] == 5


def test_progress_per_device(store: Store, resolver: LoginResolver) -> None:
    seen: list[tuple[str, int, int]] = []

    def progress(result: DiscoveryResult, done: int, total: int) -> None:
        seen.append((result.target.ip_address, done, total))

    service = DiscoveryService(resolver, store, workers=4, reader=online)
    targets = [Target(f"127.0.0.{n}") for n in range(21, 26)]
    service.discover(targets, progress)
    assert sorted(ip for ip, _, _ in seen) == [t.ip_address for t in targets]
    assert [done for _, done, _ in seen] == [1, 2, 3, 4, 5]


def test_slow_device_does_not_stall_others(store: Store, resolver: LoginResolver) -> None:
    release = threading.Event()
    finished: list[str] = []

    def reader(login: DeviceLogin) -> DeviceFacts:
        if login.host == "127.0.0.21":
            release.wait(10)
        return online(login)

    def progress(result: DiscoveryResult, done: int, total: int) -> None:
        finished.append(result.target.ip_address)
        if done == total - 1:
            release.set()

    service = DiscoveryService(resolver, store, workers=4, reader=reader)
    service.discover([Target(f"127.0.0.{n}") for n in range(21, 29)], progress)
    assert finished[-1] == "127.0.0.21"


def test_offline_keeps_last_known_data(store: Store, resolver: LoginResolver) -> None:
    DiscoveryService(resolver, store, workers=1, reader=online).discover([Target("127.0.0.21")])

    def unreachable(login: DeviceLogin) -> DeviceFacts:
        raise UnreachableError(login.host, "ssh connect", "connection refused on port 2222")

    service = DiscoveryService(resolver, store, workers=1, reader=unreachable)
    [result] = service.discover([Target("127.0.0.21")])
    assert not result.online
    record = store.get_device("127.0.0.21")
    assert record is not None
    assert record["status"] == "Offline"
    assert "connection refused" in record["last_error"]
    assert record["hostname"] == "SW-21"
    assert record["current_version"] == "17.09.04a"


def test_new_offline_device_is_stored(store: Store, resolver: LoginResolver) -> None:
    def rejected(login: DeviceLogin) -> DeviceFacts:
        raise AuthenticationError(login.host, "ssh connect", "authentication failed")

    DiscoveryService(resolver, store, workers=1, reader=rejected).discover([Target("127.0.0.31")])
    record = store.get_device("127.0.0.31")
    assert record is not None
    assert record["status"] == "Offline"
    assert record["device_role"] is None


def test_unexpected_error_does_not_end_sweep(store: Store, resolver: LoginResolver) -> None:
    def broken(login: DeviceLogin) -> DeviceFacts:
        if login.host == "127.0.0.21":
            raise RuntimeError("bug")
        return online(login)

    service = DiscoveryService(resolver, store, workers=2, reader=broken)
    results = service.discover([Target("127.0.0.21"), Target("127.0.0.22")])
    assert sorted(r.online for r in results) == [False, True]


def test_stored_ports_kept(store: Store, resolver: LoginResolver) -> None:
    store.upsert_device({"ip_address": "127.0.0.41", "ssh_port": 2299, "netconf_port": 8899})
    login = resolver.login("127.0.0.41")
    assert (login.ssh_port, login.netconf_port) == (2299, 8899)


def test_given_ports_override_stored(store: Store, resolver: LoginResolver) -> None:
    store.upsert_device({"ip_address": "127.0.0.41", "ssh_port": 2299, "netconf_port": 8899})
    login = resolver.login("127.0.0.41", ssh_port=2201)
    assert login.ssh_port == 2201


def test_csv_username_replaces_stored(resolver: LoginResolver) -> None:
    assert resolver.login("127.0.0.41", username="ops").username == "ops"


def test_cancel_skips_devices_not_started(store: Store, resolver: LoginResolver) -> None:
    started = threading.Event()
    release = threading.Event()

    def reader(login: DeviceLogin) -> DeviceFacts:
        started.set()
        release.wait(10)
        return online(login)

    service = DiscoveryService(resolver, store, workers=2, reader=reader)
    sweep = service.start([Target(f"127.0.0.{n}") for n in range(50, 70)])
    assert started.wait(5)
    sweep.cancel()
    release.set()
    assert sweep.wait(10)
    assert sweep.cancelled
    assert len(sweep.results) == 2
    assert store.get_device("127.0.0.69") is None


def test_empty_sweep_is_done(store: Store, resolver: LoginResolver) -> None:
    assert DiscoveryService(resolver, store, workers=1, reader=online).start([]).done


def test_sweep_runs_concurrently(store: Store, resolver: LoginResolver) -> None:
    def slow(login: DeviceLogin) -> DeviceFacts:
        time.sleep(0.2)
        return online(login)

    service = DiscoveryService(resolver, store, workers=10, reader=slow)
    started = time.monotonic()
    service.discover([Target(f"127.0.0.{n}") for n in range(21, 31)])
    assert time.monotonic() - started < 1.0
