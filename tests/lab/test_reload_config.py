"""A reload loads the startup configuration: unsaved changes are lost, saved ones stay."""

from __future__ import annotations

import socket
import time

CHANGES = [
    "hostname edge-unsaved",
    "file prompt quiet",
    "ip http client source-interface Vlan10",
    "no netconf-yang",
]


def wait_until_up(device, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((device.ip, device.ssh_port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{device.ip} did not come back within {timeout} s")


def reload(conn, dropped, save: str) -> str:
    """Reload through the CLI, answering the save question with `save`; return the dialogue."""
    output = conn.send_command("reload", expect_string=r"Save\? \[yes/no\]: ")
    output += conn.send_command(save, expect_string=r"\[confirm\]")
    conn.write_channel("\n")
    assert dropped(conn)
    return output


def test_reload_loses_unsaved_changes(make_lab, connect, dropped) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_config_set(CHANGES)
        changed = conn.send_command("show running-config")
        dialogue = reload(conn, dropped, "no")
    wait_until_up(device)
    with connect(device) as conn:
        prompt = conn.find_prompt()
        running = conn.send_command("show running-config")
    assert "hostname edge-unsaved" in changed
    assert "System configuration has been modified. Save? [yes/no]:" in dialogue
    assert prompt == "c9500#"
    assert "hostname c9500" in running
    assert "file prompt quiet" not in running
    assert "ip http client source-interface" not in running
    assert "\nnetconf-yang\n" in running
    assert device.state.netconf_enabled is True
    assert device.state.config_saved is True


def test_reload_keeps_saved_changes(make_lab, connect, dropped) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_config_set(["file prompt quiet", "ip http client source-interface Vlan10"])
        conn.save_config()
        conn.send_config_set(["no file prompt quiet"])
        reload(conn, dropped, "no")
    wait_until_up(device)
    with connect(device) as conn:
        running = conn.send_command("show running-config")
        startup = conn.send_command("show startup-config")
    assert "file prompt quiet" in running
    assert "ip http client source-interface Vlan10" in running
    assert "file prompt quiet" in startup


def test_reload_save_answer_keeps_changes(make_lab, connect, dropped) -> None:
    lab = make_lab("isr4451-x")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_config_set(["ip http client source-interface GigabitEthernet0/0/1"])
        dialogue = reload(conn, dropped, "yes")
    wait_until_up(device)
    with connect(device) as conn:
        running = conn.send_command("show running-config | include source-interface")
    assert "[OK]" in dialogue
    assert running.strip() == "ip http client source-interface GigabitEthernet0/0/1"


def test_netconf_disabled_fault_survives_reload(make_lab, connect, dropped) -> None:
    lab = make_lab("c9500")
    device = lab.devices[0]
    lab.set_fault(device.ip, "netconf_disabled")
    with connect(device) as conn:
        conn.send_command("reload", expect_string=r"\[confirm\]")
        conn.write_channel("\n")
        assert dropped(conn)
    wait_until_up(device)
    with connect(device) as conn:
        running = conn.send_command("show running-config | include ^netconf-yang")
    assert running.strip() == ""
    assert device.state.netconf_enabled is False
