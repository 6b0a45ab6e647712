"""Tests for the show boot / show bootvar parser on every real capture."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.boot import parse_show_boot, split_boot_variable

FILES = data_files("show_boot")

# file stem: (members, install_mode, first member's next-boot entries)
EXPECTED = {
    "asr1k_bundle_active-standby": (("active", "standby"), False, ("bootflash:/asr1000rpx.bin",)),
    "c3850-switch5_current-vs-next-reload": (("5",), None, ("flash:ISSUCleanGolden",)),
    "c9300-stack_install_packages.conf": (("1",), True, ("flash:packages.conf",)),
    "c9300l_current-BOOT-does-not-exist_next-reload-packages.conf": (
        ("1",),
        True,
        ("flash:packages.conf",),
    ),
    "c9500-svl_install_active-standby": (("active", "standby"), True, ("bootflash:packages.conf",)),
    "cat9k_bundle_bootflash-bin": (
        ("active",),
        False,
        ("bootflash:cat9k_iosxe.BLD_V173_THROTTLE_LATEST_20200421_032634.SSA.bin",),
    ),
    "cat9k_bundle_tftp_manual-boot-yes": (
        ("active",),
        False,
        ("tftp://10.1.0.41/cat9k_iosxe.16.12.03a.SPA.bin",),
    ),
    "show_bootvar__minimal_install": (("active",), True, ("bootflash:packages.conf",)),
}


def test_every_file_has_expectations() -> None:
    assert {path.stem for path in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_file(path: Path) -> None:
    members, install_mode, next_boot = EXPECTED[path.stem]
    parsed = parse_show_boot(read(path))
    assert tuple(member.member for member in parsed.members) == members
    assert parsed.install_mode is install_mode
    assert parsed.members[0].next_boot == next_boot


def test_current_differs_from_next_reload() -> None:
    parsed = parse_show_boot(read(data_files("show_boot", "c3850*")[0]))
    assert len(parsed.members[0].current) == 3
    assert parsed.members[0].manual_boot is True


def test_boot_variable_does_not_exist() -> None:
    parsed = parse_show_boot(read(data_files("show_boot", "c9300l*")[0]))
    assert parsed.members[0].current == ()


def test_manual_boot_yes() -> None:
    parsed = parse_show_boot(read(data_files("show_boot", "cat9k_bundle_tftp*")[0]))
    assert parsed.members[0].manual_boot is True


@pytest.mark.parametrize(
    ("value", "entries"),
    [
        ("bootflash:/asr1000rpx.bin,12;", ("bootflash:/asr1000rpx.bin",)),
        ("flash:packages.conf", ("flash:packages.conf",)),
        ("a.bin,1;b.conf,12;", ("a.bin", "b.conf")),
        ("", ()),
    ],
)
def test_split_boot_variable(value: str, entries: tuple[str, ...]) -> None:
    assert split_boot_variable(value) == entries


def test_two_switch_blocks_mixed_modes() -> None:
    text = (
        "---------------------------\r\nSwitch 1\r\n---------------------------\r\n"
        "Current Boot Variables:\r\nBOOT variable = flash:packages.conf;\r\n\r\n"
        "Boot Variables on next reload:\r\nBOOT variable = flash:packages.conf;\r\n"
        "---------------------------\r\nSwitch 2\r\n---------------------------\r\n"
        "Current Boot Variables:\r\nBOOT variable = flash:packages.conf;\r\n\r\n"
        "Boot Variables on next reload:\r\nBOOT variable = flash:cat9k_iosxe.17.09.04a.SPA.bin;\r\n"
    )
    parsed = parse_show_boot(text)
    assert [member.member for member in parsed.members] == ["1", "2"]
    assert parsed.install_mode is False


@pytest.mark.parametrize("text", ["", "ROMMON variables:\n BOOT = x", "sw1#\n"])
def test_not_show_boot(text: str) -> None:
    with pytest.raises(ParserError, match="show boot"):
        parse_show_boot(text)
