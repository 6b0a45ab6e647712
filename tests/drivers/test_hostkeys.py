"""Tests of the host key store: first contact, a known key, a changed key, the file."""

from __future__ import annotations

from pathlib import Path

import paramiko

from xeapp.hostkeys import HostKeyChange, HostKeyStatus, HostKeyStore, host_entry


def test_first_contact_records_key(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    key = paramiko.ECDSAKey.generate()
    assert store.check("127.0.0.5", 2222, key) is HostKeyStatus.NEW
    assert "[127.0.0.5]:2222" in (tmp_path / "known_hosts").read_text()


def test_known_key_matches_after_reload(tmp_path: Path) -> None:
    key = paramiko.ECDSAKey.generate()
    HostKeyStore(tmp_path / "known_hosts").check("127.0.0.5", 2222, key)
    assert HostKeyStore(tmp_path / "known_hosts").check("127.0.0.5", 2222, key) is (
        HostKeyStatus.MATCH
    )


def test_changed_key_warns_and_reports(tmp_path: Path, caplog: object) -> None:
    seen: list[HostKeyChange] = []
    store = HostKeyStore(tmp_path / "known_hosts", on_change=seen.append)
    old, new = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    store.check("127.0.0.5", 830, old)

    assert store.check("127.0.0.5", 830, new) is HostKeyStatus.CHANGED
    assert len(seen) == 1
    assert seen[0].old_fingerprint == old.fingerprint
    assert seen[0].new_fingerprint == new.fingerprint
    assert store.changes == seen
    assert "HOST KEY CHANGED" in caplog.text  # type: ignore[attr-defined]


def test_changed_key_warns_once(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    old, new = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    store.check("127.0.0.5", 830, old)
    store.check("127.0.0.5", 830, new)
    assert store.check("127.0.0.5", 830, new) is HostKeyStatus.MATCH


def test_ports_are_separate_entries(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    store.check("127.0.0.5", 22, paramiko.ECDSAKey.generate())
    assert store.check("127.0.0.5", 830, paramiko.ECDSAKey.generate()) is HostKeyStatus.NEW


def test_port_22_entry_is_bare_address() -> None:
    assert host_entry("127.0.0.5", 22) == "127.0.0.5"


def test_file_is_private(tmp_path: Path) -> None:
    HostKeyStore(tmp_path / "known_hosts").check("127.0.0.5", 22, paramiko.ECDSAKey.generate())
    assert (tmp_path / "known_hosts").stat().st_mode & 0o077 == 0
