"""Tests of the settings: defaults, validation, saving and damaged files."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import pytest

from xeapp.commands import open_context
from xeapp.errors import InvalidInputError, XeappError
from xeapp.settings import Settings, load_settings, parse_value, save_settings, set_setting


def test_defaults() -> None:
    settings = Settings()

    assert (settings.ui_host, settings.ui_port) == ("127.0.0.1", 8765)
    assert (settings.image_server_port, settings.image_server_fallback_port) == (80, 8080)
    assert settings.image_server_address is None
    assert settings.reload_timeout_s == 2700
    settings.validate()


def test_save_and_load_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = set_setting(Settings(), "max_parallel_upgrades", 4)
    settings = set_setting(settings, "image_server_address", "192.0.2.10")

    save_settings(settings, path)

    assert load_settings(path) == settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.json") == Settings()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ui_port", 0, "invalid value 0 for setting ui_port: expected an integer from 1 to 65535"),
        ("ui_port", "80", "setting ui_port: expected an integer"),
        ("ui_port", True, "setting ui_port: expected an integer"),
        ("reload_timeout_s", 10, "expected an integer from 60 to 21600"),
        ("auto_abort_minutes", 29, "expected an integer from 30 to 1200"),
        ("auto_abort_minutes", 1201, "expected an integer from 30 to 1200"),
        ("ui_host", "localhost:80", "setting ui_host: expected an IPv4 or IPv6 address"),
        ("image_server_address", "bad host!", "setting image_server_address"),
        ("image_server_address", "999.1.1.1", "setting image_server_address"),
        ("ui_password_hash", "", "setting ui_password_hash"),
        ("no_such_key", 1, "unknown setting 'no_such_key'"),
    ],
)
def test_set_invalid_value_named(key: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        set_setting(Settings(), key, value)


def test_parse_value_converts_text() -> None:
    assert parse_value("connect_timeout_s", "15") == 15
    assert parse_value("image_server_address", "none") is None
    assert parse_value("image_server_address", "images.example.net") == "images.example.net"


def test_parse_value_rejects_text() -> None:
    with pytest.raises(
        InvalidInputError, match="invalid value 'ten' for setting connect_timeout_s"
    ):
        parse_value("connect_timeout_s", "ten")


def test_invalid_value_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    original = json.dumps({"ui_port": 99999, "discovery_workers": 8})
    path.write_text(original)

    with caplog.at_level(logging.WARNING):
        settings = load_settings(path)

    assert settings.ui_port == 8765
    assert settings.discovery_workers == 8
    kept = list(tmp_path.glob("settings.json.invalid-*"))
    assert len(kept) == 1
    assert kept[0].read_text() == original
    assert json.loads(path.read_text())["discovery_workers"] == 8
    assert "invalid value 99999 for setting ui_port" in caplog.text


def test_corrupt_file_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"ui_port": 87')

    with caplog.at_level(logging.WARNING):
        settings = load_settings(path)

    assert settings == Settings()
    assert [p.read_text() for p in tmp_path.glob("settings.json.corrupt-*")] == ['{"ui_port": 87']
    assert "is unreadable" in caplog.text


def test_no_repair_leaves_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"ui_port": 0}')

    assert load_settings(path, repair=False).ui_port == 8765
    assert path.read_text() == '{"ui_port": 0}'
    assert list(tmp_path.glob("settings.json.*")) == []


def test_context_update_saves(tmp_path: Path) -> None:
    args = argparse.Namespace(data_dir=tmp_path)
    with open_context(args, write=True) as context:
        context.update_settings({"ui_port": 9000, "max_parallel_upgrades": 3})

    with open_context(args, write=False) as reader:
        assert reader.settings.ui_port == 9000
        assert reader.settings.max_parallel_upgrades == 3


def test_context_update_invalid_saves_nothing(tmp_path: Path) -> None:
    args = argparse.Namespace(data_dir=tmp_path)
    with open_context(args, write=True) as context:
        with pytest.raises(InvalidInputError, match="setting ui_port"):
            context.update_settings({"max_parallel_upgrades": 3, "ui_port": -1})
        assert context.settings == Settings()

    assert not (tmp_path / "settings.json").exists()


def test_read_context_cannot_update(tmp_path: Path) -> None:
    args = argparse.Namespace(data_dir=tmp_path)
    with open_context(args, write=False) as reader, pytest.raises(XeappError, match="the lock"):
        reader.update_settings({"ui_port": 9000})
