"""read_device against lab devices: members by dev-name, unsaved config, install-oper state."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.facts import read_device
from xeapp.lab import Lab, LabDevice, start_lab

# A loopback block of its own, so these labs never share an address with other test modules.
LAB_BASE = "127.0.7.10"


@pytest.fixture
def lab_of() -> Iterator[Any]:
    """Return a factory starting a one-device lab from a profile spec; it stops afterwards."""
    labs: list[Lab] = []

    def start(spec: dict[str, Any]) -> LabDevice:
        lab = start_lab(profiles=[spec], base=LAB_BASE, netconf_start_seconds=0.2)
        labs.append(lab)
        return lab.devices[0]

    yield start
    for lab in labs:
        lab.stop()


def _login(device: LabDevice) -> DeviceLogin:
    return DeviceLogin(
        device.ip,
        "admin",
        "admin",
        ssh_port=device.ssh_port,
        netconf_port=device.netconf_port,
        connect_timeout_s=3,
        command_timeout_s=20,
    )


def test_stack_members_numbered_by_dev_name(lab_of: Any) -> None:
    device = lab_of({"profile": "c9300-stack3"})
    state = device.device
    with state.lock:
        # Switch 2 reports no inventory and no flash, so positions and numbers differ.
        state.members[1].state = "Provisioned"
        flash3 = state.members[2].filesystem
        free3 = flash3.total_bytes - flash3.used_bytes
    facts = read_device(_login(device))
    assert [m.number for m in facts.members] == [1, 2, 3]
    assert facts.members[1].free_bytes is None
    assert facts.members[2].free_bytes == free3 // 1024 * 1024
    assert facts.members[2].filesystem == "flash-3:"


def test_saved_config_read(lab_of: Any) -> None:
    facts = read_device(_login(lab_of({"profile": "c9500"})))
    assert facts.unsaved_config is False


def test_unsaved_config_read(lab_of: Any) -> None:
    facts = read_device(_login(lab_of({"profile": "c9500", "config_saved": False})))
    assert facts.unsaved_config is True


def test_idle_install_state(lab_of: Any) -> None:
    facts = read_device(_login(lab_of({"profile": "c9300-stack3"})))
    assert facts.install_state is not None
    assert facts.install_state.operation_in_progress is None
    assert facts.install_state.auto_abort_active is False


def test_install_in_progress_read(lab_of: Any) -> None:
    device = lab_of({"profile": "c9300-stack3"})
    with device.device.lock:
        device.device.install.operation_in_progress = "install_add_activate_commit"
    facts = read_device(_login(device))
    assert facts.install_state is not None
    in_progress = facts.install_state.operation_in_progress or ""
    assert "switch 1: install-install-in-progress" in in_progress
    assert "switch 3: install-install-in-progress" in in_progress


def test_auto_abort_timer_read(lab_of: Any) -> None:
    device = lab_of({"profile": "c8300"})
    with device.device.lock:
        device.device.install.auto_abort_deadline = time.monotonic() + 3600
    facts = read_device(_login(device))
    assert facts.install_state is not None
    assert facts.install_state.auto_abort_active is True


def test_router_hostname_from_native(lab_of: Any) -> None:
    name = "router-with-a-name-longer-than-the-prompt"
    facts = read_device(_login(lab_of({"profile": "c8300", "hostname": name})))
    assert facts.hostname == name
    assert [m.number for m in facts.members] == [1]
