"""Tests for the NETCONF reply parsers."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.netconf import (
    HardwareItem,
    parse_configured_hostname,
    parse_device_hardware,
    parse_install_oper,
    parse_q_filesystem,
)
from xeapp.versions import IOSXEVersion

HARDWARE_FILES = data_files("netconf_xml", "*device-hardware-data*.xml")


@pytest.mark.parametrize("path", HARDWARE_FILES, ids=lambda path: path.stem)
def test_hardware_real_reply(path: Path) -> None:
    parsed = parse_device_hardware(read(path))
    assert parsed.chassis
    assert parsed.chassis[0].part_number
    assert parsed.version is not None
    assert "\r" not in parsed.rommon_version


def test_csr1000v_values() -> None:
    parsed = parse_device_hardware(read(HARDWARE_FILES[0]))
    assert parsed.version == IOSXEVersion(16, 9, 7)
    assert parsed.rommon_version == "IOS-XE ROMMON"
    assert parsed.chassis[0].serial_number == "9VIRT000002"
    assert parsed.boot_time == "2023-10-15T16:23:20+00:00"
    assert parsed.software_version_text.count("\n") == 3


def test_empty_leaves_are_empty_strings() -> None:
    parsed = parse_device_hardware(read(HARDWARE_FILES[0]))
    assert parsed.inventory[2].serial_number == ""


STACK_HARDWARE = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data>
    <device-hardware-data xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper">
    <device-hardware>
    <device-inventory><hw-type>hw-type-chassis</hw-type><hw-dev-index>1</hw-dev-index>
    <part-number>C9300-24P</part-number><serial-number>FCW0000001A</serial-number>
    <dev-name>Switch 1</dev-name></device-inventory>
    <device-inventory><hw-type>hw-type-chassis</hw-type><hw-dev-index>2</hw-dev-index>
    <part-number>C9300-48P</part-number><serial-number>FCW0000002B</serial-number>
    <dev-name>Switch 3</dev-name></device-inventory>
    <device-system-data><software-version>Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a,
RELEASE SOFTWARE (fc3)</software-version><rommon-version>17.6.1r</rommon-version>
    <unsaved-config>true</unsaved-config></device-system-data>
    </device-hardware></device-hardware-data></data></rpc-reply>"""


def test_stack_chassis_entries() -> None:
    parsed = parse_device_hardware(STACK_HARDWARE)
    assert [item.part_number for item in parsed.chassis] == ["C9300-24P", "C9300-48P"]
    assert parsed.version == IOSXEVersion(17, 9, 4, "a")
    assert parsed.rommon_version == "17.6.1r"


def test_stack_member_numbers_from_dev_name() -> None:
    parsed = parse_device_hardware(STACK_HARDWARE)
    assert [item.member_number for item in parsed.chassis] == [1, 3]


@pytest.mark.parametrize(
    ("name", "number"),
    [("Switch 2", 2), ("switch 10", 10), ("Switch2", 2), ("Chassis", None), ("", None)],
)
def test_member_number_of_dev_name(name: str, number: int | None) -> None:
    item = HardwareItem("hw-type-chassis", 0, "C9300-24P", "", "", "", name)
    assert item.member_number == number


def test_unsaved_config_true() -> None:
    assert parse_device_hardware(STACK_HARDWARE).unsaved_config is True


def test_unsaved_config_false() -> None:
    xml = STACK_HARDWARE.replace(">true</unsaved-config>", ">false</unsaved-config>")
    assert parse_device_hardware(xml).unsaved_config is False


def test_unsaved_config_absent() -> None:
    # The 16.9.7 reply predates the leaf.
    assert parse_device_hardware(read(HARDWARE_FILES[0])).unsaved_config is None


def test_dev_name_absent_in_real_reply() -> None:
    chassis = parse_device_hardware(read(HARDWARE_FILES[0])).chassis[0]
    assert chassis.name == ""
    assert chassis.member_number is None


@pytest.mark.parametrize(
    "xml", ["not xml", "<rpc-reply><data/></rpc-reply>", read(HARDWARE_FILES[0])[:200]]
)
def test_hardware_not_reply(xml: str) -> None:
    with pytest.raises(ParserError, match="device-hardware-data"):
        parse_device_hardware(xml)


