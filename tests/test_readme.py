"""The README's two commands: the demo command installs first, and CI runs the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def section_command(title: str) -> str:
    """Return the one-line shell command in the first code block under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n.*?```sh\n(.+?)\n```", text, re.M | re.S)
    assert match, f"README has no sh code block under '## {title}'"
    return match.group(1).strip()


def test_test_command_is_what_ci_runs() -> None:
    command = section_command("Run the tests")
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [line.strip() for line in ci_script.splitlines()]
    assert any(line.startswith(command + " ") or line == command for line in ci_lines)


def test_demo_command_installs_like_the_tests() -> None:
    install = section_command("Run the tests").rsplit(" && ", 1)[0]
    demo = section_command("Try it on the demo lab")
    assert demo == f"{install} && .venv/bin/xeapp demo"
