"""The YANG data trees a lab device serves over NETCONF, built from its `DeviceState`.

Served top-level containers, by module namespace:

- `Cisco-IOS-XE-device-hardware-oper`: `device-hardware-data/device-hardware` with one
  `device-inventory` chassis entry per stack member and `device-system-data`.
- `Cisco-IOS-XE-platform-software-oper`: `cisco-platform-software/q-filesystem`, one entry per
  stack member with its flash partition (sizes in kB, as the model's descriptions state).
- `Cisco-IOS-XE-install-oper`: `install-oper-data/install-location-information` per member with
  the install packages and the boot mode.
- Configuration: `cisco-self-mgmt` `netconf-yang` and `Cisco-IOS-XE-native` `native` (hostname
  and `boot system`).

A profile may replace any of them through `DeviceState.verbatim_netconf`, keyed by the
namespace URI of the top-level element it replaces; the value is the XML of that element (or
of a whole `<rpc-reply>` or `<data>` holding it).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta

from lxml import etree

from xeapp.lab.state import DeviceState, Member
from xeapp.lab.versions import release_train

log = logging.getLogger(__name__)

NS_HARDWARE = "http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper"
NS_PLATFORM_SOFTWARE = "http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper"
NS_INSTALL = "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper"
NS_NATIVE = "http://cisco.com/ns/yang/Cisco-IOS-XE-native"
NS_SELF_MGMT = "http://cisco.com/yang/cisco-self-mgmt"
NS_CISCO_IA = "http://cisco.com/yang/cisco-ia"

CONFIG_NAMESPACES = (NS_SELF_MGMT, NS_NATIVE)

# Key leaves of the lists served, by Clark tag, from the list statements of the models.
LIST_KEYS: dict[str, tuple[str, ...]] = {
    f"{{{NS_HARDWARE}}}device-inventory": ("hw-type", "hw-dev-index"),
    f"{{{NS_PLATFORM_SOFTWARE}}}q-filesystem": ("fru", "slot", "bay", "chassis"),
    f"{{{NS_PLATFORM_SOFTWARE}}}partitions": ("name",),
    f"{{{NS_INSTALL}}}install-location-information": ("fru", "slot", "bay", "chassis"),
    f"{{{NS_INSTALL}}}install-version-info": ("version", "version-extension"),
    f"{{{NS_NATIVE}}}filename-list-ordered-by-user": ("filename",),
}

_VERSION_STATES = {
    "C": "install-version-state-provisioned-committed",
    "U": "install-version-state-provisioned-uncommitted",
    "I": "install-version-state-present",
    "D": "install-version-state-present",
}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def list_keys(tag: str) -> tuple[str, ...]:
    """Return the key leaf names of the list element with Clark tag `tag`, () if not a list."""
    return LIST_KEYS.get(tag, ())


def _leaf(parent: etree._Element, name: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, f"{{{etree.QName(parent).namespace}}}{name}")
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
    return element


def _child(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{etree.QName(parent).namespace}}}{name}")


def _top(namespace: str, name: str) -> etree._Element:
    return etree.Element(f"{{{namespace}}}{name}", nsmap={None: namespace})


def _date_and_time(moment: datetime) -> str:
    """Format a yang:date-and-time as IOS-XE does, e.g. 2023-10-15T16:23:20+00:00."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def present_members(device: DeviceState) -> list[Member]:
    """Return the members that are up; provisioned or removed members report no data."""
    return [m for m in device.members if m.state not in ("Removed", "Provisioned")]


def _add_location(parent: etree._Element, device: DeviceState, member: Member) -> None:
    # NOTE: no real q-filesystem or install-oper-data reply was available, so these values are
    # a guess: fru-rp, slot 0, bay 0, and the switch number as chassis (-1 on a router). The
    # fru-type enumeration is in Cisco-IOS-XE-common-types, which is not among the stored models.
    _leaf(parent, "fru", "fru-rp")
    _leaf(parent, "slot", 0)
    _leaf(parent, "bay", 0)
    _leaf(parent, "chassis", member.number if device.device_kind == "switch" else -1)


def software_version(device: DeviceState) -> str:
    """Return the multi-line software-version string, the first lines of `show version`."""
    return (
        f"Cisco IOS Software [{release_train(device.version)}], "
        f"{device.platform.software_name}, Version {device.version}, RELEASE SOFTWARE (fc2)\n"
        "Technical Support: http://www.cisco.com/techsupport\n"
        f"Copyright (c) 1986-{device.boot_time.year} by Cisco Systems, Inc.\n"
        "Compiled Thu 07-Dec-23 12:00 by mcpre"
    )


def build_device_hardware(device: DeviceState) -> etree._Element:
    """Build `device-hardware-data` with the chassis of every member and the system data."""
    root = _top(NS_HARDWARE, "device-hardware-data")
    hardware = _child(root, "device-hardware")
    for index, member in enumerate(present_members(device)):
        entry = _child(hardware, "device-inventory")
        _leaf(entry, "hw-type", "hw-type-chassis")
        _leaf(entry, "hw-dev-index", index)
        _leaf(entry, "version", member.hw_version)
        _leaf(entry, "part-number", member.pid)
        _leaf(entry, "serial-number", member.serial)
        if device.device_kind == "switch":
            _leaf(entry, "hw-description", member.pid)
            _leaf(entry, "dev-name", f"Switch {member.number}")
        else:
            _leaf(entry, "hw-description", device.platform.chassis_descr)
            _leaf(entry, "dev-name", "Chassis")
        _leaf(entry, "field-replaceable", True)
        _leaf(entry, "hw-class", "hw-class-physical")

    system = _child(hardware, "device-system-data")
    _leaf(system, "current-time", _date_and_time(datetime.now(UTC)))
    _leaf(system, "boot-time", _date_and_time(device.boot_time))
    _leaf(system, "software-version", software_version(device))
    _leaf(system, "rommon-version", device.rommon_version)
    _leaf(system, "last-reboot-reason", device.last_reload_reason)
    _leaf(system, "reason-severity", "normal")
    _leaf(system, "unsaved-config", not device.config_saved)
    return root


