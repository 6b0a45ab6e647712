"""IOS-XE image file names: the safety check every name passes and the fields a name carries.

A name is validated before it reaches the disk or a device command (`copy`, `install add file`),
so one function closes both path traversal and command injection.

Names in the wild follow FAMILY[-FEATURESET].VERSION.SIGNING.bin:

- cat9k_iosxe.17.12.04.SPA.bin, cat9k_lite_iosxe.17.09.04a.SPA.bin
- cat3k_caa-universalk9.16.12.04.SPA.bin, isr4400-universalk9_npe.17.09.04a.SPA.bin
- c8000v-universalk9_serial.17.15.01a.SPA.bin
- asr1001x-universalk9.03.16.09.S.155-3.S9-ext.SPA.bin (IOS-XE 3.x appends the IOS release)
- cat9k_iosxe.BLD_POLARIS_DEV_LATEST_20210302_012043.SSA.bin (engineering build: no version)

SPA marks a release signed with Cisco's production key, SSA a build signed with a special key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xeapp.errors import InvalidInputError
from xeapp.versions import IOSXEVersion, try_parse_version

MAX_FILENAME_LENGTH = 128

_SAFE_CHARACTERS = re.compile(r"^[A-Za-z0-9._-]+$")

# Image families whose file names xeapp reads a version from. A name from any other family
# parses with version None, so its version has to be entered by hand.
KNOWN_FAMILIES = frozenset(
    {
        "cat9k_iosxe",
        "cat9k_lite_iosxe",
        "cat3k_caa",
        "isr4400",
        "isr4400v2",
        "isr4300",
        "c1100",
        "c8000be",
        "c8000aep",
        "c8000v",
        "csr1000v",
        "asr1000",
        "asr1000rpx86",
        "asr1001x",
        "asr1002x",
        "vg4x0",
    }
)

_IMAGE_NAME = re.compile(
    r"^(?P<family>[a-z0-9_]+?)"
    r"(?:-(?P<feature_set>[a-z0-9_]+))?"
    r"\.(?P<version>.+?)"
    r"(?:\.(?P<signing>SPA|SSA))?\.bin$"
)
# IOS-XE 3.x names append the IOS release: 03.09.01.S.153-2.S1 carries 03.09.01.S.
_LEGACY_PREFIX = re.compile(r"^\d{2}\.\d{2}\.\d{2}[a-z]?\.[A-Z]{1,2}(?=\.)")


@dataclass(frozen=True)
class ImageInfo:
    """Fields read from an image file name.

    `version` is None when the family is not in KNOWN_FAMILIES or the version part is an
    engineering build label without a number. `version_text` keeps the raw version part.
    """

    filename: str
    family: str | None
    version: IOSXEVersion | None
    version_text: str | None = None
    feature_set: str | None = None
    signing: str | None = None

    @property
    def known_family(self) -> bool:
        """True when the family is one xeapp can match to platforms."""
        return self.family in KNOWN_FAMILIES


def validate_image_filename(name: str) -> str:
    """Check that `name` is safe to use as a file name on disk and in device commands.

    Returns the name unchanged. Raises InvalidInputError naming the value and the rule it
    breaks. The rules: only [A-Za-z0-9._-], which excludes path separators, spaces and shell or
    CLI metacharacters. The name ends in .bin and has at most 128 characters. It does not start
    with '.' or '-', which excludes hidden files, '..' and names a command reads as an option.
    """
    if not name:
        raise InvalidInputError("invalid image file name '': the name is empty")
    if len(name) > MAX_FILENAME_LENGTH:
        raise InvalidInputError(
            f"invalid image file name {name!r}: {len(name)} characters, "
            f"the maximum is {MAX_FILENAME_LENGTH}"
        )
    if "/" in name or "\\" in name:
        raise InvalidInputError(
            f"invalid image file name {name!r}: path separators are not allowed, "
            "give the bare file name"
        )
    if not _SAFE_CHARACTERS.match(name):
        raise InvalidInputError(
            f"invalid image file name {name!r}: only letters, digits, '.', '_' and '-' are allowed"
        )
    if name[0] in ".-":
        raise InvalidInputError(
            f"invalid image file name {name!r}: the name must not start with '.' or '-'"
        )
    if not name.endswith(".bin"):
        raise InvalidInputError(f"invalid image file name {name!r}: the name must end in .bin")
    return name


def parse_image_filename(name: str) -> ImageInfo:
    """Read the family, feature set, version and signing from an image file name.

    Returns an ImageInfo. A valid name that does not follow the usual layout returns family and
    version None rather than raising. Raises InvalidInputError when the name fails
    `validate_image_filename`.
    """
    validate_image_filename(name)

    match = _IMAGE_NAME.match(name)
    if match is None:
        return ImageInfo(filename=name, family=None, version=None)

    family = match["family"]
    version_text = match["version"]
    version = None
    if family in KNOWN_FAMILIES:
        legacy = _LEGACY_PREFIX.match(version_text)
        version = try_parse_version(legacy[0] if legacy else version_text)
    return ImageInfo(
        filename=name,
        family=family,
        version=version,
        version_text=version_text,
        feature_set=match["feature_set"],
        signing=match["signing"],
    )
