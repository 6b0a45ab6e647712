"""Fixtures of the page tests: NiceGUI's user fixture, the app's services and a small lab."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.credentials import Credentials
from xeapp.lab import Lab, start_lab
from xeapp.services import AppServices

# The lab of these tests binds its own loopback block, apart from the demo fleet's 127.0.0.10.
LAB_BASE = "127.0.0.80"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The pages are registered by each test, so the user fixture loads no main file.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.nicegui_main_file(""))


@pytest.fixture(autouse=True)
def quiet_ssh_libraries() -> Iterator[None]:
    """Keep ncclient's and paramiko's ERROR records of refused lab sessions out of the test.

    A lab device with NETCONF off closes the NETCONF port, which those libraries log as an
    ERROR while xeapp handles it; NiceGUI's user fixture fails a test on any ERROR record.
    """
    names = ("ncclient.transport.ssh", "paramiko.transport")
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[AppServices]:
    """Started services on a fresh data directory, the image server on a free loopback port."""
    app_services = AppServices.open(
        tmp_path / "data", image_server_bind="127.0.0.1", image_server_port=0, use_keyring=False
    )
    app_services.credentials.set(Credentials("admin", "admin"))
    app_services.start()
    yield app_services
    app_services.stop()


@pytest.fixture
def lab() -> Iterator[Lab]:
    """A healthy three-member stack and a C9200L with NETCONF off, on loopback."""
    fleet = start_lab(
        profiles=[
            {"profile": "c9300-stack3", "hostname": "ui-stack"},
            {"profile": "c9200l", "hostname": "ui-noconf", "faults": {"netconf_disabled": {}}},
            {"profile": "c9500", "hostname": "ui-under2g", "flash_free": {1: 1_500_000_000}},
        ],
        base=LAB_BASE,
    )
    yield fleet
    fleet.stop()
