"""Tests for IOS-XE version parsing and ordering."""

import pytest

from xeapp.errors import InvalidInputError
from xeapp.versions import IOSXEVersion, parse_version, try_parse_version


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("17.9.4a", "17.09.04a"),
        ("17.09.04a", "17.09.04a.0.1234"),
        ("17.15.03.0.5371", "17.15.3"),
        ("16.6.6.0", "16.06.06"),
        ("03.09.01.S", "3.9.1S"),
    ],
)
def test_equal_spellings(left: str, right: str) -> None:
    assert parse_version(left) == parse_version(right)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("17.9.4", "17.10.1"),
        ("17.9.4", "17.9.4a"),
        ("17.9.4a", "17.9.4b"),
        ("16.12.04", "17.3.1"),
        ("03.16.09.S", "16.3.1"),
        ("17.12.04", "17.15.01a"),
    ],
)
def test_ordering(older: str, newer: str) -> None:
    assert parse_version(older) < parse_version(newer)


def test_canonical_str_zero_padded() -> None:
    assert str(parse_version("17.9.4a")) == "17.09.04a"


def test_canonical_str_legacy_train() -> None:
    assert str(parse_version("3.9.1S")) == "03.09.01.S"


def test_short_form() -> None:
    assert parse_version("17.09.04a").short == "17.9.4a"


def test_special_build_number() -> None:
    version = parse_version("V169_5_SR689355441_2")
    assert version.release == IOSXEVersion(16, 9, 5)
    assert version.is_special_build


def test_special_build_differs_from_release() -> None:
    assert parse_version("V169_5_SR689355441_2") != parse_version("16.9.5")


def test_engineering_build_with_number() -> None:
    version = parse_version("BLD_V163_MR_THROTTLE_LATEST_20170410_093453_V16_3_3_24")
    assert version.release == IOSXEVersion(16, 3, 3)


@pytest.mark.parametrize(
    "text", ["BLD_POLARIS_DEV_LATEST_20240326_003112", "", "latest", "17.x", "15.3(2)S1"]
)
def test_invalid_raises_naming_value(text: str) -> None:
    with pytest.raises(InvalidInputError, match="invalid IOS-XE version") as caught:
        parse_version(text)
    assert repr(text) in str(caught.value)


def test_try_parse_returns_none() -> None:
    assert try_parse_version("BLD_POLARIS_DEV_LATEST_20240326_003112") is None
    assert try_parse_version(None) is None


def test_version_is_hashable() -> None:
    assert len({parse_version("17.9.4a"), parse_version("17.09.04a")}) == 1
