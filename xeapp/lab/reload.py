"""Reloading a lab device: the down time, the state it boots into, and the reload faults."""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime, timedelta

from xeapp.lab.runconfig import load_startup, record_startup
from xeapp.lab.state import DeviceState, InstallPackage, LabFile
from xeapp.lab.versions import image_family, image_for_version, long_version, package_version

log = logging.getLogger(__name__)

# Size of the small files install writes next to the packages (packages.conf, the .conf list).
_CONF_SIZE = 8192


def package_base(image_name: str) -> str:
    """Return the prefix of the .pkg names an image expands into, e.g. "cat9k" for cat9k_iosxe."""
    return image_family(image_name).split("_")[0].split("-")[0]


def expanded_files(image_name: str, version: str, image_size: int) -> list[LabFile]:
    """Return the files `install add` writes to each member's flash for one image."""
    long = long_version(version)
    base = package_base(image_name)
    family = image_family(image_name)
    return [
        LabFile(name=f"{base}-rpbase.{long}.SPA.pkg", size=max(image_size - _CONF_SIZE, 0), md5=""),
        LabFile(name=f"{family}.{long}.SPA.conf", size=_CONF_SIZE, md5=""),
    ]


def install_new_version(device: DeviceState, version: str, image_size: int) -> None:
    """Write the expanded packages of `version` to every member's flash."""
    image = image_for_version(device.image_name, version)
    for member in device.members:
        for item in expanded_files(image, version, image_size):
            member.filesystem.files[item.name] = item


def reload_device(device: DeviceState, reason: str, version: str | None = None) -> None:
    """Take the device down for its reload time and set the state it boots into.

    `version` is the version an install activated; None keeps the running one. The caller holds
    `device.lock` and drops the device's sessions afterwards.
    """
    faults = device.faults
    now = time.monotonic()
    down_for = math.inf if "reload_never_returns" in faults else device.reload_seconds
    device.down_until = now + down_for if down_for != math.inf else math.inf
    device.boot_count += 1
    device.last_reload_reason = reason
    device.boot_time = datetime.now(UTC) + timedelta(seconds=min(down_for, 86400))
    device.netconf_ready_at = now + min(down_for, 86400) + device.netconf_start_seconds
    device.install.operation_in_progress = None
    # NOTE: the lab keeps one list for the `boot system` lines and the BOOT variable, so an
    # unsaved `boot system` is lost here too. A Catalyst may already have written it to ROMMON.
    load_startup(device)
    device.boot_current = list(device.boot_next)

    if version is not None and "reload_rollback" in faults:
        log.info("%s: fault reload_rollback keeps version %s", device.hostname, device.version)
        _roll_back(device)
    elif version is not None:
        _boot_into(device, version)
    for member in device.members:
        member.version = None
    if "reload_member_missing" in faults and device.is_stack:
        number = int(str(faults["reload_member_missing"]["member"])) or max(
            m.number for m in device.members
        )
        for member in device.members:
            if member.number == number:
                member.state = "Removed"
    log.info("%s: reloading (%s), back in %.1f s", device.hostname, reason, down_for)


def _boot_into(device: DeviceState, version: str) -> None:
    device.install.rollback_version = device.version
    device.version = version
    device.image_name = image_for_version(device.image_name, version)
    device.mode = "INSTALL"
    boot = [f"{device.fs_prefix}:packages.conf"]
    device.boot_current = list(boot)
    device.boot_next = list(boot)
    # Install writes `boot system` to the startup configuration itself.
    record_startup(device)


def _roll_back(device: DeviceState) -> None:
    target = package_version(device.version)
    new_packages = []
    for package in device.install.packages:
        if package.version == target:
            package.state = "C"
            new_packages.append(package)
        elif package.state in ("U", "C"):
            new_packages.append(InstallPackage(package.version, "I", package.filename))
    device.install.packages = new_packages
    device.install.auto_abort_deadline = None


def is_up(device: DeviceState) -> bool:
    """Return True once the reload time is over; clears `down_until` then."""
    if device.down_until is None:
        return True
    if time.monotonic() < device.down_until:
        return False
    device.down_until = None
    return True
