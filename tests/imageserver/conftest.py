"""Fixtures for image server tests: a repository directory and a server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from imageserver_helpers import IMAGE_NAME, IMAGE_SIZE

from xeapp.imageserver import ImageServer


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / IMAGE_NAME).write_bytes(os.urandom(IMAGE_SIZE))
    return repo


@pytest.fixture
def image_bytes(repo_dir: Path) -> bytes:
    return (repo_dir / IMAGE_NAME).read_bytes()


@pytest.fixture
def server(repo_dir: Path) -> Iterator[ImageServer]:
    with ImageServer(repo_dir, bind="127.0.0.1", port=0, fallback_port=None, timeout=5) as srv:
        yield srv
