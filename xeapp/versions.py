"""IOS-XE release numbers: parse every form devices and image names print, and compare them.

One release has several spellings, and all of them parse to the same `IOSXEVersion`:

- `show version` line 1 and image file names pad to two digits: "17.09.04a", "16.12.04".
- `show version` line 2 and the stack table often do not: "17.9.4a", "16.4.2".
- `show install summary` and install-oper append ".0" and an internal build number:
  "17.15.03.0.5371". The build number is dropped, because it identifies the build of the same
  published release and the upgrade pre-checks compare published releases.
- IOS-XE 3.x used "03.09.01.S" (show version) and "3.9.1S" (release notes). The train letter
  is kept. "03.09.01.S" equals "3.9.1S" and sorts before every 16.x release.

Engineering and special builds carry a label in place of a number. A label that embeds a
number ("BLD_V163_..._V16_3_3_24", "V169_5_SR689355441_2") parses to that number with the label
kept in `build`, so it differs from the published release of the same number. A label without a
number ("BLD_POLARIS_DEV_LATEST_20240326_003112") raises `InvalidInputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xeapp.errors import InvalidInputError

# 17.09.04a, 17.9.4a, 17.15.03.0.5371, 16.12.04, 03.09.01.S, 3.9.1S, 17.3.1 with an optional
# rebuild letter after the maintenance number.
_RELEASE = re.compile(
    r"^(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.(?P<maint>\d{1,2})(?P<letter>[a-z]?)"
    r"(?:\.?(?P<train>[A-Z]{1,2}))?"
    r"(?:\.\d+(?:\.\d+)?)?$"
)
# Special builds: V169_5_SR689355441_2 is 16.9.5; V1712_1a_... would be 17.12.1a.
_SPECIAL = re.compile(r"^V(?P<major>1[67])(?P<minor>\d{1,2})_(?P<maint>\d{1,2})(?P<letter>[a-z]?)_")
# Engineering builds that end in the number: BLD_..._V16_3_3_24 or BLD_..._V17_8_0_18.
_ENGINEERING = re.compile(
    r"^BLD_\w*?_V(?P<major>\d{1,2})_(?P<minor>\d{1,2})_(?P<maint>\d{1,2})(?P<letter>[a-z]?)_\d+$"
)


@dataclass(frozen=True, order=True)
class IOSXEVersion:
    """One IOS-XE release, ordered the way Cisco numbers them (17.10.1 is newer than 17.9.4).

    `letter` is the rebuild letter ("a" in 17.9.4a) and sorts after no letter. `train` is the
    IOS-XE 3.x train ("S", "SP", "E"). `build` is empty for published releases and holds the
    label of an engineering or special build; such builds compare unequal to the release.
    """

    major: int
    minor: int
    maintenance: int
    letter: str = ""
    train: str = ""
    build: str = field(default="")

    def __str__(self) -> str:
        """Return the zero-padded form image file names use: "17.09.04a", "03.09.01.S"."""
        text = f"{self.major:02d}.{self.minor:02d}.{self.maintenance:02d}{self.letter}"
        if self.train:
            text += f".{self.train}"
        return text

    @property
    def short(self) -> str:
        """Unpadded form, as `show version` line 2 prints it: "17.9.4a"."""
        return f"{self.major}.{self.minor}.{self.maintenance}{self.letter}{self.train}"

    @property
    def release(self) -> IOSXEVersion:
        """The published release this build is numbered after, without the build label."""
        return IOSXEVersion(self.major, self.minor, self.maintenance, self.letter, self.train)

    @property
    def is_special_build(self) -> bool:
        """True for an engineering or special build rather than a published release."""
        return bool(self.build)


def parse_version(text: str) -> IOSXEVersion:
    """Parse an IOS-XE version string in any form listed in the module docstring.

    Returns the parsed version. Raises InvalidInputError, naming the value, when the text holds
    no release number (empty, free text, or an engineering build label without a number).
    """
    value = text.strip()

    match = _RELEASE.match(value)
    if match is None:
        match = _SPECIAL.match(value) or _ENGINEERING.match(value)
        build = value
    else:
        build = ""
    if match is None:
        raise InvalidInputError(
            f"invalid IOS-XE version {text!r}: expected a release number such as 17.9.4a or "
            "17.09.04a; an engineering build without a number needs the version entered by hand"
        )

    groups = match.groupdict()
    return IOSXEVersion(
        major=int(groups["major"]),
        minor=int(groups["minor"]),
        maintenance=int(groups["maint"]),
        letter=groups["letter"] or "",
        train=groups.get("train") or "",
        build=build,
    )


def try_parse_version(text: str | None) -> IOSXEVersion | None:
    """Return the parsed version, or None when `text` is None or holds no release number."""
    if text is None:
        return None
    try:
        return parse_version(text)
    except InvalidInputError:
        return None
