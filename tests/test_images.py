"""Tests for image file name validation and parsing."""

import re
from pathlib import Path

import pytest

from xeapp.errors import InvalidInputError
from xeapp.images import parse_image_filename, validate_image_filename
from xeapp.versions import IOSXEVersion

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "family", "version"),
    [
        ("cat9k_iosxe.17.12.04.SPA.bin", "cat9k_iosxe", IOSXEVersion(17, 12, 4)),
        ("cat9k_lite_iosxe.17.09.04a.SPA.bin", "cat9k_lite_iosxe", IOSXEVersion(17, 9, 4, "a")),
        ("cat3k_caa-universalk9.16.12.04.SPA.bin", "cat3k_caa", IOSXEVersion(16, 12, 4)),
        ("isr4400-universalk9.17.09.04a.SPA.bin", "isr4400", IOSXEVersion(17, 9, 4, "a")),
        ("isr4400v2-universalk9.17.09.04a.SPA.bin", "isr4400v2", IOSXEVersion(17, 9, 4, "a")),
        ("isr4300-universalk9_npe.17.06.05.SPA.bin", "isr4300", IOSXEVersion(17, 6, 5)),
        ("c8000be-universalk9.17.12.04.SPA.bin", "c8000be", IOSXEVersion(17, 12, 4)),
        ("c8000aep-universalk9.17.12.04.SPA.bin", "c8000aep", IOSXEVersion(17, 12, 4)),
        ("asr1000-universalk9.17.09.04a.SPA.bin", "asr1000", IOSXEVersion(17, 9, 4, "a")),
        ("asr1000rpx86-universalk9.17.03.08a.SPA.bin", "asr1000rpx86", IOSXEVersion(17, 3, 8, "a")),
        ("asr1001x-universalk9.17.06.05.SPA.bin", "asr1001x", IOSXEVersion(17, 6, 5)),
        ("c8000v-universalk9.17.15.01a.SPA.bin", "c8000v", IOSXEVersion(17, 15, 1, "a")),
        ("c8000v-universalk9_serial.17.15.01a.SPA.bin", "c8000v", IOSXEVersion(17, 15, 1, "a")),
        ("vg4x0-universalk9.17.12.01a.SPA.bin", "vg4x0", IOSXEVersion(17, 12, 1, "a")),
        (
            "asr1001x-universalk9.03.16.09.S.155-3.S9-ext.SPA.bin",
            "asr1001x",
            IOSXEVersion(3, 16, 9, train="S"),
        ),
    ],
)
def test_parse_known_names(name: str, family: str, version: IOSXEVersion) -> None:
    info = parse_image_filename(name)
    assert info.family == family
    assert info.version == version


def test_feature_set_and_signing() -> None:
    info = parse_image_filename("isr4400-universalk9_npe.17.09.04a.SPA.bin")
    assert info.feature_set == "universalk9_npe"
    assert info.signing == "SPA"


def test_engineering_build_has_no_version() -> None:
    info = parse_image_filename("cat9k_iosxe.BLD_POLARIS_DEV_LATEST_20210302_012043.SSA.bin")
    assert info.family == "cat9k_iosxe"
    assert info.version is None
    assert info.signing == "SSA"


def test_unknown_family_needs_manual_version() -> None:
    info = parse_image_filename("n9000-dk9.10.2.5.M.bin")
    assert info.version is None
    assert not info.known_family


def test_unstructured_name() -> None:
    info = parse_image_filename("firmware.bin")
    assert info.family is None
    assert info.version is None


def _image_names_in_data() -> list[str]:
    pattern = re.compile(r"[A-Za-z0-9_]+[-.][A-Za-z0-9_.-]*\.S[PS]A\.bin")
    names: set[str] = set()
    for path in DATA.rglob("*.txt"):
        names.update(pattern.findall(path.read_text(errors="replace")))
    return sorted(names)


@pytest.mark.parametrize("name", _image_names_in_data())
def test_names_in_real_output_validate(name: str) -> None:
    assert validate_image_filename(name) == name
    assert parse_image_filename(name).filename == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("../etc/passwd.bin", "path separators"),
        ("..\\boot.bin", "path separators"),
        ("/tmp/x.bin", "path separators"),
        ("%2e%2e.bin", "only letters"),
        ("a.bin; reload", "only letters"),
        ("a.bin\nreload", "only letters"),
        ("image name.bin", "only letters"),
        ("x$(reboot).bin", "only letters"),
        ("flash:x.bin", "only letters"),
        (".hidden.bin", "must not start"),
        ("..bin", "must not start"),
        ("-rf.bin", "must not start"),
        ("cat9k_iosxe.17.12.04.SPA.pkg", "must end in .bin"),
        ("a" * 125 + ".bin", "maximum is 128"),
        ("", "empty"),
    ],
)
def test_validate_rejects(name: str, rule: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(rule)) as caught:
        validate_image_filename(name)
    assert repr(name) in str(caught.value)


def test_validate_accepts_128_characters() -> None:
    name = "a" * 124 + ".bin"
    assert validate_image_filename(name) == name
