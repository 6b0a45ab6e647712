"""Every CLI command of every profile, read by netmiko cisco_xe."""

from __future__ import annotations

import pytest

from xeapp.lab.profiles import profile_names

PROFILES = profile_names()


def test_eight_profiles_shipped() -> None:
    assert len(PROFILES) >= 8


@pytest.mark.parametrize("profile", PROFILES)
def test_show_commands_every_profile(make_lab, connect, profile: str) -> None:
    lab = make_lab(profile)
    device = lab.devices[0]
    state = device.state
    fs = state.fs_prefix
    with connect(device) as conn:
        version = conn.send_command("show version")
        boot = conn.send_command("show boot")
        romvar = conn.send_command("show romvar")
        install = conn.send_command("show install summary")
        inventory = conn.send_command("show inventory")
        filesystems = conn.send_command("show file systems")
        listing = conn.send_command(f"dir {fs}:")
        switch = conn.send_command("show switch")
        running = conn.send_command("show running-config | include hostname")
        short = conn.send_command("sh ver | i IOS XE")
    assert "Cisco IOS XE Software, Version" in version
    assert f'System image file is "{fs}:' in version
    assert "BOOT variable" in boot
    assert "ROMMON variables" in romvar
    assert "Installed Package(s) Information" in install
    assert state.active_member.serial in inventory
    assert f"{fs}:" in filesystems
    assert f"Directory of {fs}:/" in listing
    assert "bytes total" in listing
    if state.device_kind == "switch":
        assert "Ready" in switch
    else:
        assert "% Invalid input detected at '^' marker." in switch
    assert running.strip() == f"hostname {state.hostname}"
    assert short.startswith("Cisco IOS XE Software")


def test_invalid_input_caret_under_word(make_lab, connect) -> None:
    lab = make_lab("c9500")
    with connect(lab.devices[0]) as conn:
        prompt = conn.find_prompt()
        output = conn.send_command("show bogus")
    caret_line = output.splitlines()[0]
    assert caret_line.index("^") == len(prompt) + len("show ")
    assert "% Invalid input detected at '^' marker." in output


def test_ambiguous_and_incomplete(make_lab, connect) -> None:
    lab = make_lab("c9500")
    with connect(lab.devices[0]) as conn:
        ambiguous = conn.send_command("show i")
        incomplete = conn.send_command("show install")
    assert '% Ambiguous command:  "show i"' in ambiguous
    assert "% Incomplete command." in incomplete


def test_netconf_yang_toggle_in_config_mode(make_lab, connect) -> None:
    lab = make_lab("c9200l")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_config_set(["no netconf-yang"])
        off = device.state.netconf_enabled
        after_off = conn.send_command("show running-config | include ^netconf-yang")
        conn.send_config_set(["netconf-yang", "ip http client source-interface Vlan10"])
        on = device.state.netconf_enabled
        http = conn.send_command("show running-config | include source-interface")
        unsaved = device.state.config_saved
        conn.save_config()
        saved = device.state.config_saved
    assert off is False
    assert after_off.strip() == ""
    assert on is True
    assert "ip http client source-interface Vlan10" in http
    assert unsaved is False
    assert saved is True


def test_copy_running_startup_prompt(make_lab, connect) -> None:
    lab = make_lab("c8300")
    device = lab.devices[0]
    with connect(device) as conn:
        conn.send_config_set(["hostname edge-1"])
        output = conn.send_command_timing("copy running-config startup-config")
        output += conn.send_command_timing("\n")
    assert "Destination filename [startup-config]?" in output
    assert "[OK]" in output
    assert device.state.config_saved is True


def test_terminal_length_pages_output(make_lab, connect) -> None:
    lab = make_lab("c9300-stack3")
    with connect(lab.devices[0]) as conn:
        conn.send_command("terminal length 10", expect_string=r"#")
        output = conn.send_command_timing("show version", read_timeout=2)
        conn.write_channel("q")
        # Read the prompt that follows the quit before sending the next command.
        conn.read_until_prompt(read_timeout=5)
        conn.send_command("terminal length 0")
    assert "--More--" in output


def test_exec_request_runs_one_command(make_lab, connect) -> None:
    import paramiko

    lab = make_lab("c8000v")
    device = lab.devices[0]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        device.ip, device.ssh_port, "admin", "admin", look_for_keys=False, allow_agent=False
    )
    try:
        _, stdout, _ = client.exec_command("show version", timeout=5)
        output = stdout.read().decode()
    finally:
        client.close()
    assert "Cisco IOS XE Software, Version 17.09.04a" in output


def test_crlf_and_lf_both_enter(make_lab, connect) -> None:
    import time

    lab = make_lab("c9500")
    with connect(lab.devices[0]) as conn:
        conn.write_channel("show clock-none\r\n")
        conn.write_channel("\n")
        time.sleep(0.5)
        output = conn.read_channel()
    assert output.count("c9500#") == 2