# No real q-filesystem reply was found in public sources. This one is built from the
# Cisco-IOS-XE-platform-software-oper 17.9.1 YANG in tests/data/yang: list q-filesystem keyed by
# fru, slot, bay and chassis, with list partitions (name, total-size, used-size in kB).
Q_FILESYSTEM = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="2">
<data>
<cisco-platform-software xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper">
  <q-filesystem>
    <fru>fru-rp</fru><slot>0</slot><bay>0</bay><chassis>1</chassis>
    <partitions><name>bootflash:</name><total-size>11087104</total-size>
      <used-size>6280192</used-size><used-percent>56</used-percent></partitions>
    <partitions><name>crashinfo:</name><total-size>1612800</total-size>
      <used-size>680000</used-size></partitions>
  </q-filesystem>
  <q-filesystem>
    <fru>fru-rp</fru><slot>0</slot><bay>0</bay><chassis>2</chassis>
    <partitions><name>bootflash:</name><total-size>11087872</total-size>
      <used-size>10600000</used-size></partitions>
  </q-filesystem>
</cisco-platform-software>
</data>
</rpc-reply>"""


def test_q_filesystem_locations() -> None:
    locations = parse_q_filesystem(Q_FILESYSTEM)
    assert [location.chassis for location in locations] == [1, 2]
    assert [len(location.partitions) for location in locations] == [2, 1]


def test_q_filesystem_free_space() -> None:
    member2 = parse_q_filesystem(Q_FILESYSTEM)[1].partition("bootflash")
    assert member2 is not None
    assert member2.free_kb == 487872
    assert member2.free_bytes == 487872 * 1024


def test_q_filesystem_single_entry_not_a_list() -> None:
    xml = (
        '<data><cisco-platform-software xmlns="x"><q-filesystem><fru>fru-rp</fru>'
        "<partitions><name>bootflash:</name><total-size>10</total-size>"
        "<used-size>4</used-size></partitions></q-filesystem></cisco-platform-software></data>"
    )
    locations = parse_q_filesystem(xml)
    assert locations[0].partitions[0].free_kb == 6
    assert locations[0].chassis is None


def test_q_filesystem_missing() -> None:
    with pytest.raises(ParserError, match="cisco-platform-software"):
        parse_q_filesystem("<rpc-reply><data/></rpc-reply>")


NATIVE_HOSTNAME = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="3">
<data><native xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-native">
<hostname>LAB-9300-Stack-1-with-a-long-name</hostname></native></data></rpc-reply>"""


def test_configured_hostname() -> None:
    assert parse_configured_hostname(NATIVE_HOSTNAME) == "LAB-9300-Stack-1-with-a-long-name"


@pytest.mark.parametrize("path", data_files("netconf_xml", "rpc-reply*.xml"), ids=lambda p: p.stem)
def test_configured_hostname_absent_in_real_replies(path: Path) -> None:
    assert parse_configured_hostname(read(path)) is None


def test_configured_hostname_not_xml() -> None:
    with pytest.raises(ParserError, match="hostname"):
        parse_configured_hostname("<rpc-reply>")


