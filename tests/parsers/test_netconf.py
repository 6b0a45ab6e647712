"""Tests for the NETCONF reply parsers."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.netconf import parse_device_hardware, parse_q_filesystem
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


def test_stack_chassis_entries() -> None:
    xml = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data>
    <device-hardware-data xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper">
    <device-hardware>
    <device-inventory><hw-type>hw-type-chassis</hw-type><hw-dev-index>1</hw-dev-index>
    <part-number>C9300-24P</part-number><serial-number>FCW0000001A</serial-number>
    </device-inventory>
    <device-inventory><hw-type>hw-type-chassis</hw-type><hw-dev-index>2</hw-dev-index>
    <part-number>C9300-48P</part-number><serial-number>FCW0000002B</serial-number>
    </device-inventory>
    <device-system-data><software-version>Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a,
RELEASE SOFTWARE (fc3)</software-version><rommon-version>17.6.1r</rommon-version>
    </device-system-data></device-hardware></device-hardware-data></data></rpc-reply>"""
    parsed = parse_device_hardware(xml)
    assert [item.part_number for item in parsed.chassis] == ["C9300-24P", "C9300-48P"]
    assert parsed.version == IOSXEVersion(17, 9, 4, "a")
    assert parsed.rommon_version == "17.6.1r"


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
