"""Fixtures for repository tests: a real store and repository in a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.repository import Repository
from xeapp.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "db")
    yield db
    db.close()


@pytest.fixture
def repo(tmp_path: Path, store: Store) -> Repository:
    return Repository(tmp_path / "repo", store)