def build_platform_software(device: DeviceState) -> etree._Element:
    """Build `cisco-platform-software` with one `q-filesystem` entry per member."""
    root = _top(NS_PLATFORM_SOFTWARE, "cisco-platform-software")
    for member in present_members(device):
        filesystem = member.filesystem
        entry = _child(root, "q-filesystem")
        _add_location(entry, device, member)
        partition = _child(entry, "partitions")
        _leaf(partition, "name", filesystem.name)
        _leaf(partition, "total-size", filesystem.total_bytes // 1024)
        _leaf(partition, "used-size", filesystem.used_bytes // 1024)
        used_percent = round(100 * filesystem.used_bytes / max(filesystem.total_bytes, 1))
        _leaf(partition, "used-percent", min(used_percent, 100))
        _leaf(partition, "is-primary", True)
        _leaf(partition, "is-writable", True)
    return root


def build_install_oper(device: DeviceState) -> etree._Element:
    """Build `install-oper-data` with the packages, boot mode and auto-abort timer per member."""
    root = _top(NS_INSTALL, "install-oper-data")
    install = device.install
    for member in present_members(device):
        location = _child(root, "install-location-information")
        _add_location(location, device, member)
        if device.mode == "INSTALL":
            for package in install.packages:
                # NOTE: how IOS-XE splits a package version between version and
                # version-extension is not known from real data; the lab puts it all in version.
                info = _child(location, "install-version-info")
                _leaf(info, "version", package.version)
                _leaf(info, "version-extension", "")
                _leaf(info, "is-default", package.state == "C")
                _leaf(
                    info,
                    "current",
                    _VERSION_STATES.get(package.state, "install-version-state-unknown"),
                )
                if package.filename:
                    _leaf(info, "src-filename", package.filename)
                if package.state == "C":
                    _leaf(info, "commit-type", "install-commit-user")

        oper_state = _child(location, "oper-state")
        timer = _child(oper_state, "auto-abort-timer")
        if install.auto_abort_deadline is None:
            _leaf(timer, "state", "install-timer-state-inactive")
        else:
            _leaf(timer, "state", "install-timer-state-active")
            remaining = max(0.0, install.auto_abort_deadline - time.monotonic())
            _leaf(timer, "end-time", _date_and_time(datetime.now(UTC) + timedelta(0, remaining)))
        activity = "install-install-in-progress" if install.operation_in_progress else None
        _leaf(oper_state, "sys-activity", activity or "install-no-activity")
        boot_mode = "install" if device.mode == "INSTALL" else "bundle"
        _leaf(oper_state, "boot-mode", f"install-boot-mode-{boot_mode}")
        _leaf(oper_state, "ctrl-mode", False)
    return root


def build_netconf_yang(device: DeviceState) -> etree._Element:
    """Build `netconf-yang` with the cisco-ia values of the real get-config reply in tests/data."""
    root = _top(NS_SELF_MGMT, "netconf-yang")
    cisco_ia = etree.SubElement(root, f"{{{NS_CISCO_IA}}}cisco-ia", nsmap={None: NS_CISCO_IA})
    traps = _child(cisco_ia, "snmp-trap-control")
    _leaf(traps, "global-forwarding", True)
    _leaf(cisco_ia, "snmp-community-string", "private")
    return root


def build_native(device: DeviceState) -> etree._Element:
    """Build the `native` configuration with the hostname and the `boot system` entries."""
    root = _top(NS_NATIVE, "native")
    _leaf(root, "hostname", device.hostname)
    if device.boot_next:
        # NOTE: this path of `boot system <file>` is recalled from 17.x native data. The stored
        # models do not include Cisco-IOS-XE-native, and no real reply in tests/data confirms it.
        bootfile = _child(_child(_child(root, "boot"), "system"), "bootfile")
        for entry in device.boot_next:
            filenames = _child(bootfile, "filename-list-ordered-by-user")
            _leaf(filenames, "filename", entry)
    return root


def _verbatim_roots(text: str) -> list[etree._Element]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    wrapper = etree.fromstring(f"<verbatim>{_XML_DECLARATION.sub('', text)}</verbatim>", parser)
    roots = [element for element in wrapper if isinstance(element.tag, str)]
    while len(roots) == 1 and etree.QName(roots[0]).localname in ("rpc-reply", "data"):
        roots = [element for element in roots[0] if isinstance(element.tag, str)]
    return roots


def build_datastore(device: DeviceState, config_only: bool) -> list[etree._Element]:
    """Return the top-level elements of the running configuration, plus state unless
    `config_only`, with verbatim profile replies in place of the generated elements.

    The caller must hold `device.lock`.
    """
    roots = [build_netconf_yang(device), build_native(device)]
    if not config_only:
        roots = [
            build_device_hardware(device),
            build_platform_software(device),
            build_install_oper(device),
            *roots,
        ]
    for namespace, text in device.verbatim_netconf.items():
        try:
            verbatim = _verbatim_roots(text)
        except etree.XMLSyntaxError as error:
            log.warning(
                "%s: verbatim NETCONF data for %s is invalid XML, serving generated data: %s",
                device.hostname,
                namespace,
                error,
            )
            continue
        if config_only and namespace not in CONFIG_NAMESPACES:
            continue
        roots = [root for root in roots if etree.QName(root).namespace != namespace]
        roots += [root for root in verbatim if etree.QName(root).namespace == namespace]
    return roots
