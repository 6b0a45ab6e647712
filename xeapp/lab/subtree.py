"""RFC 6241 section 6 subtree filtering of NETCONF data trees held as lxml elements."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from lxml import etree

# A data node is output either whole or with only its selected descendants.
_FULL = 2
_PARTIAL = 1

# Selected data nodes by id(). Each entry keeps its lxml proxy alive, because lxml gives a node
# the same proxy object, and so the same id(), only while some reference to that proxy exists.
Selection = dict[int, tuple[int, etree._Element]]

KeyLookup = Callable[[str], tuple[str, ...]]


def _no_keys(tag: str) -> tuple[str, ...]:
    return ()


def _qname(element: etree._Element) -> tuple[str, str]:
    qname = etree.QName(element)
    return qname.namespace or "", qname.localname


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _names_match(data: etree._Element, node: etree._Element) -> bool:
    """Return whether filter `node` names `data`; a filter node without a namespace matches any."""
    data_ns, data_name = _qname(data)
    node_ns, node_name = _qname(node)
    if data_name != node_name or (node_ns and node_ns != data_ns):
        return False
    return all(data.get(name) == value for name, value in node.attrib.items())


def _mark(selection: Selection, element: etree._Element, mode: int) -> None:
    previous = selection.get(id(element), (0, element))[0]
    selection[id(element)] = (max(previous, mode), element)


def _is_content_match(node: etree._Element) -> bool:
    return not _children(node) and bool((node.text or "").strip())


class SubtreeFilter:
    """One `<filter type="subtree">`, applied to the top-level elements of a datastore.

    `list_keys` returns the key leaf names of a list element given its Clark tag
    ("{namespace}name"). The key leaves of every selected list entry are output, so a reply
    can always tell list entries apart.
    """

    def __init__(self, filter_element: etree._Element, list_keys: KeyLookup = _no_keys) -> None:
        self._nodes = _children(filter_element)
        self._list_keys = list_keys

    def apply(self, roots: Iterable[etree._Element]) -> list[etree._Element]:
        """Return copies of what the filter selects in `roots`. An empty filter selects nothing."""
        selection: Selection = {}
        selected_roots = []
        for root in roots:
            matched = False
            for node in self._nodes:
                if _names_match(root, node) and self._match(root, node, selection):
                    matched = True
            if matched:
                selected_roots.append(root)
        return [self._copy(root, selection) for root in selected_roots]

    def _match(self, data: etree._Element, node: etree._Element, selection: Selection) -> bool:
        """Add to `selection` what `node` selects inside `data`; return False if it selects nothing.

        `data` already matches `node` by name. A content match node that fails makes the whole
        `data` node unselected (RFC 6241 section 6.2.5).
        """
        if _is_content_match(node):
            if (data.text or "").strip() != (node.text or "").strip():
                return False
            _mark(selection, data, _FULL)
            return True

        nodes = _children(node)
        data_children = _children(data)
        if not nodes:
            _mark(selection, data, _FULL)
            return True

        content_nodes = [n for n in nodes if _is_content_match(n)]
        other_nodes = [n for n in nodes if not _is_content_match(n)]
        matched_content = []
        for content_node in content_nodes:
            hits = [
                child
                for child in data_children
                if _names_match(child, content_node)
                and (child.text or "").strip() == (content_node.text or "").strip()
            ]
            if not hits:
                return False
            matched_content += hits
        if content_nodes and not other_nodes:
            _mark(selection, data, _FULL)
            return True

        local: Selection = {}
        selected_any = False
        for child in data_children:
            for other in other_nodes:
                if _names_match(child, other) and self._match(child, other, local):
                    selected_any = True
        if not selected_any and not content_nodes:
            return False

        for child in matched_content:
            _mark(local, child, _FULL)
        keys = self._list_keys(data.tag)
        for child in data_children:
            if _qname(child)[1] in keys:
                _mark(local, child, _FULL)
        for mode, element in local.values():
            _mark(selection, element, mode)
        _mark(selection, data, _PARTIAL)
        return True

    def _copy(self, data: etree._Element, selection: Selection) -> etree._Element:
        if selection[id(data)][0] == _FULL:
            return copy.deepcopy(data)
        result = etree.Element(data.tag, attrib=dict(data.attrib), nsmap=data.nsmap)
        for child in _children(data):
            if id(child) in selection:
                result.append(self._copy(child, selection))
        return result
