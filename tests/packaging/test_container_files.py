"""The Dockerfile, the compose file and the container's UI password script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from xeapp.services import check_password
from xeapp.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DEFAULTS = Settings()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((PACKAGING / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (PACKAGING / "Dockerfile").read_text(encoding="utf-8")


def _container_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(entry).rsplit(":", 1)[-1]) for entry in service.get("ports", [])}


def test_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert set(services) == {"xeapp", "xeapp-host"}
    for name, service in services.items():
        assert service["build"]["context"] == "..", name
        assert (PACKAGING / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
        assert service["command"] == ["run", "--browser", "--no-show", "--host", "0.0.0.0"]
        assert "xeapp-data:/data" in service["volumes"], name
        assert service["environment"]["XEAPP_DATA_DIR"] == "/data", name
        assert service["environment"]["XEAPP_UI_PASSWORD"].startswith("${XEAPP_UI_PASSWORD:?")
    assert "xeapp-data" in compose["volumes"]


def test_compose_publishes_app_ports(compose: dict[str, Any]) -> None:
    bridge = compose["services"]["xeapp"]
    host = compose["services"]["xeapp-host"]

    assert _container_ports(bridge) == {
        DEFAULTS.ui_port,
        DEFAULTS.image_server_port,
        DEFAULTS.image_server_fallback_port,
    }
    assert f"127.0.0.1:{DEFAULTS.ui_port}:{DEFAULTS.ui_port}" in bridge["ports"]
    assert host["network_mode"] == "host"
    assert "ports" not in host
    assert host["profiles"] == ["host"]


def test_dockerfile_matches_compose(dockerfile: str, compose: dict[str, Any]) -> None:
    exposed = {int(port) for port in re.findall(r"\d+", _line(dockerfile, "EXPOSE"))}
    cmd = json.loads(_line(dockerfile, "CMD").removeprefix("CMD "))

    assert "XEAPP_DATA_DIR=/data" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile
    assert exposed == _container_ports(compose["services"]["xeapp"])
    assert cmd == compose["services"]["xeapp"]["command"]
    assert re.search(r"^USER xeapp$", dockerfile, re.MULTILINE)
    for source in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), f"COPY source {path} is missing"


def _line(text: str, instruction: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(f"{instruction} ")]
    return line


def _set_password(data_dir: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        "XEAPP_DATA_DIR": str(data_dir),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PATH": "/usr/bin:/bin",
        **variables,
    }
    return subprocess.run(
        [sys.executable, str(PACKAGING / "set_ui_password.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _stored_hash(data_dir: Path) -> str | None:
    settings = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    return settings["ui_password_hash"]


def test_ui_password_from_environment(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = _set_password(data_dir, XEAPP_UI_PASSWORD="correct horse")
    stored = _stored_hash(data_dir)
    again = _set_password(data_dir, XEAPP_UI_PASSWORD="correct horse")

    assert first.returncode == 0, first.stderr
    assert check_password("correct horse", stored)
    assert again.returncode == 0, again.stderr
    assert _stored_hash(data_dir) == stored


def test_ui_password_from_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    secret = tmp_path / "ui_password"
    secret.write_text("from a secret file\n", encoding="utf-8")

    result = _set_password(data_dir, XEAPP_UI_PASSWORD_FILE=str(secret))

    assert result.returncode == 0, result.stderr
    assert check_password("from a secret file", _stored_hash(data_dir))


def test_ui_password_too_short(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    result = _set_password(data_dir, XEAPP_UI_PASSWORD="short")

    assert result.returncode == 2
    assert "at least 8 characters" in result.stderr
    assert not (data_dir / "settings.json").exists()


def test_ui_password_unset(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    result = _set_password(data_dir)

    assert result.returncode == 0, result.stderr
    assert not (data_dir / "settings.json").exists()
