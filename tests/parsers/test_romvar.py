"""Tests for the show romvar / show rom-monitor parser on every real capture."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.romvar import parse_romvar

FILES = data_files("show_romvar")

# file stem: (variable count, active-member banner, ROMMON version, BOOT entries)
EXPECTED = {
    "asr1001-x_controller-mode": (
        13,
        False,
        None,
        ("bootflash:packages.conf", "bootflash:prev_packages.conf"),
    ),
    "c9300-24t_active-switch_install-reload": (
        38,
        True,
        None,
        ("flash:cat9k_iosxe.BLD_POLARIS_DEV_LATEST_20211127_120643_V17_8_0_18.SSA.bin",),
    ),
    "c9500x-28c8d_quoted-format": (
        48,
        False,
        None,
        ("bootflash:/cat9k_iosxe.2021-09-22_12.23_devuser.SSA.CSCvz71998.polaris_dev.bin",),
    ),
    "cat9k-virtual_minimal": (11, True, None, ()),
    "show_rom-monitor__isr4321_R0_after-upgrade_with-show-platform": (0, False, "16.2(1r)", ()),
    "show_rom-monitor__isr4321_r0_before-upgrade_with-show-platform": (0, False, "15.4(3r)S3", ()),
    "show_rom-monitor__slot0_16.12-2r": (0, False, "16.12(2r)", ()),
}


def test_every_file_has_expectations() -> None:
    assert {path.stem for path in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_file(path: Path) -> None:
    count, active, rommon, boot = EXPECTED[path.stem]
    parsed = parse_romvar(read(path))
    assert len(parsed.variables) == count
    assert parsed.active_member is active
    assert parsed.rommon_version == rommon
    assert parsed.boot == boot
    assert not parsed.ignore_startup_config


def test_spaced_value_with_spaces() -> None:
    parsed = parse_romvar(read(data_files("show_romvar", "asr1001-x*")[0]))
    assert parsed.get("PS1") == "rommon ! >"
    assert parsed.get("LICENSE_BOOT_LEVEL") == ""
    assert parsed.get("?") == "1"


def test_quoted_values_unquoted() -> None:
    parsed = parse_romvar(read(data_files("show_romvar", "c9500x*")[0]))
    assert parsed.get("PS1") == "switch: "
    assert parsed.get("MANUAL_BOOT") == "no"


def test_several_pairs_on_one_line() -> None:
    parsed = parse_romvar(read(data_files("show_romvar", "c9300-24t*")[0]))
    assert parsed.all_values["ReloadReason"] == ("Install", "Install")
    assert parsed.all_values["RET_2_RCALTS"] == ("", "1639725444", "1640150844")
    assert parsed.get("RET_2_RCALTS") == "1640150844"


def test_flag_zero_is_not_set() -> None:
    parsed = parse_romvar(read(data_files("show_romvar", "c9300-24t*")[0]))
    assert parsed.get("SWITCH_IGNORE_STARTUP_CFG") == "0"


@pytest.mark.parametrize(
    "line",
    [
        "SWITCH_IGNORE_STARTUP_CFG=1",
        'SWITCH_IGNORE_STARTUP_CFG="1"',
        " SWITCH_IGNORE_STARTUP_CFG = 1",
        "BAUD=9600 SWITCH_IGNORE_STARTUP_CFG=1",
    ],
)
def test_ignore_startup_config_every_format(line: str) -> None:
    text = "ROMMON variables for Active Switch\r\n" + line + "\r\nBAUD=9600\r\n"
    assert parse_romvar(text).ignore_startup_config


def test_crlf_same_result() -> None:
    path = data_files("show_romvar", "c9300-24t*")[0]
    crlf = read(path).replace("\n", "\r\n")
    assert parse_romvar(crlf) == parse_romvar(read(path))


@pytest.mark.parametrize("text", ["", "sw1#show romvar\n% Invalid input", "Switch# Role\n"])
def test_not_romvar(text: str) -> None:
    with pytest.raises(ParserError, match="show romvar"):
        parse_romvar(text)
