"""One NETCONF-over-SSH session of a lab device: hello, framing, RPC dispatch and errors."""

from __future__ import annotations

import logging
import threading

import paramiko
from lxml import etree

from xeapp.lab.netconf_errors import NS_BASE, RpcError, build_rpc_error, element_path
from xeapp.lab.netconf_framing import FramingError, MessageReader, frame_message
from xeapp.lab.netconf_rpc import (
    release_locks,
    rpc_edit_config,
    rpc_get,
    rpc_get_config,
    rpc_lock,
    rpc_save_config,
)
from xeapp.lab.state import DeviceState
from xeapp.lab.yangdata import NS_CISCO_IA

log = logging.getLogger(__name__)

BASE_1_0 = "urn:ietf:params:netconf:base:1.0"
BASE_1_1 = "urn:ietf:params:netconf:base:1.1"

# Capabilities for the operations and modules the lab serves, copied from the hello of a
# Catalyst 9500 on 17.9.1 (tests/data/netconf_xml/hello-capabilities-cat9500-17.9.1-EXCERPT.xml).
# That excerpt lacks the cisco-self-mgmt and cisco-ia lines. The cisco-self-mgmt line carries
# the revision of the stored model, and the cisco-ia line a revision seen in other releases.
CAPABILITIES = [
    BASE_1_0,
    BASE_1_1,
    "urn:ietf:params:netconf:capability:writable-running:1.0",
    "urn:ietf:params:netconf:capability:rollback-on-error:1.0",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-common-types?module=Cisco-IOS-XE-common-types"
    "&revision=2021-03-01",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper"
    "?module=Cisco-IOS-XE-device-hardware-oper&revision=2021-03-01",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-install-event-types"
    "?module=Cisco-IOS-XE-install-event-types&revision=2022-07-01",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper?module=Cisco-IOS-XE-install-oper"
    "&revision=2022-07-01",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper-types"
    "?module=Cisco-IOS-XE-install-oper-types&revision=2022-07-01",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-native?module=Cisco-IOS-XE-native&revision=2022-07-01"
    "&deviations=Cisco-IOS-XE-cef-deviation,Cisco-IOS-XE-cts-switching-deviation,"
    "Cisco-IOS-XE-dialer-deviation,Cisco-IOS-XE-lisp-deviation,Cisco-IOS-XE-nd-deviation,"
    "Cisco-IOS-XE-ospf-deviation,Cisco-IOS-XE-ospfv3-deviation,"
    "Cisco-IOS-XE-poch-lb-switch-deviation,Cisco-IOS-XE-sanet-deviation,"
    "Cisco-IOS-XE-switch-deviation,Cisco-IOS-XE-vrrp-deviation",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper"
    "?module=Cisco-IOS-XE-platform-software-oper&revision=2022-07-01",
    "http://cisco.com/yang/cisco-ia?module=cisco-ia&revision=2020-03-01",
    "http://cisco.com/yang/cisco-self-mgmt?module=cisco-self-mgmt&revision=2019-07-01",
]

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_POLL_SECONDS = 0.5

# Live sessions by (id(device), session id), so kill-session can reach them.
_sessions: dict[tuple[int, int], _Session] = {}
_sessions_guard = threading.Lock()


def _base(name: str) -> str:
    return f"{{{NS_BASE}}}{name}"


def build_hello(session_id: int) -> bytes:
    """Return the server `<hello>` with the capabilities and `session_id`."""
    hello = etree.Element(_base("hello"), nsmap={None: NS_BASE})
    capabilities = etree.SubElement(hello, _base("capabilities"))
    for capability in CAPABILITIES:
        etree.SubElement(capabilities, _base("capability")).text = capability
    etree.SubElement(hello, _base("session-id")).text = str(session_id)
    return etree.tostring(hello, xml_declaration=True, encoding="UTF-8")


