"""Fixtures for pre-check tests: lab devices, a store with repository images, the service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from precheck_helpers import SINGLE_BASE, fill_repository, make_service

from xeapp.lab import Lab, start_lab
from xeapp.prechecks import PrecheckService
from xeapp.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "db", flush_delay_s=0.01) as opened:
        fill_repository(tmp_path, opened)
        yield opened


@pytest.fixture
def service(tmp_path: Path, store: Store) -> PrecheckService:
    return make_service(tmp_path, store)


@pytest.fixture
def single_lab() -> Iterator[Callable[..., Lab]]:
    """Return a factory starting a lab of the given device specs; every lab stops afterwards."""
    labs: list[Lab] = []

    def factory(*specs: dict[str, Any]) -> Lab:
        lab = start_lab(
            profiles=list(specs), base=SINGLE_BASE, reload_seconds=0.5, netconf_start_seconds=0.2
        )
        labs.append(lab)
        return lab

    yield factory
    for lab in labs:
        lab.stop()
