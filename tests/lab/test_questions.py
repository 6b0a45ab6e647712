"""Replies at `[confirm]` and `[y/n]`: which keys confirm, which cancel, which repeat it."""

from __future__ import annotations

import time

import pytest

from xeapp.lab.state import LabFile

SCRATCH = "scratch.txt"
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"
FILENAME_QUESTION = r"Delete filename \[[^\]]*\]\?"
REMOVE_QUESTION = r"Do you want to remove the above files\? \[y/n\]"


def _add_file(device, name: str) -> dict[str, LabFile]:
    files = device.state.members[0].filesystem.files
    with device.state.lock:
        files[name] = LabFile(name, 100, "")
    return files


def _wait_for_sessions_closed(device, timeout: float = 5.0) -> bool:
    """Return whether the lab ended every session of `device` within `timeout`."""
    deadline = time.monotonic() + timeout
    while device.transports and time.monotonic() < deadline:
        time.sleep(0.02)
    return not device.transports


@pytest.mark.parametrize(("key", "deleted"), [("\n", True), ("y", True), ("x", False)])
def test_confirm_keys(make_lab, connect, key, deleted) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    files = _add_file(device, SCRATCH)
    with connect(device) as conn:
        conn.send_command(f"delete flash:{SCRATCH}", expect_string=FILENAME_QUESTION)
        conn.send_command("\n", expect_string=r"\[confirm\]", cmd_verify=False)
        conn.write_channel(key)
        conn.read_until_prompt(read_timeout=5)
    assert (SCRATCH not in files) is deleted


def test_disconnect_at_question_keeps_file(make_lab, connect) -> None:
    """netmiko's disconnect sends Enter, then `exit`: the `e` must cancel the `[confirm]`."""
    lab = make_lab("c9500")
    device = lab.devices[0]
    files = _add_file(device, SCRATCH)
    conn = connect(device)
    conn.send_command(f"delete flash:{SCRATCH}", expect_string=FILENAME_QUESTION)
    conn.disconnect()
    assert _wait_for_sessions_closed(device)
    assert SCRATCH in files


def test_yes_no_asks_again(make_lab, connect) -> None:
    lab = make_lab("c9300-stack3")
    device = lab.devices[0]
    files = _add_file(device, OLD_IMAGE)
    with connect(device) as conn:
        conn.send_command("install remove inactive", expect_string=REMOVE_QUESTION)
        again = conn.send_command("maybe", expect_string=r"\[y/n\]", cmd_verify=False)
        output = conn.send_command("n", expect_string=f"{device.hostname}#", cmd_verify=False)
    assert "[y/n]" in again
    assert "The following files" not in again
    assert "FAILED: install_remove : User aborted the operation" in output
    assert OLD_IMAGE in files


def test_yes_no_gives_up_after_three(make_lab, connect) -> None:
    lab = make_lab("c9300-stack3")
    device = lab.devices[0]
    files = _add_file(device, OLD_IMAGE)
    with connect(device) as conn:
        conn.send_command("install remove inactive", expect_string=REMOVE_QUESTION)
        conn.send_command("maybe", expect_string=r"\[y/n\]", cmd_verify=False)
        conn.send_command("later", expect_string=r"\[y/n\]", cmd_verify=False)
        output = conn.send_command("never", expect_string=f"{device.hostname}#", cmd_verify=False)
    assert "User aborted the operation" in output
    assert OLD_IMAGE in files
