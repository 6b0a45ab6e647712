"""Tests of the credential store with the file backend and a real keyring backend."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from xeapp import credentials as credentials_module
from xeapp.credentials import Credentials, CredentialStore, usable_keyring
from xeapp.errors import CredentialsError, InvalidInputError
from xeapp.logs import REDACTED, redact


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, for hosts without an OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def file_store(tmp_path: Path) -> CredentialStore:
    return CredentialStore(tmp_path)


def test_no_credentials_by_default(file_store: CredentialStore) -> None:
    assert file_store.get() is None
    with pytest.raises(CredentialsError, match="xeapp credentials set"):
        file_store.require("10.0.0.1")


def test_file_backend_stores_user_only(file_store: CredentialStore, tmp_path: Path) -> None:
    file_store.set(Credentials("admin", "file-pw-5d1c", "enable-7a2e"))

    assert file_store.get() == Credentials("admin", "file-pw-5d1c", "enable-7a2e")
    secrets = tmp_path / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "file-pw-5d1c" not in (tmp_path / "credentials.json").read_text()


def test_file_backend_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credentials_module, "_file_warning_logged", False)
    store = CredentialStore(tmp_path)

    with caplog.at_level(logging.WARNING):
        store.set(Credentials("admin", "warn-pw-1"))
        store.set(Credentials("admin", "warn-pw-2"), "10.0.0.1")

    assert caplog.text.count("no usable OS keyring") == 1


def test_device_override_wins(file_store: CredentialStore) -> None:
    file_store.set(Credentials("admin", "app-pw-83b1"))
    file_store.set(Credentials("local", "device-pw-0c4f"), "10.0.0.7")

    assert file_store.require("10.0.0.7").username == "local"
    assert file_store.require("10.0.0.8").username == "admin"
    assert file_store.overrides() == ["10.0.0.7"]


def test_clear_override_falls_back(file_store: CredentialStore) -> None:
    file_store.set(Credentials("admin", "app-pw-83b1"))
    file_store.set(Credentials("local", "device-pw-0c4f"), "10.0.0.7")

    assert file_store.clear("10.0.0.7") is True
    assert file_store.require("10.0.0.7").username == "admin"
    assert file_store.clear("10.0.0.7") is False


def test_environment_overrides_stored(
    file_store: CredentialStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    file_store.set(Credentials("admin", "stored-pw-aa10"))
    monkeypatch.setenv("XEAPP_USERNAME", "automation")
    monkeypatch.setenv("XEAPP_PASSWORD", "env-pw-9f3e")

    assert file_store.require() == Credentials("automation", "env-pw-9f3e")
    assert file_store.describe()["source"] == "environment"
    assert "env-pw-9f3e" not in (tmp_path / "secrets.json").read_text()


def test_environment_alone_suffices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XEAPP_USERNAME", "automation")
    monkeypatch.setenv("XEAPP_PASSWORD", "env-only-pw-41c2")

    store = CredentialStore(tmp_path)

    assert store.require("10.0.0.1").password == "env-only-pw-41c2"
    assert redact("env-only-pw-41c2") == REDACTED
    assert not (tmp_path / "secrets.json").exists()


def test_secrets_registered_for_redaction(file_store: CredentialStore) -> None:
    file_store.set(Credentials("admin", "set-pw-6e0d", "set-enable-19bb"))

    assert redact("login set-pw-6e0d / set-enable-19bb") == f"login {REDACTED} / {REDACTED}"


def test_loaded_secrets_registered(tmp_path: Path) -> None:
    secrets = {"app": {"password": "loaded-pw-c7d5"}}
    (tmp_path / "secrets.json").write_text(json.dumps(secrets))
    (tmp_path / "credentials.json").write_text(
        json.dumps({"app": {"username": "admin", "storage": "file"}})
    )

    assert CredentialStore(tmp_path).require().password == "loaded-pw-c7d5"
    assert redact("loaded-pw-c7d5") == REDACTED


def test_repr_hides_secrets() -> None:
    assert "repr-pw" not in repr(Credentials("admin", "repr-pw", "repr-enable"))


def test_describe_shows_no_secret(file_store: CredentialStore) -> None:
    file_store.set(Credentials("admin", "describe-pw-2b90"))

    description = file_store.describe()

    assert description == {
        "scope": "app",
        "username": "admin",
        "password_set": True,
        "enable_secret_set": False,
        "source": "file",
    }


def test_keyring_backend_used(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = CredentialStore(tmp_path, backend)

    store.set(Credentials("admin", "keyring-pw-e11a", "keyring-enable-3f"), "10.0.0.5")

    assert store.require("10.0.0.5").enable_secret == "keyring-enable-3f"
    assert "keyring-pw-e11a" in backend.items.values()
    assert not (tmp_path / "secrets.json").exists()
    assert store.clear("10.0.0.5") is True
    assert backend.items == {}


def test_invalid_device_address(file_store: CredentialStore) -> None:
    with pytest.raises(InvalidInputError, match="invalid device address 'core-sw1'"):
        file_store.set(Credentials("admin", "x-pw-77"), "core-sw1")


def test_empty_password_rejected(file_store: CredentialStore) -> None:
    with pytest.raises(InvalidInputError, match="a username and a password are required"):
        file_store.set(Credentials("admin", ""))


def test_fail_keyring_not_usable(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    import keyring.backends.fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: keyring.backends.fail.Keyring())

    assert usable_keyring() is None
