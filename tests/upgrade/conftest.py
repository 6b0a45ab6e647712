"""Fixtures for upgrade tests: a lab, a data directory with images, and job managers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from labjobs import UpgradeEnv, build_env


@pytest.fixture(autouse=True)
def lab_credentials(clean_xeapp_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Log in to lab devices as admin/admin."""
    monkeypatch.setenv("XEAPP_USERNAME", "admin")
    monkeypatch.setenv("XEAPP_PASSWORD", "admin")


@pytest.fixture
def upgrade_env(tmp_path: Path) -> Iterator[Callable[..., UpgradeEnv]]:
    """Return a factory: lab profiles in, a data directory with images and inventory out."""
    envs: list[UpgradeEnv] = []

    def factory(*profiles: str | dict[str, Any], base: str = "127.0.0.40") -> UpgradeEnv:
        env = build_env(tmp_path / f"data{len(envs)}", *profiles, base=base)
        envs.append(env)
        return env

    yield factory
    for env in envs:
        env.close()


@pytest.fixture(scope="module")
def lab_login() -> Iterator[None]:
    """Log in to lab devices as admin/admin while a module's shared lab is set up."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XEAPP_USERNAME", "admin")
        patch.setenv("XEAPP_PASSWORD", "admin")
        yield
