"""The demo's own checks, outside the browser and the page tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from xeapp.demo import prepare_demo
from xeapp.errors import XeappError
from xeapp.lab import fleet


def test_demo_stops_without_loopback_aliases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stands in for macOS, where only 127.0.0.1 can be bound until aliases are added.
    monkeypatch.setattr(fleet, "aliases_available", lambda base: False)

    with pytest.raises(XeappError, match="one loopback address per device") as raised:
        prepare_demo(tmp_path / "data", lab_base="127.0.12.10")

    assert "ifconfig lo0 alias" in str(raised.value)