def _parse(message: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(message.strip(), parser)


class _Session:
    def __init__(self, channel: paramiko.Channel, device: DeviceState, session_id: int) -> None:
        self.channel = channel
        self.device = device
        self.session_id = session_id
        self.name = f"{device.hostname} session {session_id}"
        self.reader = MessageReader(MAX_MESSAGE_BYTES)
        self.hello_received = False
        self.ended = threading.Event()
        self._send_guard = threading.Lock()

    def run(self) -> None:
        self.send(build_hello(self.session_id))
        self.channel.settimeout(_POLL_SECONDS)
        while not self.ended.is_set():
            try:
                data = self.channel.recv(65536)
            except TimeoutError:
                if self._device_stopped():
                    break
                continue
            except (OSError, EOFError, paramiko.SSHException) as error:
                log.debug("%s: channel failed: %s", self.name, error)
                break
            if not data:
                log.debug("%s: client closed the channel", self.name)
                break
            try:
                messages = self.reader.feed(data)
            except FramingError as error:
                log.warning("%s: ending the session, invalid framing: %s", self.name, error)
                break
            for message in messages:
                if self.ended.is_set():
                    break
                self.handle(message)

    def _device_stopped(self) -> bool:
        with self.device.lock:
            return self.device.is_down() or not self.device.netconf_enabled

    def send(self, message: bytes) -> None:
        with self._send_guard:
            try:
                self.channel.sendall(frame_message(message, self.reader.chunked))
            except (OSError, EOFError, paramiko.SSHException) as error:
                log.debug("%s: send failed: %s", self.name, error)
                self.ended.set()

    def end(self) -> None:
        self.ended.set()
        self.channel.close()

    def handle(self, message: bytes) -> None:
        if not self.hello_received:
            self.handle_hello(message)
            return
        try:
            request = _parse(message)
        except etree.XMLSyntaxError as error:
            log.info("%s: malformed message: %s", self.name, error)
            reply = RpcError(
                "rpc", "malformed-message", f"the message is not well-formed XML: {error}"
            )
            self.send(build_rpc_error(reply, {}))
            return
        if request.tag != _base("rpc"):
            reply = RpcError(
                "rpc",
                "malformed-message",
                f"expected an rpc element, received {etree.QName(request).localname}",
            )
            self.send(build_rpc_error(reply, {}))
            return
        self.handle_rpc(request)

    def handle_hello(self, message: bytes) -> None:
        try:
            hello = _parse(message)
        except etree.XMLSyntaxError as error:
            log.warning("%s: ending the session, malformed client hello: %s", self.name, error)
            self.ended.set()
            return
        capabilities = {(element.text or "").strip() for element in hello.iter(_base("capability"))}
        if hello.tag != _base("hello") or not capabilities & {BASE_1_0, BASE_1_1}:
            log.warning("%s: ending the session, client hello without a base capability", self.name)
            self.ended.set()
            return
        if hello.find(_base("session-id")) is not None:
            log.warning("%s: ending the session, client hello carries a session-id", self.name)
            self.ended.set()
            return
        self.hello_received = True
        if BASE_1_1 in capabilities:
            self.reader.use_chunked()
        log.debug("%s: hello exchanged, chunked framing %s", self.name, self.reader.chunked)

    def handle_rpc(self, rpc: etree._Element) -> None:
        attributes = dict(rpc.attrib)
        if "message-id" not in attributes:
            error = RpcError(
                "rpc",
                "missing-attribute",
                "the rpc element has no message-id attribute",
                element_path(rpc),
                {"bad-attribute": "message-id", "bad-element": "rpc"},
            )
            self.send(build_rpc_error(error, attributes))
            return
        operations = [child for child in rpc if isinstance(child.tag, str)]
        try:
            if len(operations) != 1:
                raise RpcError(
                    "rpc",
                    "malformed-message",
                    "an rpc must contain exactly one operation",
                    element_path(rpc),
                )
            body = self.dispatch(operations[0])
        except RpcError as error:
            log.info("%s: rpc-error %s: %s", self.name, error.tag, error.message)
            self.send(build_rpc_error(error, attributes))
            return
        reply = etree.Element(_base("rpc-reply"), attrib=attributes, nsmap={None: NS_BASE})
        reply.extend(body)
        self.send(etree.tostring(reply, xml_declaration=True, encoding="UTF-8"))
        self.after_reply(operations[0])

    def dispatch(self, operation: etree._Element) -> list[etree._Element]:
        """Run one operation and return the children of its rpc-reply."""
        tag = operation.tag
        log.debug("%s: rpc %s", self.name, tag)
        if tag == _base("get"):
            return rpc_get(operation, self.device)
        if tag == _base("get-config"):
            return rpc_get_config(operation, self.device)
        if tag == _base("edit-config"):
            return rpc_edit_config(operation, self.device)
        if tag in (_base("lock"), _base("unlock")):
            return rpc_lock(operation, self.device, self.session_id, tag == _base("lock"))
        if tag == _base("close-session"):
            return [etree.Element(_base("ok"))]
        if tag == _base("kill-session"):
            return self.kill_session(operation)
        if tag == f"{{{NS_CISCO_IA}}}save-config":
            return rpc_save_config(self.device)
        name = etree.QName(operation).localname
        raise RpcError(
            "protocol",
            "operation-not-supported",
            f"the operation {name} is not supported",
            element_path(operation),
            {"bad-element": name},
        )

    def after_reply(self, operation: etree._Element) -> None:
        if operation.tag == _base("close-session"):
            log.debug("%s: closed by the client", self.name)
            self.end()
            return
        with self.device.lock:
            disabled = not self.device.netconf_enabled
        if disabled:
            log.info("%s: netconf-yang removed, ending the session", self.name)
            self.end()

    def kill_session(self, operation: etree._Element) -> list[etree._Element]:
        element = operation.find(_base("session-id"))
        text = (element.text or "").strip() if element is not None else ""
        with _sessions_guard:
            target = _sessions.get((id(self.device), int(text))) if text.isdigit() else None
        if target is None or target is self:
            raise RpcError(
                "protocol",
                "invalid-value",
                f"{text or 'no session-id'} is not another session of this device",
                element_path(element if element is not None else operation),
                {"bad-element": "session-id"},
            )
        log.info("%s: kills session %d", self.name, target.session_id)
        target.end()
        return [etree.Element(_base("ok"))]


def serve_netconf_session(channel: paramiko.Channel, device: DeviceState, session_id: int) -> None:
    """Run one NETCONF session on an authenticated channel that requested the netconf subsystem.

    Returns when the session ends: close-session, kill-session from another session, end of
    file or failure of the channel (the lab closes it when the device reloads), invalid
    framing, or `netconf-yang` being removed. The channel is closed on return.
    """
    session = _Session(channel, device, session_id)
    with _sessions_guard:
        _sessions[(id(device), session_id)] = session
    log.info("%s: NETCONF session started", session.name)
    try:
        session.run()
    finally:
        with _sessions_guard:
            _sessions.pop((id(device), session_id), None)
        release_locks(device, session_id)
        channel.close()
        log.info("%s: NETCONF session ended", session.name)
