"""Each lab fault, set through the Python API and seen through netmiko or a raw socket."""

from __future__ import annotations

import socket
import time

import paramiko
import pytest
from netmiko.exceptions import NetmikoAuthenticationException

from xeapp.lab.faults import FAULTS, parse_fault_spec


def _stage(conn, url: str) -> str:
    conn.send_config_set(["file prompt quiet"])
    return conn.send_command(f"copy {url} flash:", read_timeout=15)


def test_wrong_credentials(make_lab, connect) -> None:
    lab = make_lab("c9500")
    lab.set_fault(lab.devices[0].ip, "wrong_credentials")
    with pytest.raises(NetmikoAuthenticationException):
        connect(lab.devices[0])


def test_netconf_disabled_closes_port(make_lab) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "netconf_disabled")
    time.sleep(0.3)
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex((device.ip, device.netconf_port)) != 0


def test_netconf_slow_start_closes_early(make_lab) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "netconf_slow_start", seconds=30)
    with socket.create_connection((device.ip, device.netconf_port), timeout=2) as sock:
        sock.settimeout(2)
        assert sock.recv(100) == b""


def test_ssh_banner_timeout(make_lab) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "ssh_banner_timeout")
    with socket.create_connection((device.ip, device.ssh_port), timeout=2) as sock:
        sock.settimeout(0.5)
        with pytest.raises(TimeoutError):
            sock.recv(100)


def test_connection_reset_mid_command(make_lab, connect, dropped) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "connection_reset", command="show version")
    conn = connect(device)
    with pytest.raises((OSError, EOFError, Exception)):
        conn.send_command("show version", read_timeout=1)
    assert dropped(conn)


def _install_until_drop(conn, image_server, timeout: float = 10.0) -> str:
    """Type a one-step install and read until the device drops the session; return the output."""
    conn.write_channel(
        f"install add file flash:{image_server.name} activate commit prompt-level none\n"
    )
    transport = conn.remote_conn.get_transport()
    output = ""
    deadline = time.monotonic() + timeout
    while transport.is_active() and time.monotonic() < deadline:
        output += conn.read_channel()
        time.sleep(0.02)
    return output


def test_connection_reset_aborts_install(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    conn = connect(device)
    _stage(conn, image_server.url)
    lab.set_fault(device.ip, "connection_reset", command="install")
    output = _install_until_drop(conn, image_server)
    conn.disconnect()
    time.sleep(device.state.reload_seconds + 0.2)
    assert "--- Starting Activate ---" in output
    assert "SUCCESS:" not in output
    assert "FAILED:" not in output
    assert device.state.boot_count == 0
    assert device.state.version == "17.9.4a"
    with connect(device) as again:
        summary = again.send_command("show install summary")
    assert "17.12.04" in summary


def test_connection_reset_install_continues(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    conn = connect(device)
    _stage(conn, image_server.url)
    lab.set_fault(device.ip, "connection_reset", command="install", install_continues=True)
    output = _install_until_drop(conn, image_server)
    conn.disconnect()
    lab.clear_faults(device.ip)
    deadline = time.monotonic() + 10
    while device.state.boot_count == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(device.state.reload_seconds + 0.2)
    assert "--- Starting Activate ---" in output
    assert "SUCCESS:" not in output
    assert device.state.boot_count == 1
    with connect(device) as again:
        version = again.send_command("show version | include IOS XE")
    assert "17.12.04" in version


@pytest.mark.parametrize(
    ("fault", "params", "expected"),
    [
        ("copy_http_404", {}, "(No such file or directory)"),
        ("copy_http_refused", {}, "(Socket error)"),
        ("copy_http_stall", {"seconds": 0.5}, "(Timed out)"),
        ("copy_flash_full", {}, "(No space left on device)"),
    ],
)
def test_copy_faults(make_lab, connect, image_server, fault, params, expected) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, fault, **params)
    with connect(device) as conn:
        output = _stage(conn, image_server.url)
    assert expected in output
    assert image_server.name not in device.state.active_member.filesystem.files


def test_copy_corrupt_md5_differs(make_lab, connect, image_server) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "copy_corrupt")
    with connect(device) as conn:
        _stage(conn, image_server.url)
        verified = conn.send_command(f"verify /md5 flash:{image_server.name} {image_server.md5}")
    assert "%Error verifying" in verified


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("install_no_space", "KB of free space"),
        ("install_super_package_added", "Super package already added"),
        ("install_failed", "FAILED: install_add_activate_commit : Failed to install package"),
    ],
)
def test_install_faults(make_lab, connect, image_server, fault, expected) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, fault)
    with connect(device) as conn:
        _stage(conn, image_server.url)
        output = conn.send_command(
            f"install add file flash:{image_server.name} activate commit prompt-level none",
            read_timeout=10,
        )
    assert expected in output
    assert device.state.version == "17.9.4a"


