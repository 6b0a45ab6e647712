"""Device credentials: app-wide and per device, secrets in the OS keyring or a user-only file."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
from keyring.backend import KeyringBackend

from xeapp.datadir import atomic_write, move_aside
from xeapp.errors import CredentialsError, InvalidInputError
from xeapp.logs import register_secret

log = logging.getLogger(__name__)

USERNAME_ENV = "XEAPP_USERNAME"
PASSWORD_ENV = "XEAPP_PASSWORD"
ENABLE_SECRET_ENV = "XEAPP_ENABLE_SECRET"
APP_SCOPE = "app"
INDEX_FILE = "credentials.json"
SECRETS_FILE = "secrets.json"
_SECRET_NAMES = ("password", "enable_secret")

_file_warning_lock = threading.Lock()
_file_warning_logged = False


@dataclass(frozen=True)
class Credentials:
    """A username with its password and optional enable secret; repr never shows the secrets."""

    username: str
    password: str = field(repr=False)
    enable_secret: str | None = field(default=None, repr=False)


def usable_keyring() -> KeyringBackend | None:
    """Return the OS keyring backend, or None when keyring found only its fail or null backend."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring plug-in must not stop the app
        log.warning("cannot load the OS keyring (%s); credentials go to a file", exc)
        return None
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return None
    return backend


def register_environment_secrets() -> None:
    """Register the secrets given in XEAPP_PASSWORD and XEAPP_ENABLE_SECRET for redaction."""
    register_secret(os.environ.get(PASSWORD_ENV))
    register_secret(os.environ.get(ENABLE_SECRET_ENV))


def normalize_scope(ip_address: str | None) -> str:
    """Return the storage scope of a device address, or the app-wide scope for None."""
    if ip_address is None:
        return APP_SCOPE
    try:
        return str(ipaddress.ip_address(ip_address.strip()))
    except ValueError:
        raise InvalidInputError(
            f"invalid device address {ip_address!r}: expected an IPv4 or IPv6 address"
        ) from None


