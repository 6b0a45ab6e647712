"""Non-secret settings, validated and saved to `settings.json` in the data directory."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xeapp.datadir import atomic_write, move_aside
from xeapp.errors import InvalidInputError

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """Every non-secret setting; times are in seconds."""

    ui_host: str = "127.0.0.1"
    ui_port: int = 8765
    image_server_bind: str = "0.0.0.0"
    image_server_port: int = 80
    image_server_fallback_port: int = 8080
    # Address put in the copy URLs devices fetch images from; None means the address of the
    # interface that routes to the device.
    image_server_address: str | None = None
    discovery_workers: int = 32
    max_parallel_upgrades: int = 10
    connect_timeout_s: int = 10
    command_timeout_s: int = 60
    reload_timeout_s: int = 2700
    netconf_start_wait_s: int = 120
    missed_job_grace_s: int = 300
    upgrade_poll_interval_s: int = 5
    # How long a device may keep answering after install printed SUCCESS before the job decides
    # it will not reload.
    upgrade_down_timeout_s: int = 600
    upgrade_install_timeout_s: int = 3600
    # Auto-abort timer of a two-phase upgrade, in minutes.
    auto_abort_minutes: int = 60
    ssh_port: int = 22
    netconf_port: int = 830
    ui_password_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        """Raise InvalidInputError naming the first key whose value is out of range."""
        for key, value in self.to_dict().items():
            check_value(key, value)


_PORT = (1, 65535)
AUTO_ABORT_MINUTES = (30, 1200)
# Allowed range of each integer setting, both ends included.
INT_RANGES: dict[str, tuple[int, int]] = {
    "ui_port": _PORT,
    "image_server_port": _PORT,
    "image_server_fallback_port": _PORT,
    "ssh_port": _PORT,
    "netconf_port": _PORT,
    "discovery_workers": (1, 512),
    "max_parallel_upgrades": (1, 200),
    "connect_timeout_s": (1, 600),
    "command_timeout_s": (1, 3600),
    "reload_timeout_s": (60, 6 * 3600),
    "netconf_start_wait_s": (0, 1800),
    "missed_job_grace_s": (0, 7 * 24 * 3600),
    "upgrade_poll_interval_s": (1, 300),
    "upgrade_down_timeout_s": (30, 6 * 3600),
    "upgrade_install_timeout_s": (60, 6 * 3600),
    # The range Cisco-IOS-XE-install-rpc (17.9.1) gives its auto-abort-timer-val leaf.
    "auto_abort_minutes": AUTO_ABORT_MINUTES,
}
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*$"
)
_IP_KEYS = ("ui_host", "image_server_bind")
_NULLABLE_KEYS = ("image_server_address", "ui_password_hash")


def _field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Settings))


def check_value(key: str, value: Any) -> None:
    """Raise InvalidInputError unless `value` is allowed for setting `key`."""
    if key not in _field_names():
        raise InvalidInputError(
            f"unknown setting {key!r}; known settings: {', '.join(_field_names())}"
        )
    if key in INT_RANGES:
        low, high = INT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInputError(_int_error(key, value))
    elif key in _IP_KEYS:
        if not isinstance(value, str) or not _is_ip_address(value):
            raise InvalidInputError(
                f"invalid value {value!r} for setting {key}: expected an IPv4 or IPv6 address"
            )
    elif key == "image_server_address":
        if value is not None and not (
            isinstance(value, str) and (_is_ip_address(value) or _is_host_name(value))
        ):
            raise InvalidInputError(
                f"invalid value {value!r} for setting {key}: expected an IP address, "
                "a host name, or null for the address of the interface facing the device"
            )
    elif key == "ui_password_hash" and value is not None and not (isinstance(value, str) and value):
        raise InvalidInputError(
            f"invalid value for setting {key}: expected a non-empty password hash or null"
        )


def _is_host_name(value: str) -> bool:
    # A name made of numbers and dots only would be read as an IPv4 address, so it must be one.
    if re.fullmatch(r"[0-9.]+", value):
        return False
    return _HOSTNAME.match(value) is not None


def parse_value(key: str, text: str) -> Any:
    """Convert a setting typed on the command line to its type and check it.

    "none" and "null" give None for the settings that allow it. Raises InvalidInputError.
    """
    if key in INT_RANGES:
        try:
            value: Any = int(text)
        except ValueError:
            raise InvalidInputError(_int_error(key, text)) from None
    elif key in _NULLABLE_KEYS and text.lower() in ("none", "null", ""):
        value = None
    else:
        value = text
    check_value(key, value)
    return value


def _int_error(key: str, value: Any) -> str:
    low, high = INT_RANGES[key]
    return f"invalid value {value!r} for setting {key}: expected an integer from {low} to {high}"


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def load_settings(path: Path, *, repair: bool = True) -> Settings:
    """Read settings from `path`; a missing file gives the defaults.

    An unreadable file, or one with an unknown key or an invalid value, gets a warning and
    its valid values are kept while the rest fall back to their defaults. With `repair`
    (only for a process holding the data directory lock), the file is also moved aside,
    kept under a timestamped name, and the repaired settings are written in its place.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("expected a JSON object")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("settings file %s is unreadable (%s); using the defaults", path, exc)
        if repair:
            log.warning(
                "moved unreadable settings file %s to %s", path, move_aside(path, "corrupt")
            )
        return Settings()

    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        try:
            check_value(key, value)
        except InvalidInputError as exc:
            problems.append(str(exc))
        else:
            values[key] = value
    settings = Settings(**values)
    for problem in problems:
        log.warning("settings file %s: %s; using the default", path, problem)
    if problems and repair:
        kept = move_aside(path, "invalid")
        save_settings(settings, path)
        log.warning("moved settings file %s to %s and saved the repaired settings", path, kept)
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Validate `settings` and write them to `path` atomically."""
    settings.validate()
    text = json.dumps(settings.to_dict(), indent=2, sort_keys=True) + "\n"
    atomic_write(path, text.encode("utf-8"))


def set_setting(settings: Settings, key: str, value: Any) -> Settings:
    """Return a copy of `settings` with `key` set to `value`; raises InvalidInputError."""
    check_value(key, value)
    return dataclasses.replace(settings, **{key: value})
