"""Helpers of the page tests: registering the app, waiting for background work, the grid."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nicegui import ui
from nicegui.testing import User

from xeapp.demo import write_demo_image
from xeapp.lab import Lab
from xeapp.services import AppServices
from xeapp.targets import Target
from xeapp.ui.pages import register_pages

IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"


def register(services: AppServices) -> None:
    register_pages(services)


async def wait_for(condition: Callable[[], Any], timeout_s: float = 20.0) -> Any:
    """Let the event loop run until `condition()` is truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout_s} s")


def grid_rows(user: User) -> list[dict[str, Any]]:
    grid = next(iter(user.find(ui.aggrid).elements))
    rows: list[dict[str, Any]] = grid.options["rowData"]
    return rows


def select_rows(user: User, *addresses: str) -> None:
    """Report a grid selection the way the browser does: selectionChanged with every row id.

    `addresses` is the complete selection afterwards, not rows added to an earlier one.
    """
    user.find(ui.aggrid).trigger("selectionChanged", list(addresses))


def lab_targets(lab: Lab) -> list[Target]:
    return [Target(d.ip, d.ssh_port, d.netconf_port) for d in lab.devices]


def add_lab_devices(services: AppServices, lab: Lab) -> list[Target]:
    targets = lab_targets(lab)
    services.add_devices(targets)
    return targets


def add_image(services: AppServices, tmp_path: Path, name: str = IMAGE) -> None:
    path = tmp_path / name
    md5 = write_demo_image(path, 2 * 2**20)
    services.repository.add_file(path, md5=md5)
