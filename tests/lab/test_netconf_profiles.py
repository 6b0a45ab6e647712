"""ncclient reads the hardware, filesystems and install data of every lab profile over NETCONF."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from lxml import etree
from ncclient import manager
from ncclient.transport.errors import SSHError
from test_netconf_get import FILESYSTEM_FILTER, HARDWARE_FILTER, NS

from xeapp.lab import Lab, LabDevice
from xeapp.lab.profiles import profile_names
from xeapp.lab.yangdata import NS_INSTALL, present_members

INSTALL_FILTER = (
    f'<install-oper-data xmlns="{NS_INSTALL}"><install-location-information/></install-oper-data>'
)


def _connect(device: LabDevice, timeout: float = 5) -> manager.Manager:
    """Connect with ncclient, retrying for the seconds NETCONF needs to start."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return manager.connect(
                host=device.ip,
                port=device.netconf_port,
                username=device.state.username,
                password=device.state.password,
                device_params={"name": "iosxe"},
                hostkey_verify=False,
                allow_agent=False,
                look_for_keys=False,
                timeout=10,
            )
        except (SSHError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("profile", profile_names())
def test_profile_served_over_netconf(make_lab: Callable[..., Lab], profile: str) -> None:
    lab = make_lab(profile)
    device = lab.devices[0]
    with _connect(device) as session:
        reply = session.get(filter=[HARDWARE_FILTER, FILESYSTEM_FILTER, INSTALL_FILTER])
    data = etree.fromstring(reply.xml.encode()).find("nc:data", NS)
    with device.state.lock:
        members = present_members(device.state)
        version = device.state.version

    pids = data.xpath("//hw:device-inventory/hw:part-number/text()", namespaces=NS)
    assert pids == [member.pid for member in members]
    serials = data.xpath("//hw:device-inventory/hw:serial-number/text()", namespaces=NS)
    assert serials == [member.serial for member in members]
    software = data.findtext(".//hw:software-version", namespaces=NS)
    assert f"Version {version}," in software
    names = data.xpath("//pl:partitions/pl:name/text()", namespaces=NS)
    assert names == [member.filesystem.name for member in members]
    locations = data.findall(".//in:install-location-information", NS)
    assert len(locations) == len(members)
