"""Tests for PID to platform mapping, roles, filesystems and image fit."""

import re
from pathlib import Path

import pytest

from xeapp.platforms import (
    DeviceRole,
    UnsupportedPlatformError,
    default_filesystem,
    device_role,
    identify_platform,
    image_fits,
)

DATA = Path(__file__).parent / "data"

SWITCH_PIDS = [
    "C9300-24P",
    "C9300-24T",
    "C9300L-48T-4G",
    "C9500-40X",
    "C9500X-28C8D",
    "C9606R",
    "C9407R",
    "C9200L-24T-4G",
    "C9200-48P",
    "WS-C3850-24P",
    "WS-C3850-24P-E",
    "WS-C3650-48PS",
]
ROUTER_PIDS = [
    "ISR4451-X/K9",
    "ISR4331/K9",
    "ISR4321/K9",
    "ISR4461/K9",
    "C8300-1N1S-6T",
    "C8300-1N1S-6G",
    "C8200L-1N-4T",
    "C8500-12X4QC",
    "C8000V",
    "CSR1000V",
    "ASR1001-X",
    "ASR1002-X",
    "ASR1001",
    "ASR1006",
    "C1111-8P",
]


@pytest.mark.parametrize("pid", SWITCH_PIDS)
def test_switch_role(pid: str) -> None:
    assert device_role(pid) is DeviceRole.SWITCH


@pytest.mark.parametrize("pid", ROUTER_PIDS)
def test_router_role(pid: str) -> None:
    assert device_role(pid) is DeviceRole.ROUTER


def _chassis_pids_in_data() -> list[str]:
    pids: set[str] = set()
    for path in (DATA / "show_version").glob("*.txt"):
        pids.update(re.findall(r"^\s*cisco (\S+) ", path.read_text(), re.MULTILINE))
    for path in (DATA / "show_inventory").glob("*.txt"):
        pids.update(
            re.findall(r"NAME: \"(?:Chassis|Switch \d+)\".*\n\s*PID: (\S+)", path.read_text())
        )
    return sorted(pids)


@pytest.mark.parametrize("pid", _chassis_pids_in_data())
def test_every_real_pid_has_a_role(pid: str) -> None:
    expected = DeviceRole.SWITCH if pid.startswith(("C9", "WS-C3")) else DeviceRole.ROUTER
    assert device_role(pid) is expected


def test_real_pids_found() -> None:
    assert len(_chassis_pids_in_data()) >= 10


@pytest.mark.parametrize("pid", ["C9800-CL", "C9800-40", "N9K-C93180YC-EX", "", "WS-C2960X-48"])
def test_unsupported_pid_raises(pid: str) -> None:
    with pytest.raises(UnsupportedPlatformError, match=re.escape(repr(pid))):
        identify_platform(pid)


@pytest.mark.parametrize(
    ("pid", "member", "filesystem"),
    [
        ("C9300-24P", None, "flash:"),
        ("C9300-24P", 2, "flash-2:"),
        ("WS-C3850-24P", 5, "flash-5:"),
        ("C9500X-28C8D", None, "bootflash:"),
        ("ISR4451-X/K9", None, "bootflash:"),
        ("C8000V", 1, "bootflash:"),
    ],
)
def test_default_filesystem(pid: str, member: int | None, filesystem: str) -> None:
    assert default_filesystem(pid, member) == filesystem


@pytest.mark.parametrize(
    ("family", "pid"),
    [
        ("cat9k_iosxe", "C9300-24P"),
        ("cat9k_iosxe", "C9407R"),
        ("cat9k_iosxe", "C9500-40X"),
        ("cat9k_iosxe", "C9606R"),
        ("cat9k_lite_iosxe", "C9200L-24T-4G"),
        ("cat3k_caa", "WS-C3850-24P"),
        ("cat3k_caa", "WS-C3650-48PS"),
        ("isr4400", "ISR4451-X/K9"),
        ("isr4400v2", "ISR4461/K9"),
        ("isr4300", "ISR4331/K9"),
        ("c8000be", "C8300-1N1S-6T"),
        ("c8000be", "C8200L-1N-4T"),
        ("c8000aep", "C8500-12X4QC"),
        ("asr1000", "ASR1006"),
        ("asr1001x", "ASR1001-X"),
        ("c8000v", "C8000V"),
    ],
)
def test_image_fits(family: str, pid: str) -> None:
    assert image_fits(family, pid)


@pytest.mark.parametrize(
    ("family", "pid"),
    [
        ("cat9k_iosxe", "C9200L-24T-4G"),
        ("cat9k_lite_iosxe", "C9300-24P"),
        ("isr4400", "ISR4331/K9"),
        ("c8000v", "C8300-1N1S-6T"),
        ("cat9k_iosxe", "ISR4451-X/K9"),
        (None, "C9300-24P"),
    ],
)
def test_image_does_not_fit(family: str | None, pid: str) -> None:
    assert not image_fits(family, pid)
