"""What xeapp knows about a device after one read: facts per device and per stack member.

Discovery fills these from NETCONF and the CLI; pre-checks and upgrades read them. `to_dict`
returns plain JSON types only (str, int, bool, None, list, dict), so the store keeps them as they
are, and `from_dict` accepts what `to_dict` wrote, ignoring keys it does not know.
Sizes are in bytes; times are ISO 8601 strings with their UTC offset, as the device reports them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

INSTALL_MODE = "INSTALL"
BUNDLE_MODE = "BUNDLE"

STATUS_ONLINE = "Online"
STATUS_OFFLINE = "Offline"

NETCONF_ENABLED = "Enabled"
NETCONF_DISABLED = "Disabled"

SOURCE_NETCONF = "netconf"
SOURCE_SSH = "ssh"

# Install package states as `show install summary` prints them.
PACKAGE_INACTIVE = "I"
PACKAGE_UNCOMMITTED = "U"
PACKAGE_COMMITTED = "C"
PACKAGE_DEACTIVATED = "D"


def _known_keys(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass
class MemberFacts:
    """A stack member, a supervisor or, for a standalone device, the chassis itself."""

    number: int
    role: str = ""  # "Active", "Standby" or "Member", as `show switch` prints it
    pid: str = ""
    serial_number: str = ""
    state: str = ""  # "Ready", "V-Mismatch", "Provisioned", ...
    version: str = ""
    filesystem: str = ""  # "flash-1:" on a stack member, "flash:" or "bootflash:" otherwise
    total_bytes: int | None = None
    free_bytes: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MemberFacts:
        """Build a member from a `to_dict` mapping; raises KeyError when `number` is missing."""
        return cls(**_known_keys(cls, data))


@dataclass
class BootVariable:
    """The BOOT variable of one member or supervisor, for the running image and next reload."""

    location: str = ""  # "Switch 1", "R0"; empty on a device that prints one block
    current: list[str] = field(default_factory=list)  # e.g. ["flash:packages.conf"]
    next_reload: list[str] = field(default_factory=list)
    manual_boot: bool | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BootVariable:
        """Build a boot variable from a `to_dict` mapping."""
        return cls(**_known_keys(cls, data))


@dataclass
class InstallPackage:
    """A row of `show install summary`: a package, its state and where it has that state."""

    filename: str  # the package version or file name as printed, e.g. "17.15.03.0.5371"
    state: str  # one of the PACKAGE_* letters
    package_type: str = "IMG"  # "IMG" or "SMU"
    locations: list[str] = field(default_factory=list)  # ["Switch 1", "Switch 2"], ["R0", "R1"]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstallPackage:
        """Build a package row from a `to_dict` mapping; raises KeyError on a missing field."""
        return cls(**_known_keys(cls, data))


@dataclass
class InstallState:
    """The install state of a device: packages per location, pending operation, auto-abort."""

    packages: list[InstallPackage] = field(default_factory=list)
    operation_in_progress: str | None = None
    # "inactive", or the timer text the device prints, e.g. "active, time before rollback - ..."
    auto_abort_timer: str | None = None

    @property
    def uncommitted(self) -> bool:
        """True when a package is activated but not committed on some location."""
        return any(p.state == PACKAGE_UNCOMMITTED for p in self.packages)

    @property
    def auto_abort_active(self) -> bool:
        """True when the auto-abort timer runs, so the device rolls back when it expires."""
        timer = (self.auto_abort_timer or "").strip().lower()
        return bool(timer) and not timer.startswith("inactive")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstallState:
        """Build the install state from a `to_dict` mapping."""
        packages = [InstallPackage.from_dict(p) for p in data.get("packages", [])]
        return cls(
            packages=packages,
            operation_in_progress=data.get("operation_in_progress"),
            auto_abort_timer=data.get("auto_abort_timer"),
        )


@dataclass
class DeviceFacts:
    """Everything one read (discovery or a pre-check) learned about a device.

    A field is None or empty when the read could not learn it; an Offline device keeps the last
    known values and sets `last_error`.
    """

    ip_address: str
    ssh_port: int | None = None
    netconf_port: int | None = None
    hostname: str = ""
    pid: str = ""  # chassis PID, or the active member's PID on a stack
    serial_number: str = ""
    device_role: str = ""  # "Switch" or "Router"
    platform_family: str = ""
    current_version: str = ""
    rommon_version: str = ""
    boot_time: str | None = None
    last_reboot_reason: str | None = None
    install_mode: str | None = None  # INSTALL_MODE or BUNDLE_MODE
    filesystem: str = ""  # the filesystem images go to on the active member
    boot_variables: list[BootVariable] = field(default_factory=list)
    romvars: dict[str, str] = field(default_factory=dict)  # ROMMON variables of interest
    install_state: InstallState | None = None
    unsaved_config: bool | None = None  # running configuration differs from startup
    members: list[MemberFacts] = field(default_factory=list)
    netconf_state: str | None = None  # NETCONF_ENABLED or NETCONF_DISABLED
    status: str = STATUS_OFFLINE
    last_error: str | None = None
    source: str | None = None  # SOURCE_NETCONF or SOURCE_SSH
    last_seen: str | None = None  # when the device last answered, ISO 8601 UTC
    # What a partial read could not learn, e.g. "show romvar: the device rejected ...".
    read_errors: list[str] = field(default_factory=list)

    @property
    def is_stack(self) -> bool:
        """True when more than one member (stack member or supervisor) was found."""
        return len(self.members) > 1

    def member(self, number: int) -> MemberFacts | None:
        """Return the member with that number, or None."""
        for candidate in self.members:
            if candidate.number == number:
                return candidate
        return None

    def active_member(self) -> MemberFacts | None:
        """Return the Active member, the first member when no role is known, or None."""
        for candidate in self.members:
            if candidate.role == "Active":
                return candidate
        return self.members[0] if self.members else None

    def to_dict(self) -> dict[str, Any]:
        """Return the facts as a mapping of JSON types, ready for the store or `--json`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceFacts:
        """Build facts from a `to_dict` mapping or a store record.

        Raises KeyError when `ip_address` is missing.
        """
        values = _known_keys(cls, data)
        values["members"] = [MemberFacts.from_dict(m) for m in data.get("members") or []]
        values["boot_variables"] = [
            BootVariable.from_dict(b) for b in data.get("boot_variables") or []
        ]
        install = data.get("install_state")
        values["install_state"] = InstallState.from_dict(install) if install else None
        values["romvars"] = dict(data.get("romvars") or {})
        return cls(**values)
