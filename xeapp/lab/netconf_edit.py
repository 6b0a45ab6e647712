"""`edit-config` on the running datastore of a lab device: netconf-yang, hostname, boot system."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lxml import etree

from xeapp.lab.netconf_errors import NS_BASE, RpcError, element_path
from xeapp.lab.state import DeviceState
from xeapp.lab.yangdata import NS_NATIVE, NS_SELF_MGMT

log = logging.getLogger(__name__)

_OPERATION = f"{{{NS_BASE}}}operation"
_OPERATIONS = ("merge", "replace", "create", "delete", "remove")
_KNOWN_NAMESPACES = (
    NS_NATIVE,
    NS_SELF_MGMT,
    "http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper",
)


@dataclass
class _Candidate:
    """The configuration an edit-config builds before it is applied all at once."""

    netconf_enabled: bool
    hostname: str
    boot: list[str] = field(default_factory=list)


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _find(parent: etree._Element, name: str) -> etree._Element | None:
    for child in _children(parent):
        if etree.QName(child).namespace in (NS_BASE, None) and _local(child) == name:
            return child
    return None


def _operation(element: etree._Element, inherited: str) -> str:
    operation = element.get(_OPERATION)
    if operation is None:
        return inherited
    if operation not in _OPERATIONS:
        raise RpcError(
            "protocol",
            "bad-attribute",
            f'"{operation}" is not a valid value for the operation attribute',
            element_path(element),
            {"bad-attribute": "operation", "bad-element": _local(element)},
        )
    return operation


def _unsupported(element: etree._Element) -> RpcError:
    return RpcError(
        "application",
        "operation-not-supported",
        f"the lab device does not model the configuration of {_local(element)}",
        element_path(element),
        {"bad-element": _local(element)},
    )


def _check_target(edit: etree._Element) -> None:
    target = _find(edit, "target")
    if target is None:
        raise RpcError(
            "protocol",
            "missing-element",
            "edit-config needs a target",
            element_path(edit),
            {"bad-element": "target"},
        )
    datastores = _children(target)
    if len(datastores) != 1 or _local(datastores[0]) != "running":
        bad = datastores[0] if datastores else target
        raise RpcError(
            "protocol",
            "invalid-value",
            "only the running datastore can be edited",
            element_path(bad),
            {"bad-element": _local(bad)},
        )


def _default_operation(edit: etree._Element) -> str:
    element = _find(edit, "default-operation")
    if element is None:
        return "merge"
    value = (element.text or "").strip()
    if value not in ("merge", "replace", "none"):
        raise RpcError(
            "protocol",
            "invalid-value",
            f'"{value}" is not a valid default-operation',
            element_path(element),
            {"bad-element": "default-operation"},
        )
    return value


def apply_edit_config(edit: etree._Element, device: DeviceState) -> None:
    """Apply an `<edit-config>` element to `device`, entirely or not at all.

    The caller must hold `device.lock`. Changes mark the configuration unsaved.

    Raises:
        RpcError: the request is invalid or edits configuration the lab does not model.
    """
    _check_target(edit)
    default = _default_operation(edit)
    config = _find(edit, "config")
    if config is None:
        url = _find(edit, "url")
        if url is not None:
            raise _unsupported(url)
        raise RpcError(
            "protocol",
            "missing-element",
            "edit-config needs a config",
            element_path(edit),
            {"bad-element": "config"},
        )

    candidate = _Candidate(device.netconf_enabled, device.hostname, list(device.boot_next))
    for top in _children(config):
        namespace = etree.QName(top).namespace
        operation = _operation(top, default)
        if namespace == NS_SELF_MGMT and _local(top) == "netconf-yang":
            if operation in ("delete", "remove"):
                candidate.netconf_enabled = False
            elif operation != "none":
                candidate.netconf_enabled = True
        elif namespace == NS_NATIVE and _local(top) == "native":
            if operation == "replace":
                raise _unsupported(top)
            _edit_native(top, operation, candidate, device.device_kind)
        elif namespace in _KNOWN_NAMESPACES:
            raise RpcError(
                "application",
                "unknown-element",
                f"{_local(top)} is not configuration data",
                element_path(top),
                {"bad-element": _local(top)},
            )
        else:
            raise RpcError(
                "application",
                "unknown-namespace",
                f"namespace {namespace} is not supported",
                element_path(top),
                {"bad-element": _local(top), "bad-namespace": namespace or ""},
            )

    changed = (candidate.netconf_enabled, candidate.hostname, candidate.boot) != (
        device.netconf_enabled,
        device.hostname,
        device.boot_next,
    )
    if not changed:
        return
    log.info(
        "%s: edit-config sets netconf-yang %s, hostname %s, boot system %s",
        device.hostname,
        "on" if candidate.netconf_enabled else "off",
        candidate.hostname,
        candidate.boot,
    )
    device.netconf_enabled = candidate.netconf_enabled
    device.hostname = candidate.hostname
    device.boot_next = candidate.boot
    device.config_saved = False


def _edit_native(
    native: etree._Element, inherited: str, candidate: _Candidate, device_kind: str
) -> None:
    for child in _children(native):
        operation = _operation(child, inherited)
        if etree.QName(child).namespace != NS_NATIVE:
            raise _unsupported(child)
        if _local(child) == "hostname":
            _edit_hostname(child, operation, candidate, device_kind)
        elif _local(child) == "boot":
            _edit_boot(child, operation, candidate)
        else:
            raise _unsupported(child)


def _edit_hostname(
    element: etree._Element, operation: str, candidate: _Candidate, device_kind: str
) -> None:
    if operation in ("delete", "remove"):
        candidate.hostname = "Switch" if device_kind == "switch" else "Router"
        return
    if operation == "none":
        return
    value = (element.text or "").strip()
    if not value or any(c.isspace() for c in value) or len(value) > 63:
        raise RpcError(
            "application",
            "invalid-value",
            f'"{value}" is not a valid hostname',
            element_path(element),
            {"bad-element": "hostname"},
        )
    candidate.hostname = value


def _edit_boot(boot: etree._Element, inherited: str, candidate: _Candidate) -> None:
    """Walk native/boot/system/bootfile/filename-list-ordered-by-user and edit the entries."""
    level = boot
    operation = inherited
    for name in ("system", "bootfile"):
        if operation in ("delete", "remove"):
            candidate.boot = []
            return
        children = _children(level)
        for child in children:
            if _local(child) != name:
                raise _unsupported(child)
        if not children:
            if operation == "replace":
                candidate.boot = []
            return
        level = children[0]
        operation = _operation(level, operation)

    if operation in ("delete", "remove"):
        candidate.boot = []
        return
    if operation == "replace":
        candidate.boot = []
    for entry in _children(level):
        if _local(entry) != "filename-list-ordered-by-user":
            raise _unsupported(entry)
        _edit_boot_entry(entry, _operation(entry, operation), candidate)


def _edit_boot_entry(entry: etree._Element, operation: str, candidate: _Candidate) -> None:
    filename_elements = [c for c in _children(entry) if _local(c) == "filename"]
    filename = (filename_elements[0].text or "").strip() if filename_elements else ""
    if not filename:
        raise RpcError(
            "application",
            "missing-element",
            "a boot system entry needs its filename key",
            element_path(entry),
            {"bad-element": "filename"},
        )
    present = filename in candidate.boot
    if operation == "create" and present:
        raise RpcError(
            "application",
            "data-exists",
            f"boot system {filename} is already configured",
            element_path(entry),
        )
    if operation == "delete" and not present:
        raise RpcError(
            "application",
            "data-missing",
            f"boot system {filename} is not configured",
            element_path(entry),
        )
    if operation in ("delete", "remove"):
        if present:
            candidate.boot.remove(filename)
    elif operation != "none" and not present:
        candidate.boot.append(filename)
