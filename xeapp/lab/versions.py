"""IOS-XE version strings as the lab prints them, and image file names it can install."""

from __future__ import annotations

import re

# cat9k_iosxe.17.12.04.SPA.bin, isr4400-universalk9.17.09.04a.SPA.bin, ...
_IMAGE_VERSION = re.compile(r"\.(\d{2})\.(\d{2})\.(\d{2})([a-z]?)\.SPA\.bin$", re.IGNORECASE)
_SHORT_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)([a-z]?)$")

# Release train names that `show version` prints in brackets, by 17.x minor release.
_TRAINS = [(1, "Amsterdam"), (4, "Bengaluru"), (7, "Cupertino"), (10, "Dublin"), (13, "IOSXE")]
_TRAINS_16 = [(1, "Denali"), (5, "Everest"), (8, "Fuji"), (10, "Gibraltar")]


def version_from_image(filename: str) -> str | None:
    """Return the short version ("17.12.4") an image file name carries, or None if it has none."""
    match = _IMAGE_VERSION.search(filename.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    if match is None:
        return None
    major, minor, rebuild, letter = match.groups()
    return f"{int(major)}.{int(minor)}.{int(rebuild)}{letter.lower()}"


def long_version(version: str) -> str:
    """Return the zero-padded form ("17.09.04a") that install and `show version` line 1 print."""
    match = _SHORT_VERSION.match(version)
    if match is None:
        return version
    major, minor, rebuild, letter = match.groups()
    return f"{int(major):02d}.{int(minor):02d}.{int(rebuild):02d}{letter}"


def short_version(version: str) -> str:
    """Return the unpadded form ("17.9.4a") of either version form."""
    match = _SHORT_VERSION.match(version)
    if match is None:
        return version
    major, minor, rebuild, letter = match.groups()
    return f"{int(major)}.{int(minor)}.{int(rebuild)}{letter}"


def package_version(version: str) -> str:
    """Return the install package version ("17.09.04a.0.1234") `show install summary` lists."""
    long = long_version(version)
    build = sum(ord(c) for c in long) * 7 % 9000 + 100
    return f"{long}.0.{build}"


def release_train(version: str) -> str:
    """Return the release train name of a 16.x or 17.x version, e.g. "Cupertino" for 17.9."""
    match = _SHORT_VERSION.match(version)
    minor = int(match.group(2)) if match else 0
    trains = _TRAINS_16 if match and match.group(1) == "16" else _TRAINS
    name = trains[0][1]
    for first_minor, train in trains:
        if minor >= first_minor:
            name = train
    return name


def image_for_version(image_name: str, version: str) -> str:
    """Return `image_name` with its version part replaced by `version`."""
    match = _IMAGE_VERSION.search(image_name)
    if match is None:
        return image_name
    return image_name[: match.start()] + f".{long_version(version)}.SPA.bin"


def image_family(image_name: str) -> str:
    """Return the part of an image name before the version, e.g. "cat9k_iosxe"."""
    match = _IMAGE_VERSION.search(image_name)
    return image_name[: match.start()] if match else image_name.rsplit(".", 1)[0]
