"""Fixtures shared by every test: a clean environment and a way to run the real CLI."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from xeapp import logs

# NiceGUI's `user` fixture for the page tests; pytest accepts plugins only from this top-level
# conftest.
pytest_plugins = ["nicegui.testing.user_plugin"]

XEAPP_ENV_VARS = ("XEAPP_DATA_DIR", "XEAPP_USERNAME", "XEAPP_PASSWORD", "XEAPP_ENABLE_SECRET")


@pytest.fixture(autouse=True)
def clean_xeapp_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's XEAPP_* variables out of every test."""
    for name in XEAPP_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def reset_logging() -> Iterator[None]:
    """Undo configure_logging after each test, since commands run in-process call it."""
    yield
    logs.stop_logging()
    logging.getLogger().setLevel(logging.WARNING)


def make_cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Return an environment for a CLI subprocess: this data dir, no OS keyring."""
    env = {k: v for k, v in os.environ.items() if k not in XEAPP_ENV_VARS}
    env["XEAPP_DATA_DIR"] = str(data_dir)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(extra)
    return env


def run_xeapp(
    data_dir: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m xeapp ARGS` in a subprocess and return its result."""
    return subprocess.run(
        [sys.executable, "-m", "xeapp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env if env is not None else make_cli_env(data_dir),
        timeout=60,
        check=False,
    )


@pytest.fixture
def cli_env() -> Callable[..., dict[str, str]]:
    """The function that builds a CLI subprocess environment (see make_cli_env)."""
    return make_cli_env


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The function that runs the CLI in a subprocess (see run_xeapp)."""
    return run_xeapp
