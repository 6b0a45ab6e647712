"""Tests for the show switch and show inventory parsers on every real capture."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.inventory import chassis_items, parse_show_inventory
from xeapp.parsers.switch import parse_show_switch

SWITCH_FILES = data_files("show_switch")
INVENTORY_FILES = data_files("show_inventory")

# file stem: (item count, chassis or stack member PIDs)
INVENTORY = {
    "c8300-1n1s-6g": (8, ("C8300-1N1S-6G",)),
    "isr4331": (11, ("ISR4331/K9",)),
    "ws-c3850-stack5": (21, ("WS-C3850-24P-E",) * 5),
}


@pytest.mark.parametrize("path", SWITCH_FILES, ids=lambda path: path.stem)
def test_show_switch_real_file(path: Path) -> None:
    parsed = parse_show_switch(read(path))
    assert parsed.members
    assert parsed.active is not None
    assert all(member.number > 0 for member in parsed.members)


def test_provisioned_members() -> None:
    parsed = parse_show_switch(read(data_files("show_switch")[0]))
    assert [member.state for member in parsed.members] == ["Ready", "Provisioned", "Provisioned"]
    assert parsed.members[1].hw_version == ""
    assert parsed.stack_mac_address == "0000.5e00.5309"


def test_v_mismatch_member() -> None:
    text = (
        "Switch/Stack Mac Address : 0000.5e00.5301 - Local Mac Address\n"
        "Mac persistency wait time: Indefinite\n"
        "                                             H/W   Current\n"
        "Switch#   Role    Mac Address     Priority Version  State \n"
        "-------------------------------------------------------------------------------------\n"
        "*1       Active   0000.5e00.5301     15     V02     Ready\n"
        " 2       Standby  0000.5e00.5302     14     V02     Ready\n"
        " 3       Member   0000.5e00.5303     1      V02     V-Mismatch\n"
    )
    parsed = parse_show_switch(text)
    assert [member.ready for member in parsed.members] == [True, True, False]
    assert parsed.members[2].state == "V-Mismatch"


@pytest.mark.parametrize("text", ["", 'NAME: "Chassis", DESCR: "x"'])
def test_not_show_switch(text: str) -> None:
    with pytest.raises(ParserError, match="show switch"):
        parse_show_switch(text)


def test_every_inventory_file_has_expectations() -> None:
    assert {path.stem for path in INVENTORY_FILES} == set(INVENTORY)


@pytest.mark.parametrize("path", INVENTORY_FILES, ids=lambda path: path.stem)
def test_show_inventory_real_file(path: Path) -> None:
    count, pids = INVENTORY[path.stem]
    items = parse_show_inventory(read(path))
    assert len(items) == count
    assert tuple(item.pid for item in chassis_items(items)) == pids
    assert all(item.pid for item in items)


def test_empty_serial_kept_empty() -> None:
    items = parse_show_inventory(read(data_files("show_inventory", "c8300*")[0]))
    assert items[1].serial_number == ""


@pytest.mark.parametrize("text", ["", "Switch# Role Mac Address\n"])
def test_not_show_inventory(text: str) -> None:
    with pytest.raises(ParserError, match="show inventory"):
        parse_show_inventory(text)
