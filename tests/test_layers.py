"""Import boundaries: the UI at the edge, and the lab apart from the product's device code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "xeapp"
# The lab is wired in only by the commands that start it.
LAB_USERS = {"xeapp/demo.py", "xeapp/commands/lab.py"}
# NiceGUI is imported by the pages and by the module that starts the NiceGUI app.
UI_MODULES = ("xeapp/ui/", "xeapp/app.py")


def imported_modules(path: Path) -> set[str]:
    """Return every module name an `import` or `from ... import` in the file names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


SOURCES = sorted(PACKAGE.rglob("*.py"))


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


NON_UI_SOURCES = [path for path in SOURCES if not relative(path).startswith(UI_MODULES)]


@pytest.mark.parametrize("path", NON_UI_SOURCES, ids=relative)
def test_nicegui_only_in_ui(path: Path) -> None:
    uses = {name for name in imported_modules(path) if name.split(".")[0] == "nicegui"}
    assert not uses


@pytest.mark.parametrize("path", SOURCES, ids=relative)
def test_lab_kept_apart(path: Path) -> None:
    names = imported_modules(path)
    product = {n for n in names if n.split(".")[0] == "xeapp" and not n.startswith("xeapp.lab")}
    lab = {n for n in names if n == "xeapp.lab" or n.startswith("xeapp.lab.")}
    if relative(path).startswith("xeapp/lab/"):
        assert not product, "the lab imports product code"
    elif relative(path) not in LAB_USERS:
        assert not lab, "product code imports the lab"
