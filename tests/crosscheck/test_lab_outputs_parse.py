"""Lab CLI outputs, read over netmiko, parse with the product's parsers into the lab's state.

The same parsers read the real outputs in tests/data, so a lab layout that drifts from the
real one fails here, and a field the lab prints wrong shows as a mismatch with DeviceState.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from netmiko import ConnectHandler

from xeapp.lab import start_lab
from xeapp.lab.profiles import load_profile, profile_names
from xeapp.lab.state import DeviceState, Member
from xeapp.lab.versions import long_version
from xeapp.parsers.boot import parse_show_boot
from xeapp.parsers.dir import parse_dir
from xeapp.parsers.file_systems import parse_show_file_systems
from xeapp.parsers.install_summary import parse_install_summary
from xeapp.parsers.inventory import chassis_items, parse_show_inventory
from xeapp.parsers.romvar import parse_romvar
from xeapp.parsers.show_version import parse_show_version
from xeapp.parsers.switch import parse_show_switch
from xeapp.versions import try_parse_version

PROFILES = profile_names()
SWITCHES = [name for name in PROFILES if load_profile(name)["kind"] == "switch"]
COMMANDS = [
    "show version",
    "show boot",
    "show romvar",
    "show install summary",
    "show switch",
    "show inventory",
    "show file systems",
]


@pytest.fixture(scope="module")
def captured() -> Iterator[dict[str, tuple[DeviceState, dict[str, str]]]]:
    """Start one device per profile and read every show command once over netmiko."""
    lab = start_lab(profiles=list(PROFILES), base="127.0.0.10")
    result: dict[str, tuple[DeviceState, dict[str, str]]] = {}
    try:
        for device in lab.devices:
            state = device.state
            params: dict[str, Any] = {
                "device_type": "cisco_xe",
                "host": device.ip,
                "port": device.ssh_port,
                "username": state.username,
                "password": state.password,
                "timeout": 10,
            }
            with ConnectHandler(**params) as conn:
                outputs = {command: conn.send_command(command) for command in COMMANDS}
                outputs["dir"] = conn.send_command(f"dir {state.fs_prefix}:")
            result[state.profile] = (state, outputs)
        yield result
    finally:
        lab.stop()


def present(state: DeviceState) -> list[Member]:
    return [m for m in state.members if m.state not in ("Removed", "Provisioned")]


@pytest.mark.parametrize("profile", PROFILES)
def test_show_version_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_show_version(outputs["show version"])
    members = present(state)
    expected_image = (
        f"{state.fs_prefix}:packages.conf"
        if state.mode == "INSTALL"
        else f"{state.fs_prefix}:{state.image_name}"
    )
    assert parsed.hostname == state.hostname
    assert parsed.version == try_parse_version(state.version)
    assert parsed.version_text == long_version(state.version)
    assert parsed.system_image == expected_image
    assert parsed.install_mode is (state.mode == "INSTALL")
    assert parsed.config_register == state.platform.config_register
    assert parsed.last_reload_reason == state.last_reload_reason
    assert parsed.serial_numbers == tuple(m.serial for m in members)
    if state.device_kind == "switch":
        assert parsed.pids == tuple(m.version_model for m in members)
        assert parsed.rommon_version == state.rommon_version.split("[")[0]
    else:
        assert parsed.pids == (state.chassis_pid,)
        assert parsed.rommon_version is None


@pytest.mark.parametrize("profile", SWITCHES)
def test_show_version_stack_table(captured, profile: str) -> None:
    state, outputs = captured[profile]
    table = parse_show_version(outputs["show version"]).members
    members = present(state)
    assert [row.number for row in table] == [m.number for m in members]
    assert [row.model for row in table] == [m.version_model for m in members]
    assert [row.sw_version for row in table] == [m.version or state.version for m in members]
    assert [row.mode for row in table] == [state.mode] * len(members)
    assert [row.active for row in table] == [m is state.active_member for m in members]


@pytest.mark.parametrize("profile", PROFILES)
def test_show_boot_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_show_boot(outputs["show boot"])
    expected_members = (
        [str(m.number) for m in present(state)] if state.platform.layout == "switch" else ["active"]
    )
    assert [member.member for member in parsed.members] == expected_members
    for member in parsed.members:
        assert member.next_boot == tuple(state.boot_next)
        if state.platform.layout == "switch":
            assert member.current == tuple(state.boot_current)
    assert parsed.install_mode is (state.mode == "INSTALL")


@pytest.mark.parametrize("profile", PROFILES)
def test_show_romvar_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_romvar(outputs["show romvar"])
    variables = dict(parsed.variables)
    variables.pop("BOOT")
    assert variables == state.romvars
    assert parsed.boot == tuple(state.boot_next)
    assert parsed.ignore_startup_config is (state.romvars.get("SWITCH_IGNORE_STARTUP_CFG") == "1")


@pytest.mark.parametrize("profile", PROFILES)
def test_install_summary_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_install_summary(outputs["show install summary"])
    locations = (
        tuple(f"Switch {m.number}" for m in present(state))
        if state.device_kind == "switch"
        else ("R0",)
    )
    assert [block.locations for block in parsed.blocks] == [locations]
    rows = [(p.type, p.state, p.name) for p in parsed.blocks[0].packages]
    assert rows == [("IMG", p.state, p.version) for p in state.install.packages]
    assert parsed.active_version() == try_parse_version(state.version)
    assert parsed.auto_abort_active is (state.install.auto_abort_deadline is not None)


@pytest.mark.parametrize("profile", SWITCHES)
def test_show_switch_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_show_switch(outputs["show switch"])
    rows = [
        (m.number, m.role, m.mac_address, m.priority, m.hw_version, m.state) for m in parsed.members
    ]
    expected = [(m.number, m.role, m.mac, m.priority, m.hw_version, m.state) for m in state.members]
    assert rows == expected
    assert parsed.stack_mac_address == state.active_member.mac


@pytest.mark.parametrize("profile", PROFILES)
def test_show_inventory_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    chassis = chassis_items(parse_show_inventory(outputs["show inventory"]))
    if state.device_kind == "switch":
        expected = [(m.pid, m.serial, m.hw_version) for m in present(state)]
    else:
        member = state.active_member
        expected = [(state.chassis_pid, member.serial, member.hw_version)]
    assert [(item.pid, item.serial_number, item.vid) for item in chassis] == expected


@pytest.mark.parametrize("profile", PROFILES)
def test_show_file_systems_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_show_file_systems(outputs["show file systems"])
    for member in present(state):
        row = parsed.find(member.filesystem.name)
        assert row is not None, member.filesystem.name
        assert row.size_bytes == member.filesystem.total_bytes
        assert row.free_bytes == member.filesystem.free_bytes
        assert row.type == "disk"
    default = parsed.find(f"{state.fs_prefix}:")
    assert default is not None
    assert default.default is True
    assert default.free_bytes == state.active_member.filesystem.free_bytes


@pytest.mark.parametrize("profile", PROFILES)
def test_dir_fields(captured, profile: str) -> None:
    state, outputs = captured[profile]
    parsed = parse_dir(outputs["dir"])
    fs = state.active_member.filesystem
    assert parsed.directory == f"{state.fs_prefix}:/"
    assert parsed.total_bytes == fs.total_bytes
    assert parsed.free_bytes == fs.free_bytes
    entries = sorted((entry.name, entry.size_bytes) for entry in parsed.entries)
    assert entries == sorted((item.name, item.size) for item in fs.files.values())