# No real install-oper-data reply was found in public sources. This one is built from the
# Cisco-IOS-XE-install-oper 17.9.1 YANG in tests/data/yang: list install-location-information
# keyed by fru, slot, bay and chassis; list install-version-info keyed by version and
# version-extension, with its install-package-state-info list; container oper-state with
# auto-abort-timer (state, end-time), sys-activity and boot-mode. Switch 1 is idle and
# committed, switch 2 is in the middle of an install with an uncommitted version and a timer.
INSTALL_OPER = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="4">
<data>
<install-oper-data xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper">
  <install-location-information>
    <fru>fru-rp</fru><slot>0</slot><bay>0</bay><chassis>1</chassis>
    <install-version-info>
      <version>17.09.04a.0.6</version><version-extension>1</version-extension>
      <is-default>true</is-default>
      <previous>install-version-state-unknown</previous>
      <current>install-version-state-provisioned-committed</current>
      <src-filename>cat9k_iosxe.17.09.04a.SPA.bin</src-filename>
      <install-package-state-info>
        <package-type>install-pkg-img</package-type><pkg-dir>flash:</pkg-dir>
        <pkg-name>cat9k-rpbase.17.09.04a.SPA.pkg</pkg-name>
        <package-state>install-state-committed</package-state>
      </install-package-state-info>
      <install-package-state-info>
        <package-type>install-pkg-subpkg</package-type><pkg-dir>flash:</pkg-dir>
        <pkg-name>cat9k-webui.17.09.04a.SPA.pkg</pkg-name>
        <package-state>install-state-committed</package-state>
      </install-package-state-info>
      <commit-type>install-commit-user</commit-type>
    </install-version-info>
    <oper-state>
      <auto-abort-timer><state>install-timer-state-inactive</state></auto-abort-timer>
      <sys-activity>install-no-activity</sys-activity>
      <sso-state>true</sso-state>
      <boot-mode>install-boot-mode-install</boot-mode>
      <ctrl-mode>false</ctrl-mode>
    </oper-state>
  </install-location-information>
  <install-location-information>
    <fru>fru-rp</fru><slot>0</slot><bay>0</bay><chassis>2</chassis>
    <install-version-info>
      <version>17.09.04a.0.6</version><version-extension>1</version-extension>
      <is-default>false</is-default>
      <current>install-version-state-present</current>
    </install-version-info>
    <install-version-info>
      <version>17.12.03.0.3</version><version-extension>1</version-extension>
      <is-default>false</is-default>
      <current>install-version-state-provisioned-uncommitted</current>
      <commit-type>install-commit-pend</commit-type>
    </install-version-info>
    <oper-state>
      <auto-abort-timer>
        <state>install-timer-state-active</state>
        <end-time>2024-05-02T10:45:00+00:00</end-time>
      </auto-abort-timer>
      <sys-activity>install-install-in-progress</sys-activity>
      <boot-mode>install-boot-mode-install</boot-mode>
    </oper-state>
  </install-location-information>
</install-oper-data>
</data>
</rpc-reply>"""


def test_install_oper_locations() -> None:
    locations = parse_install_oper(INSTALL_OPER)
    assert [location.chassis for location in locations] == [1, 2]
    assert locations[0].fru == "fru-rp"


def test_install_oper_idle_member() -> None:
    member1 = parse_install_oper(INSTALL_OPER)[0]
    assert member1.operation_in_progress is False
    assert member1.auto_abort_active is False
    assert member1.auto_abort_end_time is None
    assert member1.boot_mode == "install-boot-mode-install"


def test_install_oper_busy_member() -> None:
    member2 = parse_install_oper(INSTALL_OPER)[1]
    assert member2.sys_activity == "install-install-in-progress"
    assert member2.operation_in_progress is True
    assert member2.auto_abort_active is True
    assert member2.auto_abort_end_time == "2024-05-02T10:45:00+00:00"


def test_install_oper_versions() -> None:
    member1, member2 = parse_install_oper(INSTALL_OPER)
    committed = member1.versions[0]
    assert committed.version == "17.09.04a.0.6"
    assert committed.is_default is True
    assert committed.src_filename == "cat9k_iosxe.17.09.04a.SPA.bin"
    assert committed.commit_type == "install-commit-user"
    assert committed.uncommitted is False
    assert [v.uncommitted for v in member2.versions] == [False, True]


def test_install_oper_packages() -> None:
    packages = parse_install_oper(INSTALL_OPER)[0].versions[0].packages
    assert [p.name for p in packages] == [
        "cat9k-rpbase.17.09.04a.SPA.pkg",
        "cat9k-webui.17.09.04a.SPA.pkg",
    ]
    assert packages[0].package_type == "install-pkg-img"
    assert packages[0].directory == "flash:"
    assert packages[0].state == "install-state-committed"


def test_install_oper_empty_container() -> None:
    xml = '<data><install-oper-data xmlns="x"/></data>'
    assert parse_install_oper(xml) == ()


def test_install_oper_missing() -> None:
    with pytest.raises(ParserError, match="install-oper-data"):
        parse_install_oper(read(HARDWARE_FILES[0]))
