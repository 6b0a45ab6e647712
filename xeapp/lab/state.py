"""State of one simulated IOS-XE device, shared by the lab's SSH CLI and NETCONF servers.

Both servers read and change a device only through a `DeviceState` and only while holding its
`lock`. Sizes are in bytes. Files keep their size and MD5, never their content, so a lab of
200 devices holding 1 GB images stays small in memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class LabFile:
    """A file on a device filesystem, described by its size and MD5 only."""

    name: str
    size: int
    md5: str
    mtime: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Filesystem:
    """One flash partition of a stack member (`flash-1:`) or a router (`bootflash:`)."""

    name: str
    total_bytes: int
    # Space taken by files the lab does not list (crash files, licences, the running packages).
    reserved_bytes: int = 0
    files: dict[str, LabFile] = field(default_factory=dict)

    @property
    def used_bytes(self) -> int:
        return self.reserved_bytes + sum(f.size for f in self.files.values())

    @property
    def free_bytes(self) -> int:
        return max(0, self.total_bytes - self.used_bytes)


@dataclass
class Member:
    """A stack member, a supervisor or, for a standalone device, the chassis itself."""

    number: int
    pid: str
    serial: str
    role: str  # "Active", "Standby" or "Member", as `show switch` prints it
    state: str  # "Ready", "V-Mismatch", "Provisioned", "Removed", ...
    mac: str
    hw_version: str
    filesystem: Filesystem
    priority: int = 1
    version: str | None = None  # None means the device version; set for a V-Mismatch member
    # Model as `show version` prints it where it drops the PID's suffix: a WS-C3850-24P-E
    # shows WS-C3850-24P there and its full PID only in `show inventory`. Empty means `pid`.
    model: str = ""

    @property
    def version_model(self) -> str:
        return self.model or self.pid


@dataclass
class InstallPackage:
    """A row of `show install summary`: an image package and its state on the members."""

    version: str  # as install prints it, "17.12.04.0.5678"
    state: str  # "I" inactive, "U" activated and uncommitted, "C" committed, "D" deactivated
    filename: str = ""  # the .bin the package was added from, when known


@dataclass
class InstallState:
    packages: list[InstallPackage] = field(default_factory=list)
    operation_in_progress: str | None = None  # e.g. "install_add_activate_commit"
    auto_abort_deadline: float | None = None  # time.monotonic() value; None when inactive
    # Version to return to when the auto-abort timer expires or `install abort` runs.
    rollback_version: str | None = None


@dataclass(frozen=True)
class SavedConfig:
    """The settings of the startup configuration, which a reload loads back into the running one."""

    hostname: str
    boot_system: tuple[str, ...]
    file_prompt_quiet: bool
    http_client_source_interface: str | None
    netconf_enabled: bool
    extra_lines: tuple[str, ...]


@dataclass
class Platform:
    """Per-model wording and layout choices of the CLI outputs, taken from the device's profile."""

    software_name: str = "Catalyst L3 Switch Software (CAT9K_IOSXE)"
    sw_image: str = "CAT9K_IOSXE"  # the "SW Image" column of a switch's show version
    processor: str = "cisco C9300-48P (X86) processor with 1419496K/6147K bytes of memory."
    interface_lines: list[str] = field(default_factory=lambda: ["48 Gigabit Ethernet interfaces"])
    memory_kb: int = 8388608
    chassis_descr: str = "Cisco Catalyst 9300 Series Chassis"
    config_register: str = "0x102"
    # The switch's BOOTLDR line of `show version` after "BOOTLDR: "; {version} is the ROMMON.
    bootldr: str = "System Bootstrap, Version {version}, RELEASE SOFTWARE (P)"
    # "switch": `show romvar` prints KEY=value under a header, `show boot` per-switch blocks.
    # "router": ` KEY = value` lines and the flat `show boot` layout of routers.
    layout: str = "switch"


@dataclass
class DeviceState:
    """Complete state of one simulated device."""

    hostname: str
    profile: str  # profile name, e.g. "c9300-stack3"
    chassis_pid: str  # chassis PID shown by show version / show inventory
    device_kind: str  # "switch" or "router", chooses the output layouts
    version: str  # running IOS-XE version, e.g. "17.9.4a"
    image_name: str  # image the device booted, e.g. "cat9k_iosxe.17.09.04a.SPA.bin"
    mode: str  # "INSTALL" or "BUNDLE", as show version prints it
    rommon_version: str  # e.g. "17.6.1r"
    boot_current: list[str]  # running BOOT variable entries, e.g. ["flash:packages.conf"]
    boot_next: list[str]  # BOOT variable on next reload
    romvars: dict[str, str]  # ROMMON variables besides BOOT
    members: list[Member]
    install: InstallState = field(default_factory=InstallState)
    username: str = "admin"
    password: str = "admin"
    enable_secret: str | None = None
    netconf_enabled: bool = True
    netconf_ready_at: float = 0.0  # time.monotonic() from which NETCONF sessions succeed
    config_saved: bool = True
    running_config: list[str] = field(default_factory=list)
    # Lines `show startup-config` prints and the settings a reload restores; empty and None
    # until the lab starts or the configuration is first saved.
    startup_config: list[str] = field(default_factory=list)
    saved_config: SavedConfig | None = None
    file_prompt_quiet: bool = False
    http_client_source_interface: str | None = None
    boot_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_reload_reason: str = "Reload Command"
    # Fault name -> parameters, see the lab's fault catalogue.
    faults: dict[str, dict[str, object]] = field(default_factory=dict)
    # Verbatim command outputs and NETCONF replies a profile supplies, served as they are.
    verbatim_cli: dict[str, str] = field(default_factory=dict)
    verbatim_netconf: dict[str, str] = field(default_factory=dict)
    # Set while the device reloads: every port stops answering until this monotonic time.
    down_until: float | None = None
    platform: Platform = field(default_factory=Platform)
    # Seconds NETCONF needs after `netconf-yang` or a boot before it accepts sessions.
    netconf_start_seconds: float = 0.5
    reload_seconds: float = 1.0
    # Increases on every reload, so tests can tell a device really restarted.
    boot_count: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def active_member(self) -> Member:
        for member in self.members:
            if member.role == "Active":
                return member
        return self.members[0]

    @property
    def is_stack(self) -> bool:
        return len(self.members) > 1

    @property
    def fs_prefix(self) -> str:
        """Return the name of the main flash filesystem: "flash" for switches, else "bootflash"."""
        return "flash" if self.device_kind == "switch" else "bootflash"

    def member_filesystem(self, name: str) -> Filesystem | None:
        """Return the filesystem a prefix such as `flash:`, `flash-2:` or `bootflash:` names."""
        name = name.rstrip(":").lower()
        if name in ("flash", "bootflash"):
            return self.active_member.filesystem
        for member in self.members:
            if member.filesystem.name.rstrip(":").lower() == name:
                return member.filesystem
        return None

    def is_down(self) -> bool:
        return self.down_until is not None and time.monotonic() < self.down_until

    def netconf_ready(self) -> bool:
        return self.netconf_enabled and time.monotonic() >= self.netconf_ready_at
