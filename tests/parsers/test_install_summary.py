"""Tests for the show install summary parser on every real capture."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.install_summary import parse_install_summary
from xeapp.versions import IOSXEVersion

FILES = data_files("show_install")

# file stem: (locations per block, uncommitted locations, auto-abort active)
EXPECTED = {
    "R0R1_17.17.01_committed": ([("R0", "R1")], (), False),
    "c9300-switch1_16.6.6_trailing-prompt": ([("Switch 1",)], (), None),
    "router_R0R1_img-inactive-and-committed": ([("R0", "R1")], (), False),
    "stack3_17.15.03_member3-uncommitted": (
        [("Switch 1", "Switch 2"), ("Switch 3",)],
        ("Switch 3",),
        False,
    ),
}


def test_every_file_has_expectations() -> None:
    assert {path.stem for path in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_file(path: Path) -> None:
    locations, uncommitted, timer = EXPECTED[path.stem]
    parsed = parse_install_summary(read(path))
    assert [block.locations for block in parsed.blocks] == locations
    assert parsed.uncommitted_locations == uncommitted
    assert parsed.auto_abort_active is timer
    assert all(block.packages for block in parsed.blocks)


def test_install_build_number_dropped() -> None:
    parsed = parse_install_summary(read(data_files("show_install", "stack3*")[0]))
    assert parsed.active_version("Switch 3") == IOSXEVersion(17, 15, 3)


def test_inactive_and_committed_rows() -> None:
    parsed = parse_install_summary(read(data_files("show_install", "router*")[0]))
    assert [package.state for package in parsed.blocks[0].packages] == ["I", "C"]


def test_auto_abort_timer_running() -> None:
    text = (
        "[ Switch 1 ] Installed Package(s) Information:\r\n"
        "Type  St   Filename/Version\r\n"
        "IMG   U    17.12.04.0.5678\r\n"
        "Auto abort timer: active on install_activate, time before rollback - 05:59:21\r\n"
    )
    parsed = parse_install_summary(text)
    assert parsed.auto_abort_active is True
    assert parsed.auto_abort_remaining == "05:59:21"
    assert parsed.uncommitted_locations == ("Switch 1",)


def test_smu_package_row() -> None:
    text = (
        "[ R0 ] Installed Package(s) Information:\n"
        "SMU   C    bootflash:cat9k_iosxe.17.09.04a.CSCwh87343.SPA.smu.bin\n"
        "IMG   C    17.09.04a.0.6\n"
    )
    parsed = parse_install_summary(text)
    assert parsed.blocks[0].packages[0].type == "SMU"
    assert parsed.active_version() == IOSXEVersion(17, 9, 4, "a")


@pytest.mark.parametrize("text", ["", "BOOT variable = flash:packages.conf;", "sw1#"])
def test_not_install_summary(text: str) -> None:
    with pytest.raises(ParserError, match="show install summary"):
        parse_install_summary(text)
