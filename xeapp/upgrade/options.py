"""Timeouts and rates an upgrade job works with; seconds and bytes per second."""

from __future__ import annotations

from dataclasses import dataclass

from xeapp.settings import Settings

# Setting name -> the option it sets.
SETTING_OPTIONS = {
    "reload_timeout_s": "reload_timeout_s",
    "command_timeout_s": "command_base_timeout_s",
    "upgrade_poll_interval_s": "poll_interval_s",
    "upgrade_down_timeout_s": "down_timeout_s",
    "upgrade_install_timeout_s": "install_timeout_s",
    "auto_abort_minutes": "auto_abort_minutes",
}


@dataclass(frozen=True)
class UpgradeOptions:
    """Time limits and rates that bound each wait of a job.

    The copy and MD5 timeouts grow with the image: `base + size / rate`. The rates are
    deliberately low estimates (a copy over a slow WAN link, `verify /md5` on a busy
    supervisor), so a healthy transfer never times out.
    """

    reload_timeout_s: float = 2700.0
    poll_interval_s: float = 5.0
    # How long a device may keep answering after it printed SUCCESS before xeapp decides it
    # will not reload; also how long it waits for a device whose session dropped mid-install.
    down_timeout_s: float = 600.0
    install_timeout_s: float = 3600.0
    command_base_timeout_s: float = 60.0
    copy_min_rate_bps: float = 256 * 1024
    md5_min_rate_bps: float = 4 * 1024 * 1024
    auto_abort_minutes: int = 60

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: float) -> UpgradeOptions:
        """Return options from the settings that bound a job, then any `overrides`."""
        values: dict[str, float] = {}
        for setting, option in SETTING_OPTIONS.items():
            value = getattr(settings, setting, None)
            if value is not None:
                values[option] = float(value)
        values.update(overrides)
        if "auto_abort_minutes" in values:
            values["auto_abort_minutes"] = int(values["auto_abort_minutes"])
        return cls(**values)  # type: ignore[arg-type]

    def copy_timeout_s(self, size_bytes: int) -> float:
        """Return the time allowed for `copy http://` of an image of `size_bytes`."""
        return self.command_base_timeout_s + size_bytes / self.copy_min_rate_bps

    def md5_timeout_s(self, size_bytes: int) -> float:
        """Return the time allowed for `verify /md5` of an image of `size_bytes`."""
        return self.command_base_timeout_s + size_bytes / self.md5_min_rate_bps