class CredentialStore:
    """App-wide credentials with per-device overrides.

    Usernames, and where each secret is stored, are kept in `credentials.json`. Passwords and
    enable secrets go to `keyring_backend` when given, otherwise to `secrets.json`, readable by
    the user alone. XEAPP_USERNAME, XEAPP_PASSWORD and XEAPP_ENABLE_SECRET replace the stored
    app-wide values for this process without being stored. Every secret this class loads or
    stores is registered for log redaction.
    """

    def __init__(self, directory: Path, keyring_backend: KeyringBackend | None = None) -> None:
        self.directory = directory
        self.keyring_backend = keyring_backend
        self._service = f"xeapp:{directory.resolve()}"
        self._lock = threading.Lock()
        register_environment_secrets()

    @property
    def backend_name(self) -> str:
        """Where new secrets are stored, as shown to the user."""
        if self.keyring_backend is not None:
            return f"keyring ({type(self.keyring_backend).__name__})"
        return f"file {self.directory / SECRETS_FILE}"

    def get(self, ip_address: str | None = None) -> Credentials | None:
        """Return the credentials for a device (its override, else the app-wide ones).

        With no address, returns the app-wide credentials. None means none are set.
        """
        scope = normalize_scope(ip_address)
        with self._lock:
            if scope != APP_SCOPE and (override := self._load(scope)) is not None:
                return override
            stored = self._load(APP_SCOPE)

        username = os.environ.get(USERNAME_ENV) or (stored.username if stored else None)
        password = os.environ.get(PASSWORD_ENV) or (stored.password if stored else None)
        enable_secret = os.environ.get(ENABLE_SECRET_ENV) or (
            stored.enable_secret if stored else None
        )
        if not username or not password:
            return None
        return Credentials(username, password, enable_secret)

    def require(self, ip_address: str | None = None) -> Credentials:
        """Return the credentials for a device; raises CredentialsError when none are set."""
        credentials = self.get(ip_address)
        if credentials is None:
            raise CredentialsError(
                "no device credentials are set; run `xeapp credentials set` or set "
                f"{USERNAME_ENV} and {PASSWORD_ENV}"
            )
        return credentials

    def set(self, credentials: Credentials, ip_address: str | None = None) -> None:
        """Store credentials app-wide, or as the override for one device.

        Raises InvalidInputError for an empty username or password and CredentialsError when
        the secrets cannot be stored.
        """
        if not credentials.username or not credentials.password:
            raise InvalidInputError("a username and a password are required")
        register_secret(credentials.password)
        register_secret(credentials.enable_secret)
        scope = normalize_scope(ip_address)
        secrets = {"password": credentials.password, "enable_secret": credentials.enable_secret}

        with self._lock:
            index = self._read_index()
            old_storage = index.get(scope, {}).get("storage")
            storage = self._store_secrets(scope, secrets)
            if old_storage and old_storage != storage:
                self._delete_secrets(scope, old_storage)
            index[scope] = {"username": credentials.username, "storage": storage}
            self._write_index(index)
        log.info(
            "stored %s credentials for user %s in %s",
            _scope_label(scope),
            credentials.username,
            storage,
        )

    def clear(self, ip_address: str | None = None) -> bool:
        """Delete stored credentials (app-wide or one device's override); True if any existed."""
        scope = normalize_scope(ip_address)
        with self._lock:
            index = self._read_index()
            entry = index.pop(scope, None)
            if entry is None:
                return False
            self._delete_secrets(scope, entry.get("storage", "file"))
            self._write_index(index)
        log.info("cleared %s credentials", _scope_label(scope))
        return True

    def overrides(self) -> list[str]:
        """Return the device addresses that have their own credentials, sorted."""
        with self._lock:
            scopes = [scope for scope in self._read_index() if scope != APP_SCOPE]
        return sorted(scopes, key=ipaddress.ip_address)

    def describe(self, ip_address: str | None = None) -> dict[str, Any]:
        """Return what is set for a scope and where it comes from, without any secret."""
        scope = normalize_scope(ip_address)
        with self._lock:
            entry = self._read_index().get(scope)
        credentials = self.get(ip_address)
        if scope != APP_SCOPE and entry:
            source = entry["storage"]
        elif scope != APP_SCOPE:
            source = "app-wide" if credentials else "none"
        elif _environment_overrides():
            source = "environment"
        else:
            source = entry["storage"] if entry else "none"
        return {
            "scope": scope,
            "username": credentials.username if credentials else None,
            "password_set": bool(credentials and credentials.password),
            "enable_secret_set": bool(credentials and credentials.enable_secret),
            "source": source,
        }

    def _load(self, scope: str) -> Credentials | None:
        entry = self._read_index().get(scope)
        if entry is None:
            return None
        secrets = self._read_secrets(scope, entry.get("storage", "file"))
        password = secrets.get("password")
        if not password:
            log.warning(
                "%s credentials have no stored password; set them again", _scope_label(scope)
            )
            return None
        register_secret(password)
        register_secret(secrets.get("enable_secret"))
        return Credentials(entry["username"], password, secrets.get("enable_secret"))

    def _store_secrets(self, scope: str, secrets: dict[str, str | None]) -> str:
        if self.keyring_backend is not None:
            try:
                for name, value in secrets.items():
                    key = f"{scope}/{name}"
                    if value:
                        self.keyring_backend.set_password(self._service, key, value)
                    else:
                        _delete_keyring_item(self.keyring_backend, self._service, key)
                return "keyring"
            except keyring.errors.KeyringError as exc:
                log.warning("cannot store secrets in the keyring (%s); using a file", exc)

        _warn_file_storage(self.directory / SECRETS_FILE)
        stored = self._read_secret_file()
        stored[scope] = {name: value for name, value in secrets.items() if value}
        self._write_secret_file(stored)
        return "file"

    def _read_secrets(self, scope: str, storage: str) -> dict[str, str]:
        if storage == "keyring":
            if self.keyring_backend is None:
                log.warning(
                    "%s credentials are in the OS keyring, which is not usable now",
                    _scope_label(scope),
                )
                return {}
            secrets = {}
            for name in _SECRET_NAMES:
                value = self.keyring_backend.get_password(self._service, f"{scope}/{name}")
                if value:
                    secrets[name] = value
            return secrets
        return dict(self._read_secret_file().get(scope, {}))

    def _delete_secrets(self, scope: str, storage: str) -> None:
        if storage == "keyring" and self.keyring_backend is not None:
            for name in _SECRET_NAMES:
                _delete_keyring_item(self.keyring_backend, self._service, f"{scope}/{name}")
        elif storage == "file":
            stored = self._read_secret_file()
            if stored.pop(scope, None) is not None:
                self._write_secret_file(stored)

    def _read_index(self) -> dict[str, dict[str, str]]:
        return _read_json_object(self.directory / INDEX_FILE)

    def _write_index(self, index: dict[str, dict[str, str]]) -> None:
        atomic_write(self.directory / INDEX_FILE, json.dumps(index, indent=2).encode("utf-8"))

    def _read_secret_file(self) -> dict[str, dict[str, str]]:
        return _read_json_object(self.directory / SECRETS_FILE)

    def _write_secret_file(self, stored: dict[str, dict[str, str]]) -> None:
        # atomic_write creates the file with mode 0600 before any secret is written to it.
        atomic_write(self.directory / SECRETS_FILE, json.dumps(stored, indent=2).encode("utf-8"))


def _environment_overrides() -> bool:
    return any(os.environ.get(name) for name in (USERNAME_ENV, PASSWORD_ENV, ENABLE_SECRET_ENV))


def _scope_label(scope: str) -> str:
    return "app-wide" if scope == APP_SCOPE else f"device {scope}"


def _delete_keyring_item(backend: KeyringBackend, service: str, key: str) -> None:
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        backend.delete_password(service, key)


def _warn_file_storage(path: Path) -> None:
    global _file_warning_logged
    with _file_warning_lock:
        if _file_warning_logged:
            return
        _file_warning_logged = True
    log.warning(
        "no usable OS keyring; storing device secrets in %s, readable by this user "
        "alone but not encrypted",
        path,
    )


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        kept = move_aside(path, "corrupt")
        log.warning("credentials file %s is unreadable (%s); moved it to %s", path, exc, kept)
        return {}
    if not isinstance(data, dict):
        kept = move_aside(path, "corrupt")
        log.warning("credentials file %s is not a JSON object; moved it to %s", path, kept)
        return {}
    return data
