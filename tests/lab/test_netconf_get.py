"""get and get-config on lab devices: served data, subtree filters and verbatim replies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from ncclient.operations import RPCError
from netconf_server import NetconfTestServer, c9300_stack, isr4451_router, running_server

from xeapp.lab.netconf_errors import NS_BASE
from xeapp.lab.yangdata import NS_HARDWARE, NS_INSTALL, NS_PLATFORM_SOFTWARE

DATA = Path(__file__).parents[1] / "data" / "netconf_xml"
NS = {"hw": NS_HARDWARE, "pl": NS_PLATFORM_SOFTWARE, "in": NS_INSTALL, "nc": NS_BASE}

HARDWARE_FILTER = f"""
<device-hardware-data xmlns="{NS_HARDWARE}">
  <device-hardware>
    <device-inventory/>
    <device-system-data>
      <software-version/>
      <rommon-version/>
      <boot-time/>
    </device-system-data>
  </device-hardware>
</device-hardware-data>"""
FILESYSTEM_FILTER = f"""
<cisco-platform-software xmlns="{NS_PLATFORM_SOFTWARE}">
  <q-filesystem>
    <partitions>
      <name/>
      <total-size/>
      <used-size/>
    </partitions>
  </q-filesystem>
</cisco-platform-software>"""


@pytest.fixture
def stack() -> Iterator[NetconfTestServer]:
    with running_server(c9300_stack()) as server:
        yield server


@pytest.fixture
def router() -> Iterator[NetconfTestServer]:
    with running_server(isr4451_router()) as server:
        yield server


def _data(reply) -> etree._Element:
    return etree.fromstring(reply.xml.encode()).find("nc:data", NS)


def _get(server: NetconfTestServer, *filters: str) -> etree._Element:
    with server.connect() as session:
        return _data(session.get(filter=list(filters)))


def test_combined_filters_in_one_get(stack: NetconfTestServer) -> None:
    data = _get(stack, HARDWARE_FILTER, FILESYSTEM_FILTER)
    tops = [etree.QName(child).localname for child in data]
    assert tops == ["device-hardware-data", "cisco-platform-software"]
    serials = data.xpath("//hw:device-inventory/hw:serial-number/text()", namespaces=NS)
    assert serials == ["FOC00000001", "FOC00000002", "FOC00000003"]
    pids = data.xpath("//hw:device-inventory/hw:part-number/text()", namespaces=NS)
    assert pids == ["C9300-48P"] * 3
    names = data.xpath("//pl:partitions/pl:name/text()", namespaces=NS)
    assert names == ["flash-1:", "flash-2:", "flash-3:"]
    chassis = data.xpath("//pl:q-filesystem/pl:chassis/text()", namespaces=NS)
    assert chassis == ["1", "2", "3"]


def test_partition_sizes_in_kilobytes(stack: NetconfTestServer) -> None:
    data = _get(stack, FILESYSTEM_FILTER)
    filesystem = stack.device.members[1].filesystem
    partition = data.xpath("//pl:q-filesystem[pl:chassis='2']/pl:partitions", namespaces=NS)[0]
    assert partition.findtext("pl:total-size", namespaces=NS) == str(filesystem.total_bytes // 1024)
    assert partition.findtext("pl:used-size", namespaces=NS) == str(filesystem.used_bytes // 1024)


def test_filter_selects_only_what_it_names(stack: NetconfTestServer) -> None:
    data = _get(stack, HARDWARE_FILTER)
    system = data.find(".//hw:device-system-data", NS)
    names = [etree.QName(child).localname for child in system]
    assert names == ["boot-time", "software-version", "rommon-version"]
    assert data.find(".//hw:current-time", NS) is None
    assert data.find("pl:cisco-platform-software", NS) is None
    assert data.find("in:install-oper-data", NS) is None


def test_list_keys_come_with_selected_leaves(stack: NetconfTestServer) -> None:
    data = _get(stack, FILESYSTEM_FILTER)
    entry = data.find(".//pl:q-filesystem", NS)
    names = [etree.QName(child).localname for child in entry]
    assert names == ["fru", "slot", "bay", "chassis", "partitions"]
    partition = [etree.QName(child).localname for child in entry.find("pl:partitions", NS)]
    assert partition == ["name", "total-size", "used-size"]


def test_content_match_selects_one_member(stack: NetconfTestServer) -> None:
    member_filter = f"""
    <cisco-platform-software xmlns="{NS_PLATFORM_SOFTWARE}">
      <q-filesystem><chassis>2</chassis></q-filesystem>
    </cisco-platform-software>"""
    data = _get(stack, member_filter)
    entries = data.findall(".//pl:q-filesystem", NS)
    assert len(entries) == 1
    assert entries[0].findtext("pl:partitions/pl:name", namespaces=NS) == "flash-2:"
    assert entries[0].find("pl:partitions/pl:is-writable", NS) is not None


def test_content_match_without_hit_selects_nothing(stack: NetconfTestServer) -> None:
    missing = f"""
    <device-hardware-data xmlns="{NS_HARDWARE}"><device-hardware><device-inventory>
      <serial-number>NOPE</serial-number></device-inventory></device-hardware>
    </device-hardware-data>"""
    assert len(_get(stack, missing)) == 0


def test_filter_in_other_namespace_selects_nothing(stack: NetconfTestServer) -> None:
    wrong = '<device-hardware-data xmlns="urn:example:other"/>'
    assert len(_get(stack, wrong)) == 0


def test_empty_filter_selects_nothing(stack: NetconfTestServer) -> None:
    empty = etree.Element(f"{{{NS_BASE}}}filter", type="subtree")
    with stack.connect() as session:
        assert len(_data(session.get(filter=empty))) == 0


def test_get_without_filter_returns_everything(stack: NetconfTestServer) -> None:
    with stack.connect() as session:
        data = _data(session.get())
    tops = [etree.QName(child).localname for child in data]
    assert tops == [
        "device-hardware-data",
        "cisco-platform-software",
        "install-oper-data",
        "netconf-yang",
        "native",
    ]


def test_software_version_is_multi_line(stack: NetconfTestServer) -> None:
    data = _get(stack, HARDWARE_FILTER)
    version = data.findtext(".//hw:software-version", namespaces=NS)
    lines = version.splitlines()
    assert lines[0] == (
        "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), "
        "Version 17.9.4a, RELEASE SOFTWARE (fc2)"
    )
    assert lines[1] == "Technical Support: http://www.cisco.com/techsupport"
    assert len(lines) == 4


def test_router_reports_chassis_and_bootflash(router: NetconfTestServer) -> None:
    data = _get(router, HARDWARE_FILTER, FILESYSTEM_FILTER)
    entries = data.findall(".//hw:device-inventory", NS)
    assert len(entries) == 1
    assert entries[0].findtext("hw:hw-type", namespaces=NS) == "hw-type-chassis"
    assert entries[0].findtext("hw:hw-dev-index", namespaces=NS) == "0"
    assert entries[0].findtext("hw:part-number", namespaces=NS) == "ISR4451-X/K9"
    assert data.xpath("//pl:partitions/pl:name/text()", namespaces=NS) == ["bootflash:"]
    assert data.xpath("//pl:q-filesystem/pl:chassis/text()", namespaces=NS) == ["-1"]


def test_install_oper_data_per_member(stack: NetconfTestServer) -> None:
    install_filter = f'<install-oper-data xmlns="{NS_INSTALL}"/>'
    data = _get(stack, install_filter)
    locations = data.findall(".//in:install-location-information", NS)
    assert len(locations) == 3
    first = locations[0]
    boot_mode = first.findtext("in:oper-state/in:boot-mode", namespaces=NS)
    assert boot_mode == "install-boot-mode-install"
    versions = first.xpath("in:install-version-info/in:version/text()", namespaces=NS)
    assert versions == ["17.09.04a.0.6", "17.12.04.0.5678"]
    states = first.xpath("in:install-version-info/in:current/text()", namespaces=NS)
    assert states == [
        "install-version-state-provisioned-committed",
        "install-version-state-present",
    ]


def test_bundle_mode_router_install_data(router: NetconfTestServer) -> None:
    data = _get(router, f'<install-oper-data xmlns="{NS_INSTALL}"/>')
    assert data.findtext(".//in:boot-mode", namespaces=NS) == "install-boot-mode-bundle"
    assert data.find(".//in:install-version-info", NS) is None


def test_get_config_netconf_yang_matches_real_reply(stack: NetconfTestServer) -> None:
    netconf_filter = '<netconf-yang xmlns="http://cisco.com/yang/cisco-self-mgmt"/>'
    with stack.connect() as session:
        data = _data(session.get_config(source="running", filter=("subtree", netconf_filter)))
    real = etree.parse(DATA / "rpc-reply_get-config_netconf-yang_plus_oc-interfaces_iosxe.xml")
    real_netconf = real.find(".//{http://cisco.com/yang/cisco-self-mgmt}netconf-yang")
    assert len(data) == 1
    assert etree.tostring(data[0], method="c14n") == etree.tostring(
        _strip_whitespace(real_netconf), method="c14n"
    )


def test_get_config_has_no_state_data(stack: NetconfTestServer) -> None:
    with stack.connect() as session:
        data = _data(session.get_config(source="running"))
    assert [etree.QName(child).localname for child in data] == ["netconf-yang", "native"]
    assert data.xpath("//*[local-name()='filename']/text()") == ["flash:packages.conf"]


def test_get_config_rejects_startup_source(stack: NetconfTestServer) -> None:
    with stack.connect() as session, pytest.raises(RPCError) as raised:
        session.get_config(source="startup")
    assert raised.value.tag == "invalid-value"
    assert raised.value.path == "/nc:rpc/nc:get-config/nc:source/nc:startup"


def test_xpath_filter_is_rejected(stack: NetconfTestServer) -> None:
    with stack.connect() as session, pytest.raises(RPCError) as raised:
        session.get(filter=("xpath", "/device-hardware-data"))
    assert raised.value.tag == "bad-attribute"
    assert raised.value.path == "/nc:rpc/nc:get/nc:filter"


def test_verbatim_reply_replaces_generated_data(stack: NetconfTestServer) -> None:
    real = (DATA / "rpc-reply_get_device-hardware-data_full_csr1000v_16.9.7.xml").read_text()
    stack.device.verbatim_netconf[NS_HARDWARE] = real
    data = _get(stack, HARDWARE_FILTER, FILESYSTEM_FILTER)
    serials = data.xpath("//hw:device-inventory/hw:serial-number/text()", namespaces=NS)
    assert serials == ["9VIRT000002", "JAB00000001"]
    version = data.findtext(".//hw:software-version", namespaces=NS)
    assert "Version 16.9.7" in version
    assert data.findtext(".//hw:rommon-version", namespaces=NS) == "\r\nIOS-XE ROMMON\n"
    assert len(data.findall(".//pl:q-filesystem", NS)) == 3


def _strip_whitespace(element: etree._Element) -> etree._Element:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.fromstring(etree.tostring(element), parser)
