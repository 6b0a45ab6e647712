"""Discovery of the lab demo fleet over real SSH and NETCONF sessions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xeapp.discovery import DiscoveryResult, DiscoveryService
from xeapp.drivers.connection import DeviceLogin
from xeapp.lab import Lab, LabDevice, start_lab
from xeapp.netconf_toggle import set_netconf
from xeapp.settings import Settings
from xeapp.store import Store
from xeapp.targets import Target

UNUSED_ADDRESS = "127.0.4.250"  # nothing listens here

# q-filesystem reports sizes in kB, so bytes read over NETCONF are rounded down to 1024.
KB = 1024


def readable_devices(lab: Lab) -> list[str]:
    return [d.hostname for d in lab.devices if "badcreds" not in d.hostname]


def test_every_demo_device_reported(
    demo_lab: Lab, demo_results: dict[str, DiscoveryResult]
) -> None:
    assert sorted(demo_results) == sorted(d.hostname for d in demo_lab.devices)


def test_demo_devices_online(demo_lab: Lab, demo_results: dict[str, DiscoveryResult]) -> None:
    offline = [h for h in readable_devices(demo_lab) if not demo_results[h].online]
    assert offline == []


def test_demo_role_version_rommon(demo_lab: Lab, demo_results: dict[str, DiscoveryResult]) -> None:
    for hostname in readable_devices(demo_lab):
        state = demo_lab.device(hostname).device
        facts = demo_results[hostname].facts
        assert facts.hostname == hostname
        assert facts.device_role == ("Switch" if state.device_kind == "switch" else "Router"), (
            hostname
        )
        assert _same_version(facts.current_version, state.version), hostname
        assert facts.rommon_version == state.rommon_version.split("[")[0], hostname
        assert facts.install_mode == state.mode, hostname


def _same_version(read: str, served: str) -> bool:
    from xeapp.versions import parse_version

    return parse_version(read) == parse_version(served)


def test_demo_members_and_free_space(
    demo_lab: Lab, demo_results: dict[str, DiscoveryResult]
) -> None:
    for hostname in readable_devices(demo_lab):
        state = demo_lab.device(hostname).device
        facts = demo_results[hostname].facts
        present = [m for m in state.members if m.state not in ("Removed", "Provisioned")]
        assert len(facts.members) == len(state.members), hostname
        for served in present:
            # A router or standalone switch is member 1 in the facts, whatever the lab numbers it.
            member = facts.member(served.number if len(state.members) > 1 else 1)
            assert member is not None
            assert member.pid == served.pid, hostname
            assert member.serial_number == served.serial, hostname
            assert member.free_bytes is not None, hostname
            assert abs(member.free_bytes - served.filesystem.free_bytes) < KB, hostname
            assert abs((member.total_bytes or 0) - served.filesystem.total_bytes) < KB, hostname


def test_stack_members_get_numbered_flash(demo_results: dict[str, DiscoveryResult]) -> None:
    facts = demo_results["demo-stack-healthy"].facts
    assert [m.filesystem for m in facts.members] == ["flash-1:", "flash-2:", "flash-3:"]


def test_router_uses_bootflash(demo_results: dict[str, DiscoveryResult]) -> None:
    assert demo_results["demo-isr4451"].facts.filesystem == "bootflash:"


def test_low_flash_member_read(demo_results: dict[str, DiscoveryResult]) -> None:
    member = demo_results["demo-stack-lowflash"].facts.member(2)
    assert member is not None
    assert member.free_bytes is not None
    assert member.free_bytes < 1_000_000_000


def test_netconf_devices_read_over_netconf(demo_results: dict[str, DiscoveryResult]) -> None:
    facts = demo_results["demo-stack-healthy"].facts
    assert facts.source == "netconf"
    assert facts.netconf_state == "Enabled"


def test_cli_details_read(demo_results: dict[str, DiscoveryResult]) -> None:
    facts = demo_results["demo-c9500-ignorecfg"].facts
    assert facts.romvars["SWITCH_IGNORE_STARTUP_CFG"] == "1"
    assert facts.boot_variables[0].next_reload == ["flash:packages.conf"]
    assert facts.install_state is not None
    assert facts.install_state.packages != []
    assert facts.read_errors == []


def test_bundle_device_boots_bin(demo_results: dict[str, DiscoveryResult]) -> None:
    facts = demo_results["demo-3850-bundle"].facts
    assert facts.install_mode == "BUNDLE"
    assert facts.boot_variables[0].next_reload[0].endswith(".bin")


def test_netconf_disabled_read_over_ssh(demo_results: dict[str, DiscoveryResult]) -> None:
    result = demo_results["demo-c9200l-noconf"]
    assert result.online
    assert result.facts.source == "ssh"
    assert result.facts.netconf_state == "Disabled"
    assert result.facts.current_version != ""
    assert result.facts.members[0].free_bytes is not None


def test_wrong_credentials_offline(demo_results: dict[str, DiscoveryResult]) -> None:
    result = demo_results["demo-c9200l-badcreds"]
    assert result.facts.status == "Offline"
    assert "authentication failed" in (result.facts.last_error or "")


def test_unused_address_offline(service: DiscoveryService, store: Store) -> None:
    [result] = service.discover([Target(UNUSED_ADDRESS, 2222, 8830)])
    assert result.facts.status == "Offline"
    assert "connection refused" in (result.facts.last_error or "")
    assert store.get_device(UNUSED_ADDRESS) is not None


def test_known_hosts_recorded(demo_lab: Lab, service: DiscoveryService, tmp_path: Path) -> None:
    device = demo_lab.device("demo-isr4451")
    service.discover([Target(device.ip, device.ssh_port, device.netconf_port)])
    text = (tmp_path / "known_hosts").read_text()
    assert f"[{device.ip}]:{device.ssh_port}" in text
    assert f"[{device.ip}]:{device.netconf_port}" in text


def test_enable_netconf_then_rediscover(
    service: DiscoveryService, settings: Settings, lab_login: Callable[[LabDevice], DeviceLogin]
) -> None:
    spec = {"profile": "c9200l", "hostname": "toggle-c9200l", "faults": {"netconf_disabled": {}}}
    with start_lab(profiles=[spec], base="127.0.4.100", netconf_start_seconds=2.0) as lab:
        device = lab.devices[0]
        target = Target(device.ip, device.ssh_port, device.netconf_port)
        [before] = service.discover([target])
        assert before.facts.netconf_state == "Disabled"

        login = lab_login(device)
        toggled = set_netconf(
            login, True, wait_s=settings.netconf_start_wait_s, poll_interval_s=0.5
        )
        assert toggled.confirmed, toggled.message
        assert toggled.saved is False

        [after] = service.discover([target])
        assert after.facts.source == "netconf"
        assert after.facts.netconf_state == "Enabled"


def test_disable_netconf_confirmed(lab_login: Callable[[LabDevice], DeviceLogin]) -> None:
    with start_lab(profiles=["c9200l"], base="127.0.4.100") as lab:
        device = lab.devices[0]
        result = set_netconf(lab_login(device), False, save=True, wait_s=10, poll_interval_s=0.5)
        assert result.confirmed, result.message
        assert result.netconf_state == "Disabled"
        assert result.saved
        assert device.device.config_saved
