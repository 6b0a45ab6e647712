"""Tests for the show version parser on every real capture."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.show_version import parse_show_version
from xeapp.versions import IOSXEVersion

FILES = data_files("show_version")

# file stem: (hostname, release, install_mode, first PID, first serial, member count)
EXPECTED = {
    "asr1001_03.09.01S_bundle": (
        "my_device",
        IOSXEVersion(3, 9, 1, train="S"),
        False,
        "ASR1001",
        "SSI000000034",
        0,
    ),
    "asr1006_16.3": ("PE1", IOSXEVersion(16, 3, 3), None, "ASR1006", "FOX00000035", 0),
    "c8000v_17.15_install": (
        "c8kv-lab-7",
        IOSXEVersion(17, 15, 0),
        True,
        "C8000V",
        "9VIRT000001",
        0,
    ),
    "c9300-24p_17.6_bundle": (
        "lab-cat9300",
        IOSXEVersion(17, 6, 1),
        False,
        "C9300-24P",
        "FCW00000037",
        1,
    ),
    "c9500-40x_16.9.5_special-build": (
        "SITETESTW01",
        IOSXEVersion(16, 9, 5),
        True,
        "C9500-40X",
        "FCW00000039",
        2,
    ),
    "c9500-40x_svl_16.9.3_install": (
        "SITETESTW01",
        IOSXEVersion(16, 9, 3),
        True,
        "C9500-40X",
        "FCW00000039",
        2,
    ),
    "c9500x-28c8d_17.8_install-reload": (
        "lab-c9500x-2",
        IOSXEVersion(17, 8, 0),
        True,
        "C9500X-28C8D",
        "FDO00000043",
        0,
    ),
    "c9606r_svl_17.8": ("svl-pair-2", IOSXEVersion(17, 8, 0), False, "C9606R", "FXS00000047", 0),
    "isr4451_16.6.5_bundle": (
        "isr4k",
        IOSXEVersion(16, 6, 5),
        False,
        "ISR4451-X/K9",
        "FGL00000051",
        0,
    ),
    "ws-c3850-24p_stack5_16.4_bundle": (
        "R1",
        IOSXEVersion(16, 4, 2),
        False,
        "WS-C3850-24P",
        "FCW00000012",
        5,
    ),
}


def test_every_file_has_expectations() -> None:
    assert {path.stem for path in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_file(path: Path) -> None:
    hostname, release, install_mode, pid, serial, members = EXPECTED[path.stem]
    parsed = parse_show_version(read(path))
    assert parsed.hostname == hostname
    assert parsed.version is not None
    assert parsed.version.release == release
    assert parsed.install_mode is install_mode
    assert parsed.pid == pid
    assert parsed.serial_number == serial
    assert len(parsed.members) == members
    assert parsed.uptime


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_file_crlf(path: Path) -> None:
    text = read(path).replace("\r\n", "\n").replace("\n", "\r\n")
    assert parse_show_version(text) == parse_show_version(read(path))


def test_stack_serials_all_members() -> None:
    parsed = parse_show_version(read(data_files("show_version", "ws-c3850*")[0]))
    assert parsed.serial_numbers == (
        "FCW00000012",
        "FOC00000016",
        "FCW00000020",
        "FCW00000023",
        "FOC00000025",
    )


def test_stack_table_active_member() -> None:
    parsed = parse_show_version(read(data_files("show_version", "ws-c3850*")[0]))
    assert [member.active for member in parsed.members] == [True, False, False, False, False]


def test_rommon_version_from_bootldr() -> None:
    parsed = parse_show_version(read(data_files("show_version", "c9300-24p*")[0]))
    assert parsed.rommon_version == "17.5.2r"


def test_router_has_no_rommon_version() -> None:
    parsed = parse_show_version(read(data_files("show_version", "isr4451*")[0]))
    assert parsed.rommon_version is None


def test_special_build_label_kept() -> None:
    parsed = parse_show_version(read(data_files("show_version", "c9500-40x_16.9.5*")[0]))
    assert parsed.version_text == "V169_5_SR689355441_2"
    assert parsed.version is not None
    assert parsed.version.is_special_build


def test_release_version_not_special() -> None:
    parsed = parse_show_version(read(data_files("show_version", "c9500-40x_svl*")[0]))
    assert parsed.version == IOSXEVersion(16, 9, 3)


def test_next_config_register() -> None:
    parsed = parse_show_version(read(data_files("show_version", "asr1006*")[0]))
    assert parsed.config_register == "0x2000"
    assert parsed.next_config_register == "0x2002"


def test_system_image_full_path() -> None:
    parsed = parse_show_version(read(data_files("show_version", "c8000v*")[0]))
    assert parsed.system_image == "bootflash:packages.conf"


def test_reload_reason_trailing_space_stripped() -> None:
    parsed = parse_show_version(read(data_files("show_version", "c9500x*")[0]))
    assert parsed.last_reload_reason == "Install"


@pytest.mark.parametrize(
    "text",
    ["", "BOOT variable = flash:packages.conf;", "% Invalid input detected at '^' marker."],
)
def test_not_show_version(text: str) -> None:
    with pytest.raises(ParserError, match="show version"):
        parse_show_version(text)


def test_minimal_output() -> None:
    text = (
        "Cisco IOS XE Software, Version 17.09.04a\n"
        "sw1 uptime is 2 weeks, 1 day, 3 minutes\n"
        'System image file is "flash:packages.conf"\n'
    )
    parsed = parse_show_version(text)
    assert parsed.version == IOSXEVersion(17, 9, 4, "a")
    assert parsed.install_mode is True
    assert parsed.pids == ()
