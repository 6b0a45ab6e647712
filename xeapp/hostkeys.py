"""SSH host keys of managed devices: recorded on first contact, a warning when one changes.

The keys live in an OpenSSH `known_hosts` file in the data directory, one entry per address and
port (`[127.0.0.5]:2222` for a port other than 22), so the user's own `~/.ssh/known_hosts` is
never read or written. Both drivers call `HostKeyStore.check` after every connection.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import paramiko

log = logging.getLogger(__name__)


class HostKeyStatus(StrEnum):
    """Outcome of comparing a device's host key with the recorded one."""

    NEW = "new"
    MATCH = "match"
    CHANGED = "changed"


@dataclass(frozen=True)
class HostKeyChange:
    """A host key that differs from the one recorded for the same address and port."""

    host: str
    port: int
    key_type: str
    old_fingerprint: str
    new_fingerprint: str
    detected_at: str  # ISO 8601 UTC


def fingerprint(key: paramiko.PKey) -> str:
    """Return the SHA256 fingerprint of a key as OpenSSH prints it ("SHA256:...")."""
    return key.fingerprint


def host_entry(host: str, port: int) -> str:
    """Return the known_hosts name of an address and port, bracketed when the port is not 22."""
    return host if port == 22 else f"[{host}]:{port}"


class HostKeyStore:
    """A known_hosts file shared by all driver threads.

    `on_change` is called with a HostKeyChange each time a device presents a different key;
    `changes` keeps every change seen by this process so the UI and CLI can show them.
    """

    def __init__(
        self,
        path: str | Path | None,
        on_change: Callable[[HostKeyChange], None] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.on_change = on_change
        self.changes: list[HostKeyChange] = []
        self._lock = threading.Lock()
        self._keys = paramiko.HostKeys()
        if self.path is not None and self.path.exists():
            try:
                self._keys.load(str(self.path))
            except (OSError, paramiko.SSHException) as exc:
                log.warning("cannot read known hosts file %s, starting empty: %s", self.path, exc)

    def check(self, host: str, port: int, key: paramiko.PKey) -> HostKeyStatus:
        """Compare `key` with the recorded key of host:port and record it when new or changed.

        Returns NEW on first contact, MATCH when the key is the recorded one, CHANGED when it
        differs. A changed key is logged as a warning, added to `changes` and passed to
        `on_change`; the new key then replaces the old one so the warning is raised once
        per change. Never raises for a file it cannot write; it logs the error instead.
        """
        name = host_entry(host, port)
        key_type = key.get_name()
        with self._lock:
            known = self._keys.lookup(name)
            old = known.get(key_type) if known is not None else None
            if old is not None and old.asbytes() == key.asbytes():
                return HostKeyStatus.MATCH

            # NOTE: a changed key is accepted after the warning because a reloaded or replaced
            # device (RMA) presents a new key; the user decides from the warning.
            self._keys.add(name, key_type, key)
            self._save()

        if old is None and known:
            log.warning(
                "%s:%d: SSH host key type changed to %s (%s); recorded it",
                host,
                port,
                key_type,
                fingerprint(key),
            )
        if old is None:
            log.info("%s:%d: recorded SSH host key %s %s", host, port, key_type, fingerprint(key))
            return HostKeyStatus.NEW

        change = HostKeyChange(
            host, port, key_type, fingerprint(old), fingerprint(key), datetime.now(UTC).isoformat()
        )
        log.warning(
            "%s:%d: SSH HOST KEY CHANGED: %s was %s, is now %s; the device was replaced or "
            "reinstalled, or something else answers at this address",
            host,
            port,
            key_type,
            change.old_fingerprint,
            change.new_fingerprint,
        )
        with self._lock:
            self.changes.append(change)
        if self.on_change is not None:
            self.on_change(change)
        return HostKeyStatus.CHANGED

    def _save(self) -> None:
        if self.path is None:
            return
        temporary: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".known_hosts.")
            os.close(handle)
            self._keys.save(temporary)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
            temporary = None
        except OSError as exc:
            log.error("cannot write known hosts file %s: %s", self.path, exc)
        finally:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
