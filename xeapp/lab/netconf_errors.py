"""NETCONF `rpc-error` replies in the form IOS-XE sends them (RFC 6241 appendix A)."""

from __future__ import annotations

from lxml import etree

NS_BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"

# Prefixes used in error-path, as the modules define them.
_PREFIXES = {
    NS_BASE: "nc",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-native": "ios",
    "http://cisco.com/yang/cisco-self-mgmt": "cisco-sfm",
    "http://cisco.com/yang/cisco-ia": "cisco-ia",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper": "device-hardware-xe-oper",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-platform-software-oper": "platform-sw-ios-xe-oper",
    "http://cisco.com/ns/yang/Cisco-IOS-XE-install-oper": "install-ios-xe-oper",
}


class RpcError(Exception):
    """A failed RPC, sent to the client as one `rpc-error`.

    `path` contains the Clark tags ("{namespace}name") from `rpc` down to the offending element.
    `info` contains the error-info children, e.g. {"bad-element": "foo"}.
    """

    def __init__(
        self,
        error_type: str,
        tag: str,
        message: str,
        path: list[str] | None = None,
        info: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.tag = tag
        self.message = message
        self.path = path or []
        self.info = info or {}


def element_path(element: etree._Element) -> list[str]:
    """Return the Clark tags from the document root down to `element`."""
    tags = [element.tag for element in element.iterancestors()]
    return [*reversed(tags), element.tag]


def _path_text(path: list[str], nsmap: dict[str, str]) -> str:
    steps = []
    for tag in path:
        qname = etree.QName(tag)
        namespace = qname.namespace or ""
        if not namespace:
            steps.append(qname.localname)
            continue
        if namespace not in nsmap:
            nsmap[namespace] = _PREFIXES.get(namespace, f"ns{len(nsmap)}")
        steps.append(f"{nsmap[namespace]}:{qname.localname}")
    return "/" + "/".join(steps)


def build_rpc_error(error: RpcError, rpc_attributes: dict[str, str]) -> bytes:
    """Return the `rpc-reply` carrying `error`, with the request's attributes copied.

    Without a message-id (a malformed request) the reply has none, as RFC 6241 allows.
    """
    reply = etree.Element(f"{{{NS_BASE}}}rpc-reply", nsmap={None: NS_BASE})
    for name, value in rpc_attributes.items():
        reply.set(name, value)
    rpc_error = etree.SubElement(reply, f"{{{NS_BASE}}}rpc-error")
    for name, value in (
        ("error-type", error.error_type),
        ("error-tag", error.tag),
        ("error-severity", "error"),
    ):
        etree.SubElement(rpc_error, f"{{{NS_BASE}}}{name}").text = value
    if error.path:
        nsmap: dict[str, str] = {}
        text = _path_text(error.path, nsmap)
        path_nsmap = {prefix: namespace for namespace, prefix in nsmap.items()}
        path = etree.SubElement(rpc_error, f"{{{NS_BASE}}}error-path", nsmap=path_nsmap)
        path.text = text
    message = etree.SubElement(rpc_error, f"{{{NS_BASE}}}error-message")
    message.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    message.text = error.message
    if error.info:
        info = etree.SubElement(rpc_error, f"{{{NS_BASE}}}error-info")
        for name, value in error.info.items():
            etree.SubElement(info, f"{{{NS_BASE}}}{name}").text = value
    return etree.tostring(reply, xml_declaration=True, encoding="UTF-8")
