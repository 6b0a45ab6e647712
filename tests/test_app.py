"""The app's wiring: the local API with its token, the UI host rule, shutdown and the CLI."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xeapp.api import ENDPOINT_FILE, TOKEN_FILE, read_endpoint
from xeapp.app import check_host
from xeapp.errors import InvalidInputError
from xeapp.services import check_password, hash_password

STARTUP_TIMEOUT_S = 60.0


def app_env(cli_env: Any, data: Path) -> dict[str, str]:
    """The CLI environment without pytest's marker, which NiceGUI reads as "under test"."""
    env: dict[str, str] = cli_env(data)
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(data: Path, port: int, process: subprocess.Popen[str]) -> None:
    """Wait for the endpoint file and for the UI to respond to HTTP."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the app did not start serving"
        if (data / ENDPOINT_FILE).exists():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    return
            except OSError:
                pass
        time.sleep(0.2)


def request(
    port: int, path: str, token: str | None, method: str = "GET", body: Any = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def running_app(tmp_path: Path, cli_env: Any) -> Iterator[tuple[Path, int, subprocess.Popen[str]]]:
    """`xeapp run` in a subprocess, UI and image server on free loopback ports."""
    data = tmp_path / "data"
    data.mkdir()
    settings = {"image_server_bind": "127.0.0.1", "image_server_port": free_port()}
    (data / "settings.json").write_text(json.dumps(settings))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "xeapp", "run", "--browser", "--no-show", "--port", str(port)],
        env=app_env(cli_env, data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(data, port, process)
        yield data, port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)


def test_api_needs_token(running_app: tuple[Path, int, subprocess.Popen[str]]) -> None:
    _data, port, _process = running_app
    status, body = request(port, "/api/devices", None)
    assert status == 401
    assert "api-token" in body["detail"]


def test_api_token_file_is_private(running_app: tuple[Path, int, subprocess.Popen[str]]) -> None:
    data, _port, _process = running_app
    assert (data / TOKEN_FILE).stat().st_mode & 0o777 == 0o600


def test_api_adds_and_removes_devices(
    running_app: tuple[Path, int, subprocess.Popen[str]],
) -> None:
    data, port, _process = running_app
    token = (data / TOKEN_FILE).read_text().strip()
    body = {"targets": ["10.4.0.1-10.4.0.2"], "discover": False}
    status, added = request(port, "/api/devices", token, "POST", body)
    assert status == 200
    assert added["added"] == ["10.4.0.1", "10.4.0.2"]
    status, devices = request(port, "/api/devices", token)
    assert [d["ip_address"] for d in devices] == ["10.4.0.1", "10.4.0.2"]
    status, _ = request(port, "/api/devices/10.4.0.1", token, "DELETE")
    assert status == 200
    status, _ = request(port, "/api/devices/10.4.0.9", token, "DELETE")
    assert status == 404


def test_api_large_block_needs_confirmation(
    running_app: tuple[Path, int, subprocess.Popen[str]],
) -> None:
    data, port, _process = running_app
    token = (data / TOKEN_FILE).read_text().strip()
    status, body = request(
        port, "/api/devices", token, "POST", {"targets": ["10.3.0.0/16"], "discover": False}
    )
    assert status == 409
    assert "10.3.0.0/16" in body["detail"]


def test_api_openapi_lists_routes(running_app: tuple[Path, int, subprocess.Popen[str]]) -> None:
    _data, port, _process = running_app
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=30) as response:
        schema = json.loads(response.read())
    for path in ("/api/devices", "/api/images", "/api/prechecks", "/api/jobs"):
        assert path in schema["paths"]


def test_sigterm_removes_endpoint(running_app: tuple[Path, int, subprocess.Popen[str]]) -> None:
    data, _port, process = running_app
    assert read_endpoint(data) is not None
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    # uvicorn raises the signal again after its clean shutdown, so -SIGTERM is a clean exit.
    assert process.returncode in (0, -signal.SIGTERM)
    assert not (data / ENDPOINT_FILE).exists()
    assert not (data / "xeapp.lock").read_text().strip()


def test_wide_host_needs_ui_password() -> None:
    with pytest.raises(InvalidInputError, match="--set-ui-password"):
        check_host("0.0.0.0", None)


def test_wide_host_with_ui_password() -> None:
    check_host("0.0.0.0", hash_password("correct horse"))


def test_ui_password_hash_checks() -> None:
    stored = hash_password("correct horse")
    assert check_password("correct horse", stored)
    assert not check_password("wrong horse", stored)


def test_run_refuses_wide_host(tmp_path: Path, run_cli: Any, cli_env: Any) -> None:
    data = tmp_path / "data"
    result = run_cli(
        data, "run", "--host", "0.0.0.0", "--no-show", "--browser", env=app_env(cli_env, data)
    )
    assert result.returncode == 2
    assert "UI password" in result.stderr


def test_run_refuses_taken_port(tmp_path: Path, run_cli: Any, cli_env: Any) -> None:
    data = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env = app_env(cli_env, data)
        result = run_cli(data, "run", "--port", port, "--no-show", "--browser", env=env)
    assert result.returncode == 1
    assert "--port" in result.stderr


def test_endpoint_of_dead_process_is_ignored(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    document = {"host": "127.0.0.1", "port": 1, "pid": dead.pid}
    (tmp_path / ENDPOINT_FILE).write_text(json.dumps(document))
    assert read_endpoint(tmp_path) is None


def test_demo_rejects_lab_base_off_loopback(tmp_path: Path, run_cli: Any, cli_env: Any) -> None:
    data = tmp_path / "data"
    port = str(free_port())
    env = app_env(cli_env, data)
    result = run_cli(
        data, "demo", "--lab-base", "10.0.0.1", "--port", port, "--no-show", "--browser", env=env
    )
    assert result.returncode == 2
    assert "invalid --lab-base" in result.stderr
