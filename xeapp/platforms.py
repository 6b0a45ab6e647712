"""Platforms from a product ID (PID): role, family, default filesystem and the images that fit.

PIDs are matched by their leading model number, never by a substring anywhere in the PID, so
"C9" cannot capture a router and "C3" cannot capture "ASR1001-X" or "C8300". The catalogue
covers the Catalyst 9000 and 3850/3650 switches and the ISR 4000/1100, Catalyst 8000, ASR 1000
and virtual routers. Catalyst 9800 wireless controllers run IOS-XE but are not switches or
routers for upgrade purposes, so they raise UnsupportedPlatformError like unknown PIDs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from xeapp.errors import InvalidInputError


class UnsupportedPlatformError(InvalidInputError):
    """A PID that xeapp does not know how to upgrade."""


class DeviceRole(StrEnum):
    """Role shown in the inventory; it decides the default filesystem."""

    SWITCH = "Switch"
    ROUTER = "Router"


@dataclass(frozen=True)
class Platform:
    """Upgrade facts of one PID.

    `family` is the catalogue key ("C9300", "ISR4400", ...). `filesystem` is the image
    filesystem of the active member or route processor, with the trailing colon.
    `image_families` lists the image families (file name prefixes) that boot on it.
    """

    pid: str
    family: str
    role: DeviceRole
    filesystem: str
    image_families: tuple[str, ...]

    def member_filesystem(self, member: int) -> str:
        """Return the filesystem of stack member `member` as seen from the active switch.

        Routers and a standalone switch use `filesystem`; stack members get "flash-N:".
        """
        if self.role is DeviceRole.ROUTER:
            return self.filesystem
        base = self.filesystem.rstrip(":")
        return f"{base}-{member}:"

    def fits_image(self, image_family: str | None) -> bool:
        """Return True when an image of `image_family` boots on this platform."""
        return image_family in self.image_families


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    family: str
    role: DeviceRole
    filesystem: str
    image_families: tuple[str, ...]


def _entry(pattern: str, family: str, role: DeviceRole, filesystem: str, *images: str) -> _Entry:
    return _Entry(re.compile(pattern), family, role, filesystem, images)


_S, _R = DeviceRole.SWITCH, DeviceRole.ROUTER

# First match wins, so more specific patterns come first. The C9500X and C9600 file systems
# come from their `show version` ("Bootflash at bootflash:") in tests/data; the other Catalyst
# 9000 switches print "Flash at flash:".
# NOTE: the C9400 bootflash: and the flash: of the C9500 high-performance models (C9500-32C,
# C9500-48Y4C) are not confirmed by real output in tests/data.
_CATALOGUE: tuple[_Entry, ...] = (
    _entry(r"^C9800", "C9800", _S, "bootflash:"),  # rejected in identify_platform
    _entry(r"^C9200", "C9200", _S, "flash:", "cat9k_lite_iosxe"),
    _entry(r"^C9300", "C9300", _S, "flash:", "cat9k_iosxe"),
    _entry(r"^C94\d\dR", "C9400", _S, "bootflash:", "cat9k_iosxe"),
    _entry(r"^C9500X", "C9500X", _S, "bootflash:", "cat9k_iosxe"),
    _entry(r"^C9500", "C9500", _S, "flash:", "cat9k_iosxe"),
    _entry(r"^C96\d\dR", "C9600", _S, "bootflash:", "cat9k_iosxe"),
    _entry(r"^WS-C3850", "C3850", _S, "flash:", "cat3k_caa"),
    _entry(r"^WS-C3650", "C3650", _S, "flash:", "cat3k_caa"),
    _entry(r"^ISR4461", "ISR4400V2", _R, "bootflash:", "isr4400v2"),
    _entry(r"^ISR44\d\d", "ISR4400", _R, "bootflash:", "isr4400"),
    _entry(r"^ISR43\d\d", "ISR4300", _R, "bootflash:", "isr4300"),
    _entry(r"^(?:ISR11\d\d|C11\d\d)", "ISR1100", _R, "bootflash:", "c1100"),
    _entry(r"^C8[23]\d\d", "C8200_C8300", _R, "bootflash:", "c8000be"),
    _entry(r"^C85\d\d", "C8500", _R, "bootflash:", "c8000aep"),
    _entry(r"^C8000V", "C8000V", _R, "bootflash:", "c8000v"),
    _entry(r"^CSR1000V", "CSR1000V", _R, "bootflash:", "csr1000v", "c8000v"),
    _entry(r"^ASR1001-X", "ASR1001X", _R, "bootflash:", "asr1001x"),
    _entry(r"^ASR1002-X", "ASR1002X", _R, "bootflash:", "asr1002x"),
    # NOTE: on a modular ASR 1000 the route processor decides between asr1000 and
    # asr1000rpx86 images, and the chassis PID does not show which RP is fitted.
    _entry(r"^ASR10\d\d", "ASR1000", _R, "bootflash:", "asr1000", "asr1000rpx86"),
)


def _normalise_pid(pid: str) -> str:
    return pid.strip().upper()


def identify_platform(pid: str) -> Platform:
    """Look `pid` up in the platform catalogue.

    Returns the Platform. Raises UnsupportedPlatformError (an InvalidInputError) naming the PID
    when it is empty, unknown, or a Catalyst 9800 wireless controller.
    """
    key = _normalise_pid(pid)
    for entry in _CATALOGUE:
        if not entry.pattern.match(key):
            continue
        if entry.family == "C9800":
            raise UnsupportedPlatformError(
                f"unsupported platform {pid!r}: Catalyst 9800 wireless controllers are "
                "neither switches nor routers and are not upgraded by xeapp"
            )
        return Platform(key, entry.family, entry.role, entry.filesystem, entry.image_families)
    raise UnsupportedPlatformError(
        f"unsupported platform {pid!r}: not a Catalyst 9000, 3850/3650, ISR, Catalyst 8000 "
        "or ASR 1000 product ID"
    )


def device_role(pid: str) -> DeviceRole:
    """Return Switch or Router for `pid`; raises UnsupportedPlatformError like identify_platform."""
    return identify_platform(pid).role


def default_filesystem(pid: str, member: int | None = None) -> str:
    """Return the image filesystem for `pid`, of stack member `member` when it is given.

    Raises UnsupportedPlatformError like identify_platform.
    """
    platform = identify_platform(pid)
    if member is None:
        return platform.filesystem
    return platform.member_filesystem(member)


def image_fits(image_family: str | None, pid: str) -> bool:
    """Return True when an image of `image_family` boots on `pid`.

    Raises UnsupportedPlatformError like identify_platform.
    """
    return identify_platform(pid).fits_image(image_family)
