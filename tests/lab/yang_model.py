"""A small YANG reader: the data tree of a set of modules, enough to check XML replies against.

It parses YANG statements and expands container, list, leaf, leaf-list, choice, case, uses,
grouping and top-level augment into a tree of schema nodes keyed by (namespace, name). Types
are resolved far enough to check enumeration, boolean and integer values; other types accept
any text. Features, when, must and deviations are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN = re.compile(
    r'\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\]|\\.)*"|\'[^\']*\'|[{};]|\+|[^\s{};"\']+', re.S
)
_DATA_KEYWORDS = ("container", "list", "leaf", "leaf-list", "anydata", "anyxml")
_INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}


@dataclass
class Statement:
    keyword: str
    argument: str
    children: list[Statement] = field(default_factory=list)

    def find(self, keyword: str) -> Statement | None:
        return next((child for child in self.children if child.keyword == keyword), None)

    def all(self, keyword: str) -> list[Statement]:
        return [child for child in self.children if child.keyword == keyword]


@dataclass
class SchemaNode:
    """A data node: `kind` is container, list, leaf, leaf-list, anydata or anyxml."""

    namespace: str
    name: str
    kind: str
    keys: tuple[str, ...] = ()
    # For leaves: the allowed enumeration names, or a built-in type name to check.
    enums: frozenset[str] | None = None
    base_type: str = ""
    children: dict[tuple[str, str], SchemaNode] = field(default_factory=dict)


def _unquote(token: str) -> str:
    if token.startswith('"'):
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), token[1:-1])
    if token.startswith("'"):
        return token[1:-1]
    return token


def parse_statements(text: str) -> Statement:
    """Parse YANG text into its top statement (`module` or `submodule`)."""
    tokens = [t for t in _TOKEN.findall(text) if t.strip() and not t.startswith(("//", "/*"))]
    position = 0

    def argument() -> str:
        nonlocal position
        parts = [_unquote(tokens[position])]
        position += 1
        while position + 1 < len(tokens) and tokens[position] == "+":
            parts.append(_unquote(tokens[position + 1]))
            position += 2
        return "".join(parts)

    def statement() -> Statement:
        nonlocal position
        keyword = tokens[position]
        position += 1
        arg = "" if tokens[position] in ("{", ";") else argument()
        result = Statement(keyword, arg)
        if tokens[position] == ";":
            position += 1
            return result
        if tokens[position] != "{":
            raise ValueError(f"expected {{ or ; after {keyword} {arg}, got {tokens[position]}")
        position += 1
        while tokens[position] != "}":
            result.children.append(statement())
        position += 1
        return result

    return statement()


class YangModels:
    """The modules of a directory, with their groupings and typedefs, resolved into one tree."""

    def __init__(self, texts: list[str]) -> None:
        self.modules: dict[str, Statement] = {}
        for text in texts:
            module = parse_statements(text)
            self.modules[module.argument] = module
        self.roots: dict[tuple[str, str], SchemaNode] = {}
        for module in self.modules.values():
            self._expand_into(self.roots, module.children, module, self._namespace(module))
        for module in self.modules.values():
            for augment in module.all("augment"):
                target = self._resolve_path(augment.argument, module)
                self._expand_into(target.children, augment.children, module, target.namespace)

    @classmethod
    def from_files(cls, paths: list[Path], extra_texts: tuple[str, ...] = ()) -> YangModels:
        """Read the modules in `paths`, plus modules given as text."""
        return cls([*(path.read_text() for path in paths), *extra_texts])

    @staticmethod
    def _namespace(module: Statement) -> str:
        namespace = module.find("namespace")
        return namespace.argument if namespace else ""

    def _module_for_prefix(self, prefix: str, module: Statement) -> Statement:
        own = module.find("prefix")
        if own is not None and own.argument == prefix:
            return module
        for imported in module.all("import"):
            imported_prefix = imported.find("prefix")
            if imported_prefix is not None and imported_prefix.argument == prefix:
                if imported.argument not in self.modules:
                    raise KeyError(f"module {imported.argument} is not loaded")
                return self.modules[imported.argument]
        raise KeyError(f"prefix {prefix} is not defined in {module.argument}")

    def _lookup(
        self, keyword: str, reference: str, module: Statement
    ) -> tuple[Statement, Statement]:
        prefix, _, name = reference.rpartition(":")
        owner = self._module_for_prefix(prefix, module) if prefix else module
        for definition in owner.all(keyword):
            if definition.argument == name:
                return definition, owner
        raise KeyError(f"{keyword} {reference} not found in {owner.argument}")

    def _resolve_path(self, path: str, module: Statement) -> SchemaNode:
        children = self.roots
        node: SchemaNode | None = None
        for step in path.strip("/").split("/"):
            prefix, _, name = step.rpartition(":")
            owner = self._module_for_prefix(prefix, module) if prefix else module
            node = children[(self._namespace(owner), name)]
            children = node.children
        assert node is not None
        return node

    def _expand_into(
        self,
        target: dict[tuple[str, str], SchemaNode],
        statements: list[Statement],
        module: Statement,
        namespace: str,
    ) -> None:
        for statement in statements:
            keyword = statement.keyword
            if keyword in _DATA_KEYWORDS:
                node = SchemaNode(namespace, statement.argument, keyword)
                key = statement.find("key")
                if key is not None:
                    node.keys = tuple(key.argument.split())
                if keyword in ("leaf", "leaf-list"):
                    self._set_type(node, statement.find("type"), module)
                self._expand_into(node.children, statement.children, module, namespace)
                target[(namespace, node.name)] = node
            elif keyword in ("choice", "case"):
                self._expand_into(target, statement.children, module, namespace)
            elif keyword == "uses":
                grouping, owner = self._lookup("grouping", statement.argument, module)
                # The grouping's nodes take the namespace of the module that uses it.
                self._expand_into(target, grouping.children, owner, namespace)

    def _set_type(
        self, node: SchemaNode, type_statement: Statement | None, module: Statement
    ) -> None:
        for _ in range(10):
            if type_statement is None:
                return
            name = type_statement.argument
            if name == "enumeration":
                node.enums = frozenset(e.argument for e in type_statement.all("enum"))
                return
            if name in _INTEGER_RANGES or name in ("boolean", "string", "decimal64", "binary"):
                node.base_type = name
                return
            try:
                typedef, module = self._lookup("typedef", name, module)
            except KeyError:
                return  # a type from a module that is not loaded, e.g. ietf-yang-types
            type_statement = typedef.find("type")

    def check_value(self, node: SchemaNode, text: str) -> str | None:
        """Return why `text` is invalid for leaf `node`, or None if it is valid."""
        if node.enums is not None and text not in node.enums:
            return f"{text!r} is not one of the enumeration {sorted(node.enums)}"
        if node.base_type == "boolean" and text not in ("true", "false"):
            return f"{text!r} is not a boolean"
        if node.base_type in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[node.base_type]
            if not re.fullmatch(r"-?[0-9]+", text) or not low <= int(text) <= high:
                return f"{text!r} is not a valid {node.base_type}"
        return None
