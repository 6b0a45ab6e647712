"""SshDriver.send_interactive against lab devices: [y/n], [confirm] and filename questions."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.ssh import (
    ANSWER_CONFIRM,
    ANSWER_DELETE_FILENAME,
    ANSWER_DESTINATION,
    ANSWER_YES,
    SshDriver,
)
from xeapp.errors import DeviceError, DeviceTimeoutError
from xeapp.lab import Lab, LabDevice, start_lab
from xeapp.lab.state import LabFile

# A loopback block of its own, so these labs never share an address with other test modules.
LAB_BASE = "127.0.7.50"
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"
SCRATCH = "scratch.txt"


@pytest.fixture
def stack() -> Iterator[LabDevice]:
    with start_lab(profiles=[{"profile": "c9300-stack3"}], base=LAB_BASE) as lab:
        yield lab.devices[0]


@pytest.fixture
def lab() -> Iterator[Lab]:
    with start_lab(profiles=[{"profile": "c9500", "config_saved": False}], base=LAB_BASE) as lab:
        yield lab


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


def _sessions_closed(device: LabDevice, timeout_s: float = 5.0) -> bool:
    """Return whether the lab ended every session of `device` within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while device.transports and time.monotonic() < deadline:
        time.sleep(0.02)
    return not device.transports


def test_install_remove_inactive_answers_yes(stack: LabDevice) -> None:
    member = stack.device.members[1]
    with stack.device.lock:
        member.filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_000_000, "")
    with SshDriver(_login(stack)) as ssh:
        output = ssh.send_interactive("install remove inactive", [ANSWER_YES])
    assert "Do you want to remove the above files? [y/n]" in output
    assert f"Deleting file /flash/{OLD_IMAGE} ... done." in output
    assert "SUCCESS: install_remove" in output
    assert OLD_IMAGE not in member.filesystem.files


def test_install_remove_inactive_without_question(stack: LabDevice) -> None:
    with SshDriver(_login(stack)) as ssh:
        output = ssh.send_interactive("install remove inactive", [ANSWER_YES])
    assert "[y/n]" not in output
    assert "SUCCESS: install_remove" in output


def test_copy_run_start_answers_destination(lab: Lab) -> None:
    device = lab.devices[0]
    with SshDriver(_login(device)) as ssh:
        output = ssh.send_interactive(
            "copy running-config startup-config", [ANSWER_DESTINATION], read_timeout_s=10
        )
    assert "Destination filename [startup-config]?" in output
    assert "[OK]" in output
    assert device.device.config_saved


def test_output_ends_without_prompt(lab: Lab) -> None:
    device = lab.devices[0]
    with SshDriver(_login(device)) as ssh:
        output = ssh.send_interactive("copy running-config startup-config", [ANSWER_DESTINATION])
        prompt = ssh.hostname()
    assert not output.rstrip().endswith(f"{prompt}#")


def test_delete_answers_filename_and_confirm(lab: Lab) -> None:
    device = lab.devices[0]
    flash = device.device.members[0].filesystem
    with device.device.lock:
        flash.files[SCRATCH] = LabFile(SCRATCH, 100, "")
    with SshDriver(_login(device)) as ssh:
        output = ssh.send_interactive(
            f"delete flash:{SCRATCH}", [ANSWER_DELETE_FILENAME, ANSWER_CONFIRM]
        )
    assert f"Delete filename [{SCRATCH}]?" in output
    assert f"Delete flash:/{SCRATCH}? [confirm]" in output
    assert SCRATCH not in flash.files


def test_unlisted_question_times_out(lab: Lab) -> None:
    device = lab.devices[0]
    flash = device.device.members[0].filesystem
    with device.device.lock:
        flash.files[SCRATCH] = LabFile(SCRATCH, 100, "")
    started = time.monotonic()
    with (
        SshDriver(_login(device)) as ssh,
        pytest.raises(DeviceTimeoutError, match="no prompt within 1 s"),
    ):
        ssh.send_interactive(f"delete flash:{SCRATCH}", [ANSWER_CONFIRM], read_timeout_s=1)
    assert time.monotonic() - started < 15
    # Whatever the client typed before it left has reached the lab once the session is gone.
    assert _sessions_closed(device)
    assert SCRATCH in flash.files


def test_question_limit(lab: Lab) -> None:
    device = lab.devices[0]
    flash = device.device.members[0].filesystem
    with device.device.lock:
        flash.files[SCRATCH] = LabFile(SCRATCH, 100, "")
    with SshDriver(_login(device)) as ssh, pytest.raises(DeviceError, match="more than 1"):
        ssh.send_interactive(
            f"delete flash:{SCRATCH}",
            [ANSWER_DELETE_FILENAME, ANSWER_CONFIRM],
            max_answers=1,
        )


def test_rejected_command_raises(lab: Lab) -> None:
    with (
        SshDriver(_login(lab.devices[0])) as ssh,
        pytest.raises(DeviceError, match="rejected 'delete nosuchfs:x'"),
    ):
        ssh.send_interactive("delete nosuchfs:x", [ANSWER_CONFIRM])
