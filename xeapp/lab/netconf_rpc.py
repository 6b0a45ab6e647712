"""NETCONF operations a lab device runs: get, get-config, edit-config, lock, save-config."""

from __future__ import annotations

import threading

from lxml import etree

from xeapp.lab.netconf_edit import apply_edit_config
from xeapp.lab.netconf_errors import NS_BASE, RpcError, element_path
from xeapp.lab.runconfig import save_config
from xeapp.lab.state import DeviceState
from xeapp.lab.subtree import SubtreeFilter
from xeapp.lab.yangdata import NS_CISCO_IA, build_datastore, list_keys

# Session id holding the lock of each device's running datastore, by id(device).
_locks: dict[int, int] = {}
_locks_guard = threading.Lock()


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _base(name: str) -> str:
    return f"{{{NS_BASE}}}{name}"


def _find(parent: etree._Element, name: str) -> etree._Element | None:
    """Return the child `name` in the base namespace, or in none as some clients send it."""
    for child in _children(parent):
        if child.tag in (_base(name), name):
            return child
    return None


def _data_reply(selected: list[etree._Element]) -> list[etree._Element]:
    data = etree.Element(_base("data"), nsmap={None: NS_BASE})
    for element in selected:
        data.append(element)
    return [data]


def _ok() -> list[etree._Element]:
    return [etree.Element(_base("ok"), nsmap={None: NS_BASE})]


def _select(operation: etree._Element, device: DeviceState, config_only: bool) -> list:
    filter_element = _find(operation, "filter")
    if filter_element is not None:
        filter_type = filter_element.get("type", "subtree")
        if filter_type != "subtree":
            raise RpcError(
                "protocol",
                "bad-attribute",
                f'filter type "{filter_type}" is not supported, only subtree',
                element_path(filter_element),
                {"bad-attribute": "type", "bad-element": "filter"},
            )
    with device.lock:
        roots = build_datastore(device, config_only)
    if filter_element is None:
        return roots
    return SubtreeFilter(filter_element, list_keys).apply(roots)


def _require_running(operation: etree._Element, name: str) -> None:
    container = _find(operation, name)
    if container is None:
        raise RpcError(
            "protocol",
            "missing-element",
            f"{_local(operation)} needs a {name}",
            element_path(operation),
            {"bad-element": name},
        )
    datastores = _children(container)
    if len(datastores) != 1 or _local(datastores[0]) != "running":
        bad = datastores[0] if datastores else container
        raise RpcError(
            "protocol",
            "invalid-value",
            "only the running datastore is supported",
            element_path(bad),
            {"bad-element": _local(bad)},
        )


def rpc_get(operation: etree._Element, device: DeviceState) -> list[etree._Element]:
    """Return the `<data>` of a get: state and configuration, filtered."""
    return _data_reply(_select(operation, device, config_only=False))


def rpc_get_config(operation: etree._Element, device: DeviceState) -> list[etree._Element]:
    """Return the `<data>` of a get-config on running, filtered."""
    _require_running(operation, "source")
    return _data_reply(_select(operation, device, config_only=True))


def rpc_edit_config(operation: etree._Element, device: DeviceState) -> list[etree._Element]:
    with device.lock:
        apply_edit_config(operation, device)
    return _ok()


def rpc_lock(
    operation: etree._Element, device: DeviceState, session_id: int, lock: bool
) -> list[etree._Element]:
    """Take or release the lock of the running datastore for `session_id`."""
    _require_running(operation, "target")
    with _locks_guard:
        holder = _locks.get(id(device))
        if lock and holder is not None:
            raise RpcError(
                "protocol",
                "lock-denied",
                f"the running datastore is locked by session {holder}",
                element_path(operation),
                {"session-id": str(holder)},
            )
        if not lock and holder != session_id:
            raise RpcError(
                "protocol",
                "operation-failed",
                "the running datastore is not locked by this session",
                element_path(operation),
            )
        if lock:
            _locks[id(device)] = session_id
        else:
            del _locks[id(device)]
    return _ok()


def release_locks(device: DeviceState, session_id: int) -> None:
    """Release the locks `session_id` holds, when its session ends."""
    with _locks_guard:
        if _locks.get(id(device)) == session_id:
            del _locks[id(device)]


def rpc_save_config(device: DeviceState) -> list[etree._Element]:
    """Copy the running configuration to startup, as cisco-ia save-config does."""
    with device.lock:
        save_config(device)
    result = etree.Element(f"{{{NS_CISCO_IA}}}result", nsmap={None: NS_CISCO_IA})
    result.text = "Save running-config successful"
    return [result]
