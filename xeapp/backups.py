"""Configuration backups taken before an upgrade: `backups/<ip>/<timestamp>-running.cfg` etc."""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from xeapp.datadir import atomic_write
from xeapp.errors import InvalidInputError

log = logging.getLogger(__name__)

# Lines that differ between running and startup configuration without a configuration change.
_VOLATILE = re.compile(
    r"^(Building configuration|Current configuration :|Using \d+ out of \d+ bytes|"
    r"! Last configuration change|! NVRAM config last updated|! No configuration change)"
)


@dataclass(frozen=True)
class ConfigBackup:
    """The files one backup wrote."""

    running: Path
    startup: Path


def backup_configs(
    backups_dir: Path, ip_address: str, running: str, startup: str, *, when: datetime | None = None
) -> ConfigBackup:
    """Write the running and startup configurations of a device to its backup folder.

    Files are `<backups_dir>/<ip>/<YYYYmmddTHHMMSSZ>-running.cfg` and `...-startup.cfg`, written
    atomically with mode 0600. Returns their paths. Raises InvalidInputError for
    an invalid address and OSError when a file cannot be written.
    """
    try:
        address = str(ipaddress.ip_address(ip_address))
    except ValueError:
        raise InvalidInputError(f"invalid device address {ip_address!r}") from None
    stamp = (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = backups_dir / address.replace(":", "_")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    backup = ConfigBackup(folder / f"{stamp}-running.cfg", folder / f"{stamp}-startup.cfg")
    atomic_write(backup.running, running.encode("utf-8"))
    atomic_write(backup.startup, startup.encode("utf-8"))
    log.info("%s: saved configuration backup %s", address, backup.running.name)
    return backup


def config_differs(running: str, startup: str) -> bool:
    """Return True when the running configuration differs from the startup configuration.

    Header lines that change without a configuration change (sizes, timestamps), blank lines
    and lines of only `!` are ignored.
    """
    return _significant(running) != _significant(startup)


def _significant(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r", "").split("\n")]
    return [line for line in lines if line.strip(" !") and not _VOLATILE.match(line)]
