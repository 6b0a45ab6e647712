"""Role tagging of every PID found in the real device output under tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from xeapp.parsers.inventory import chassis_items, parse_show_inventory
from xeapp.parsers.netconf import parse_device_hardware
from xeapp.parsers.show_version import parse_show_version
from xeapp.platforms import device_role, identify_platform

DATA = Path(__file__).resolve().parents[1] / "data"

# PID -> (role, filesystem) as the inventory must show them.
EXPECTED = {
    "ASR1001": ("Router", "bootflash:"),
    "ASR1006": ("Router", "bootflash:"),
    "C8000V": ("Router", "bootflash:"),
    "C8300-1N1S-6G": ("Router", "bootflash:"),
    "C9300-24P": ("Switch", "flash:"),
    "C9500-40X": ("Switch", "flash:"),
    "C9500X-28C8D": ("Switch", "bootflash:"),
    "C9606R": ("Switch", "bootflash:"),
    "CSR1000V": ("Router", "bootflash:"),
    "ISR4331/K9": ("Router", "bootflash:"),
    "ISR4451-X/K9": ("Router", "bootflash:"),
    "WS-C3850-24P": ("Switch", "flash:"),
    "WS-C3850-24P-E": ("Switch", "flash:"),
}


def pids_in_test_data() -> set[str]:
    pids: set[str] = set()
    for path in (DATA / "show_version").glob("*.txt"):
        pids.update(parse_show_version(path.read_text(errors="replace")).pids)
    for path in (DATA / "show_inventory").glob("*.txt"):
        pids.update(item.pid for item in chassis_items(parse_show_inventory(path.read_text())))
    for path in (DATA / "netconf_xml").glob("*device-hardware*.xml"):
        pids.update(item.part_number for item in parse_device_hardware(path.read_text()).chassis)
    return pids


def test_every_data_pid_has_an_expectation() -> None:
    assert pids_in_test_data() == set(EXPECTED)


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_role_of_pid(pid: str) -> None:
    assert device_role(pid).value == EXPECTED[pid][0]


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_filesystem_of_pid(pid: str) -> None:
    assert identify_platform(pid).filesystem == EXPECTED[pid][1]


def test_stack_members_get_numbered_flash() -> None:
    assert identify_platform("C9300-24P").member_filesystem(2) == "flash-2:"
