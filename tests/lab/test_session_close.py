"""Sessions the device ends (close-session, exit) close without a TCP reset at the client."""

from __future__ import annotations

import logging
import time

import pytest
from ncclient import manager

HARDWARE_FILTER = (
    '<device-hardware-data xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper"/>'
)
CYCLES = 5
# Client loggers (ncclient, and paramiko for netmiko) and the lab's own, server-side ones.
LOGGERS = ("ncclient", "paramiko", "xeapp.lab")


def _client_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.name} {record.threadName}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.startswith(LOGGERS)
    ]


def _wait_for_netconf(device, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not device.state.netconf_ready() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_netconf_close_session_logs_no_error(make_lab, caplog) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    _wait_for_netconf(device)
    caplog.set_level(logging.DEBUG)
    replies = []
    for _ in range(CYCLES):
        with manager.connect(
            host=device.ip,
            port=device.netconf_port,
            username="admin",
            password="admin",
            hostkey_verify=False,
            allow_agent=False,
            look_for_keys=False,
            device_params={"name": "iosxe"},
        ) as session:
            replies.append(session.get(filter=("subtree", HARDWARE_FILTER)).ok)
        # The reset, when there is one, reaches the client's transport thread after close.
        time.sleep(0.2)
    assert replies == [True] * CYCLES
    assert _client_errors(caplog) == []


def test_cli_exit_logs_no_error(make_lab, connect, caplog) -> None:
    lab = make_lab("c9500")
    caplog.set_level(logging.DEBUG)
    prompts = []
    for _ in range(CYCLES):
        conn = connect(lab.devices[0])
        prompts.append(conn.find_prompt())
        conn.disconnect()
        time.sleep(0.2)
    assert prompts == ["c9500#"] * CYCLES
    assert _client_errors(caplog) == []
