"""Staging an image over HTTP and the one-step install with its reload, on a lab stack."""

from __future__ import annotations

import socket
import time

import pytest
from netmiko.exceptions import ReadException

TARGET = "17.12.4"


def wait_until_up(device, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((device.ip, device.ssh_port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{device.ip} did not come back within {timeout} s")


DESTINATION_PROMPT = r"Destination filename \[[^\]]*\]\?"


def wait_until_refused(device, timeout: float) -> int:
    """Return the connect_ex status once the SSH port refuses, or the last one at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            status = sock.connect_ex((device.ip, device.ssh_port))
        if status != 0 or time.monotonic() >= deadline:
            return status
        time.sleep(0.02)


def stage(conn, image_server) -> str:
    output = conn.send_command(
        f"copy {image_server.url} flash:", expect_string=DESTINATION_PROMPT, read_timeout=5
    )
    output += conn.send_command(
        "\n", expect_string=r"#", read_timeout=10, strip_prompt=False, strip_command=False
    )
    return output


def test_copy_http_downloads_and_verifies(make_lab, connect, image_server) -> None:
    lab = make_lab("c9300-stack3")
    device = lab.devices[0]
    with connect(device) as conn:
        copied = stage(conn, image_server)
        verified = conn.send_command(f"verify /md5 flash:{image_server.name}")
        listing = conn.send_command(f"dir flash:{image_server.name}")
    assert f"Destination filename [{image_server.name}]?" in copied
    assert "!" in copied
    assert f"{image_server.size} bytes copied in" in copied
    assert f"= {image_server.md5}" in verified
    assert str(image_server.size) in listing


def test_copy_overwrite_prompt_and_quiet(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    with connect(lab.devices[0]) as conn:
        stage(conn, image_server)
        again = conn.send_command(f"copy {image_server.url} flash:", expect_string=r"\?")
        again += conn.send_command("\n", expect_string=r"\[confirm\]")
        again += conn.send_command("\n", expect_string=r"#", read_timeout=10)
        conn.send_config_set(["file prompt quiet"])
        quiet = conn.send_command(f"copy {image_server.url} flash:", read_timeout=10)
    assert "Do you want to over write? [confirm]" in again
    assert "Destination filename" not in quiet
    assert "bytes copied in" in quiet


def test_copy_http_real_404_and_refused(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    missing = image_server.url.replace(image_server.name, "missing.bin")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refused = f"http://127.0.0.1:{closed_port}/{image_server.name}"
    with connect(lab.devices[0]) as conn:
        conn.send_config_set(["file prompt quiet"])
        not_found = conn.send_command(f"copy {missing} flash:", read_timeout=10)
        no_server = conn.send_command(f"copy {refused} flash:", read_timeout=10)
    assert f"%Error opening {missing} (No such file or directory)" in not_found
    assert f"%Error opening {refused} (Socket error)" in no_server


def test_one_step_install_reloads_stack(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab("c9300-stack3")
    device = lab.devices[0]
    second = connect(device)
    with connect(device) as conn:
        stage(conn, image_server)
        try:
            output = conn.send_command(
                f"install add file flash:{image_server.name} activate commit prompt-level none",
                expect_string=r"SUCCESS: install_add_activate_commit",
                read_timeout=20,
            )
        except (ReadException, OSError) as exc:
            pytest.fail(f"install output ended early: {exc}")
        assert dropped(conn)
    assert dropped(second)
    assert "Image added. Version: 17.12.04" in output
    assert "--- Starting Commit ---" in output

    wait_until_up(device)
    with connect(device) as conn:
        version = conn.send_command("show version")
        summary = conn.send_command("show install summary")
        boot = conn.send_command("show boot")
        romvar = conn.send_command("show romvar")
    assert "Cisco IOS XE Software, Version 17.12.04" in version
    assert 'System image file is "flash:packages.conf"' in version
    assert "INSTALL" in version
    assert "IMG   C    17.12.04" in summary
    assert "IMG   I    17.09.04a" in summary
    assert boot.count("BOOT variable = flash:packages.conf;") == 6
    assert "SWITCH_IGNORE_STARTUP_CFG=0" in romvar
    assert device.state.boot_count == 1
    assert device.state.last_reload_reason == "Install"


def test_bundle_device_comes_back_in_install_mode(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab({"profile": "c3850-stack"})
    device = lab.devices[0]
    name = image_server.name
    with connect(device) as conn:
        stage(conn, image_server)
        alone = conn.send_command(f"install add file flash:{name}")
        conn.send_command(
            f"install add file flash:{name} activate commit prompt-level none",
            expect_string=r"SUCCESS:",
            read_timeout=20,
        )
        assert dropped(conn)
    wait_until_up(device)
    with connect(device) as conn:
        version = conn.send_command("show version")
    assert "Booted in bundle mode" in alone
    assert "Version 17.12.04" in version
    assert "INSTALL" in version


def test_install_two_phase_then_commit(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    with connect(device) as conn:
        stage(conn, image_server)
        added = conn.send_command(f"install add file flash:{image_server.name}", read_timeout=10)
        conn.send_command(
            "install activate auto-abort-timer 30 prompt-level none",
            expect_string=r"SUCCESS:",
            read_timeout=20,
        )
        assert dropped(conn)
    wait_until_up(device)
    with connect(device) as conn:
        pending = conn.send_command("show install summary")
        committed = conn.send_command("install commit")
        after = conn.send_command("show install summary")
    assert "SUCCESS: install_add" in added
    assert "IMG   U    17.12.04" in pending
    assert "time before rollback" in pending
    assert "SUCCESS: install_commit" in committed
    assert "Auto abort timer: inactive" in after


def test_install_remove_inactive_frees_space(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    with connect(device) as conn:
        stage(conn, image_server)
        free_before = device.state.active_member.filesystem.free_bytes
        output = conn.send_command("install remove inactive", expect_string=r"\[y/n\]")
        output += conn.send_command("y", expect_string=r"#", read_timeout=10)
    assert "Do you want to remove the above files? [y/n]" in output
    assert "SUCCESS: install_remove" in output
    assert device.state.active_member.filesystem.free_bytes > free_before


def test_reload_confirm_drops_and_returns(make_lab, connect, dropped) -> None:
    lab = make_lab("isr4451-x")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_command("reload", expect_string=r"\[confirm\]")
        conn.write_channel("\n")
        assert dropped(conn)
        status = wait_until_refused(device, timeout=0.4)
    wait_until_up(device)
    assert status != 0
    assert device.state.last_reload_reason == "Reload Command"
