"""Every element the lab serves over NETCONF exists in the YANG models at that path."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from netconf_server import c9300_stack, isr4451_router, running_server
from yang_model import SchemaNode, YangModels

from xeapp.lab.state import DeviceState
from xeapp.lab.yangdata import NS_CISCO_IA, NS_HARDWARE, NS_NATIVE, build_datastore

DATA = Path(__file__).parents[1] / "data"
MODEL_FILES = [
    *sorted((DATA / "yang" / "17.9.1").glob("*.yang")),
    DATA / "yang" / "16.12.1" / "cisco-self-mgmt.yang",
]
REAL_HARDWARE_REPLY = (
    DATA / "netconf_xml" / "rpc-reply_get_device-hardware-data_full_csr1000v_16.9.7.xml"
)
REAL_CONFIG_REPLY = (
    DATA / "netconf_xml" / "rpc-reply_get-config_netconf-yang_plus_oc-interfaces_iosxe.xml"
)

# NOTE: Cisco-IOS-XE-common-types is imported by the platform-software and install models but is
# not among the stored models. This stand-in defines only the internal-location grouping they
# use, with the leaf names their list keys (fru slot bay chassis) require. Its fru leaf accepts
# any value because the real fru-type enumeration is not available.
COMMON_TYPES_STAND_IN = """
module Cisco-IOS-XE-common-types {
  namespace "http://cisco.com/ns/yang/Cisco-IOS-XE-common-types";
  prefix common-types-ios-xe;
  grouping internal-location {
    leaf fru { type string; }
    leaf slot { type int16; }
    leaf bay { type int16; }
    leaf chassis { type int16; }
  }
}
"""
# Namespaces served without a stored model. cisco-ia is checked against the element paths of a
# real get-config reply. Cisco-IOS-XE-native is not checked: its model is not stored.
UNMODELLED = {NS_CISCO_IA, NS_NATIVE}


@pytest.fixture(scope="module")
def models() -> YangModels:
    return YangModels.from_files(MODEL_FILES, (COMMON_TYPES_STAND_IN,))


def _real_paths(path: Path) -> set[tuple[str, ...]]:
    tree = etree.parse(path)
    return {_path(element) for element in tree.iter() if isinstance(element.tag, str)}


def _path(element: etree._Element, top: etree._Element | None = None) -> tuple[str, ...]:
    """Return the local names from the document root, or from `top`, down to `element`."""
    steps = [element]
    for ancestor in element.iterancestors():
        if steps[-1] is top:
            break
        steps.append(ancestor)
    return tuple(etree.QName(step).localname for step in reversed(steps))


def _devices() -> list[tuple[str, DeviceState]]:
    devices = [("c9300-stack-test", c9300_stack()), ("isr4451-test", isr4451_router())]
    try:
        from xeapp.lab.profiles import build_device, load_profile, profile_names
    except ImportError:
        return devices
    for name in profile_names():
        devices.append((name, build_device(load_profile(name))))
    return devices


def _walk(
    models: YangModels,
    element: etree._Element,
    nodes: dict[tuple[str, str], SchemaNode],
    path: str,
    problems: list[str],
) -> None:
    qname = etree.QName(element)
    if qname.namespace in UNMODELLED:
        return  # an augment from a module that is not stored, checked by _check_reply
    path = f"{path}/{qname.localname}"
    node = nodes.get((qname.namespace or "", qname.localname))
    if node is None:
        problems.append(f"{path}: not in the model ({qname.namespace})")
        return
    children = [child for child in element if isinstance(child.tag, str)]
    if node.kind in ("leaf", "leaf-list"):
        if children:
            problems.append(f"{path}: leaf with child elements")
        reason = models.check_value(node, element.text or "")
        if reason:
            problems.append(f"{path}: {reason}")
        return
    if node.kind == "list":
        present = {etree.QName(child).localname for child in children}
        for key in node.keys:
            if key not in present:
                problems.append(f"{path}: list entry without its key {key}")
    for child in children:
        _walk(models, child, node.children, path, problems)


def _check_reply(models: YangModels, roots: list[etree._Element]) -> list[str]:
    problems: list[str] = []
    cisco_ia_paths = {p for p in _real_paths(REAL_CONFIG_REPLY) if "cisco-ia" in p}
    for root in roots:
        namespace = etree.QName(root).namespace
        if namespace not in UNMODELLED:
            _walk(models, root, models.roots, "", problems)
        for element in root.iter():
            if isinstance(element.tag, str) and etree.QName(element).namespace == NS_CISCO_IA:
                path = ("rpc-reply", "data", *_path(element, root))
                if path not in cisco_ia_paths:
                    problems.append(f"{'/'.join(path)}: not in the real cisco-ia reply")
    return problems


@pytest.mark.parametrize(
    ("name", "device"), _devices(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_served_elements_exist_in_models(
    models: YangModels, name: str, device: DeviceState
) -> None:
    with device.lock:
        roots = build_datastore(device, config_only=False)
    assert _check_reply(models, roots) == []


def test_reply_over_netconf_exists_in_models(models: YangModels) -> None:
    with running_server(c9300_stack()) as server, server.connect() as session:
        reply = etree.fromstring(session.get().xml.encode())
    roots = list(reply.find("{urn:ietf:params:xml:ns:netconf:base:1.0}data"))
    assert len(roots) == 5
    assert _check_reply(models, roots) == []


def test_real_hardware_reply_exists_in_model(models: YangModels) -> None:
    data = etree.parse(REAL_HARDWARE_REPLY).find(".//{*}data")
    assert _check_reply(models, list(data)) == []


def test_walk_reports_unknown_element(models: YangModels) -> None:
    root = etree.fromstring(
        f'<device-hardware-data xmlns="{NS_HARDWARE}"><device-hardware><bogus/>'
        "</device-hardware></device-hardware-data>"
    )
    problems = _check_reply(models, [root])
    assert problems == [
        f"/device-hardware-data/device-hardware/bogus: not in the model ({NS_HARDWARE})"
    ]


def test_walk_reports_invalid_enumeration(models: YangModels) -> None:
    root = etree.fromstring(
        f'<device-hardware-data xmlns="{NS_HARDWARE}"><device-hardware><device-inventory>'
        "<hw-type>chassis</hw-type><hw-dev-index>0</hw-dev-index>"
        "</device-inventory></device-hardware></device-hardware-data>"
    )
    problems = _check_reply(models, [root])
    assert len(problems) == 1
    assert "'chassis' is not one of the enumeration" in problems[0]


def test_model_keys_of_served_lists(models: YangModels) -> None:
    platform = models.roots[
        ("http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper", "cisco-platform-software")
    ]
    q_filesystem = platform.children[(platform.namespace, "q-filesystem")]
    assert q_filesystem.keys == ("fru", "slot", "bay", "chassis")
    partitions = q_filesystem.children[(platform.namespace, "partitions")]
    assert partitions.keys == ("name",)
    assert (platform.namespace, "total-size") in partitions.children


def _children_order(element: etree._Element) -> dict[str, list[str]]:
    """Return the child element names of the first element of each path, in order."""
    orders: dict[str, list[str]] = {}
    for item in element.iter():
        if isinstance(item.tag, str):
            key = "/".join(_path(item, element))
            orders.setdefault(
                key, [etree.QName(c).localname for c in item if isinstance(c.tag, str)]
            )
    return orders


def test_hardware_reply_shape_follows_real_reply() -> None:
    real = etree.parse(REAL_HARDWARE_REPLY).find(f".//{{{NS_HARDWARE}}}device-hardware-data")
    lab_roots = build_datastore(c9300_stack(), config_only=False)
    lab = next(r for r in lab_roots if etree.QName(r).namespace == NS_HARDWARE)
    real_orders = _children_order(real)
    lab_orders = _children_order(lab)
    for key, real_children in real_orders.items():
        if key.endswith("device-hardware"):
            continue  # the real CSR lists five inventory entries, a switch one per member
        lab_children = lab_orders.get(key)
        assert lab_children is not None, key
        assert lab_children[: len(real_children)] == real_children, key