def test_install_no_space_real_check(make_lab, connect, image_server) -> None:
    lab = make_lab({"profile": "c9300-stack3", "flash_free": {3: 200_000}})
    device = lab.devices[0]
    with connect(device) as conn:
        _stage(conn, image_server.url)
        output = conn.send_command(
            f"install add file flash:{image_server.name} activate commit prompt-level none",
            read_timeout=10,
        )
    assert "flash-3: requires" in output


def _install_and_wait(lab, connect, dropped, image_server) -> bool:
    """Run a one-step install, then wait out the reload; return whether the session dropped."""
    device = lab.devices[0]
    with connect(device) as conn:
        _stage(conn, image_server.url)
        conn.send_command(
            f"install add file flash:{image_server.name} activate commit prompt-level none",
            expect_string="SUCCESS:",
            read_timeout=10,
        )
        session_dropped = dropped(conn)
    time.sleep(device.state.reload_seconds + 0.2)
    return session_dropped


def test_reload_never_returns(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab("c9500")
    lab.set_fault(lab.devices[0].ip, "reload_never_returns")
    assert _install_and_wait(lab, connect, dropped, image_server)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        assert sock.connect_ex((lab.devices[0].ip, lab.devices[0].ssh_port)) != 0


def test_reload_rollback_keeps_old_version(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab("c9500")
    lab.set_fault(lab.devices[0].ip, "reload_rollback")
    assert _install_and_wait(lab, connect, dropped, image_server)
    with connect(lab.devices[0]) as conn:
        version = conn.send_command("show version | include IOS XE")
    assert "17.09.04a" in version


def test_reload_member_missing(make_lab, connect, dropped, image_server) -> None:
    lab = make_lab("c9300-stack3")
    lab.set_fault(lab.devices[0].ip, "reload_member_missing", member=3)
    assert _install_and_wait(lab, connect, dropped, image_server)
    with connect(lab.devices[0]) as conn:
        switch = conn.send_command("show switch")
    assert "Removed" in switch


def test_syslog_after_prompt(make_lab, connect) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "syslog_after_prompt", after=3)
    with connect(device) as conn:
        conn.write_channel("show clock-none\n")
        time.sleep(0.5)
        output = conn.read_channel()
    assert "%SYS-5-CONFIG_I" in output


def test_every_fault_has_a_test() -> None:
    with open(__file__, encoding="utf-8") as handle:
        source = handle.read()
    missing = [name for name in FAULTS if f'"{name}"' not in source]
    assert missing == []


def test_fault_spec_parsing() -> None:
    assert parse_fault_spec("copy_http_stall:seconds=3") == ("copy_http_stall", {"seconds": 3})
    assert parse_fault_spec("connection_reset:command=install,install_continues=true") == (
        "connection_reset",
        {"command": "install", "install_continues": True},
    )
    with pytest.raises(ValueError):
        parse_fault_spec("no_such_fault")


def test_clear_faults_restores_login(make_lab, connect) -> None:
    lab = make_lab("c9500")
    lab.set_fault(lab.devices[0].ip, "wrong_credentials")
    lab.clear_faults(lab.devices[0].ip)
    with connect(lab.devices[0]) as conn:
        assert conn.find_prompt() == "c9500#"


def test_paramiko_keyboard_interactive(make_lab) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    transport = paramiko.Transport((device.ip, device.ssh_port))
    try:
        transport.connect()
        transport.auth_interactive("admin", lambda title, instr, prompts: ["admin"])
        assert transport.is_authenticated()
    finally:
        transport.close()
