"""Lab.stop() ends every thread the lab started and closes every port it listened on."""

from __future__ import annotations

import contextlib
import socket
import threading

import paramiko
from ncclient import manager

from xeapp.lab import start_lab


def lab_threads(before: set[threading.Thread]) -> list[str]:
    """Return the names of live threads the lab started: accept loop, sessions, transports."""
    names = []
    for thread in threading.enumerate():
        if thread in before or not thread.is_alive():
            continue
        server_transport = isinstance(thread, paramiko.Transport) and thread.server_mode
        if server_transport or thread.name.startswith("lab-"):
            names.append(thread.name)
    return names


def refuses(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((ip, port)) != 0


def open_sessions(lab) -> list[object]:
    """Open one of each kind of connection the lab serves and leave them open."""
    cli_device, other = lab.devices
    held: list[object] = []

    cli = paramiko.SSHClient()
    cli.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    cli.connect(
        cli_device.ip, cli_device.ssh_port, "admin", "admin", look_for_keys=False, allow_agent=False
    )
    shell = cli.invoke_shell()
    shell.recv(100)
    held.append(cli)

    # Authenticated, but never opens a channel.
    idle = paramiko.Transport((cli_device.ip, cli_device.ssh_port))
    idle.connect(username="admin", password="admin")
    held.append(idle)

    # Rejected login: the server side used to wait 30 s in paramiko's accept().
    rejected = paramiko.Transport((cli_device.ip, cli_device.ssh_port))
    rejected.start_client(timeout=5)
    with contextlib.suppress(paramiko.AuthenticationException):
        rejected.auth_password("admin", "wrong")
    held.append(rejected)

    netconf = manager.connect(
        host=cli_device.ip,
        port=cli_device.netconf_port,
        username="admin",
        password="admin",
        device_params={"name": "iosxe"},
        hostkey_verify=False,
        allow_agent=False,
        look_for_keys=False,
        timeout=10,
    )
    held.append(netconf)

    lab.set_fault(other.ip, "ssh_banner_timeout")
    banner = socket.create_connection((other.ip, other.ssh_port), timeout=2)
    held.append(banner)
    return held


def test_stop_ends_threads_and_ports() -> None:
    before = set(threading.enumerate())
    lab = start_lab(
        profiles=["c9300-stack3", "c9500"], base="127.0.0.10", netconf_start_seconds=0.0
    )
    ports = [(d.ip, port) for d in lab.devices for port in (d.ssh_port, d.netconf_port)]
    held = open_sessions(lab)
    try:
        running = lab_threads(before)
        lab.stop()
        left = lab_threads(before)
        closed = [refuses(ip, port) for ip, port in ports]
    finally:
        for item in held:
            close = getattr(item, "close_session", None) or item.close  # type: ignore[attr-defined]
            # The lab has already closed the other end of these sessions.
            with contextlib.suppress(Exception):
                close()
    assert "lab-accept" in running
    assert any(name.startswith("lab-ssh-") for name in running)
    assert any(name.startswith("lab-netconf-") for name in running)
    assert left == []
    assert closed == [True] * len(ports)


def test_stop_twice_is_harmless() -> None:
    lab = start_lab(profiles=["c9500"], base="127.0.0.10")
    lab.stop()
    lab.stop()
    assert lab.started is False
