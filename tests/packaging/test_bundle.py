"""The PyInstaller bundle: it builds, starts, serves the UI and talks to lab devices.

The bundle is built once per run from packaging/xeapp.spec, which takes about half a minute
to a few minutes. With XEAPP_BUNDLE_DIR set to a one-folder bundle built by
packaging/build.sh (for example dist/xeapp), that bundle is tested instead.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from xeapp import __version__
from xeapp.datadir import DataDir
from xeapp.settings import Settings, save_settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "xeapp.spec"
BUILD_TIMEOUT_S = 1800
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30

EnvFactory = Callable[..., dict[str, str]]


def _ensure_pyinstaller() -> None:
    """Install PyInstaller with pip when it is missing; skip the module when that fails."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "pyinstaller>=6.10"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            last_line = (result.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"PyInstaller is not installed and pip cannot install it: {last_line}")


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the one-folder bundle: the one in XEAPP_BUNDLE_DIR, else a fresh build."""
    given = os.environ.get("XEAPP_BUNDLE_DIR")
    if given:
        folder = Path(given)
        assert (folder / "xeapp").is_file(), f"XEAPP_BUNDLE_DIR={given} has no xeapp executable"
        return folder

    _ensure_pyinstaller()
    work = tmp_path_factory.mktemp("pyinstaller")
    env = {k: v for k, v in os.environ.items() if k not in ("XEAPP_ONEFILE", "XEAPP_WINDOWED")}
    start = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    elapsed = time.monotonic() - start
    assert result.returncode == 0, f"PyInstaller failed:\n{result.stderr[-4000:]}"
    print(f"bundle built in {elapsed:.0f} s")
    return work / "dist" / "xeapp"


@pytest.fixture
def bundle_env(cli_env: EnvFactory, tmp_path: Path) -> EnvFactory:
    """Return a function giving a bundle's environment: its own data dir, HOME and state dir."""

    def make(data_dir: Path, **extra: str) -> dict[str, str]:
        env = cli_env(data_dir, **extra)
        # Keep the console log and any per-user file of the bundle inside the test.
        env["HOME"] = str(tmp_path / "home")
        env["XDG_STATE_HOME"] = str(tmp_path / "state")
        env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
        env["XDG_DATA_HOME"] = str(tmp_path / "share")
        # Without a display the app cannot open a native window. NiceGUI switches to its
        # test mode when it sees PYTEST_CURRENT_TEST, which the bundle must not inherit.
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        return env

    return make


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[str]) -> int:
    """Send SIGTERM, wait for the exit, and return the exit status (kill after a timeout)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
        raise


def _read_output(process: subprocess.Popen[str]) -> str:
    """Return what a stopped process wrote (stdout and stderr are merged)."""
    assert process.stdout is not None
    return process.stdout.read()


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=3) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def _wait_for_http(process: subprocess.Popen[str], url: str) -> tuple[int, str]:
    """Poll `url` about twice a second until it answers, the process exits or time is up."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the bundle exited with {process.returncode}:\n{_read_output(process)}")
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    _stop(process)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT_S} s:\n{_read_output(process)}")


def test_bundle_help_and_version(bundle_dir: Path, bundle_env: EnvFactory, tmp_path: Path) -> None:
    env = bundle_env(tmp_path / "data")
    executable = str(bundle_dir / "xeapp")

    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    help_text = subprocess.run(
        [executable, "--help"], capture_output=True, text=True, env=env, timeout=60
    )

    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"xeapp {__version__}"
    assert help_text.returncode == 0, help_text.stderr
    for command in ("run", "demo", "lab", "discover", "upgrade"):
        assert f"    {command} " in help_text.stdout


def test_bundle_data_files(bundle_dir: Path) -> None:
    internal = bundle_dir / "_internal"

    assert (internal / "ntc_templates" / "templates" / "index").is_file()
    assert list((internal / "xeapp" / "lab" / "profiles").glob("*.yaml"))
    assert (internal / "nicegui" / "static").is_dir()
    assert (internal / "assets" / "xeapp.png").is_file()


def test_bundle_without_console_streams(
    bundle_dir: Path, bundle_env: EnvFactory, tmp_path: Path
) -> None:
    # With file descriptors 1 and 2 closed, Python starts with sys.stdout and sys.stderr set
    # to None, as a windowed bundle does on Windows and macOS.
    env = bundle_env(tmp_path / "data")
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" --help >&- 2>&-', str(bundle_dir / "xeapp")],
        env=env,
        timeout=60,
        check=False,
    )
    console_log = tmp_path / "state" / "xeapp" / "log" / "console.log"

    assert result.returncode == 0
    assert console_log.is_file()
    assert "usage: xeapp" in console_log.read_text(encoding="utf-8")


def _write_loopback_settings(data_dir: Path) -> None:
    """Bind the image server to 127.0.0.1 on free ports instead of 0.0.0.0 port 80."""
    settings = Settings(
        image_server_bind="127.0.0.1",
        image_server_port=_free_port(),
        image_server_fallback_port=_free_port(),
    )
    save_settings(settings, DataDir.create(data_dir).settings_file)


@pytest.fixture
def running_app(
    bundle_dir: Path, bundle_env: EnvFactory, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    _write_loopback_settings(tmp_path / "data")
    port = _free_port()
    process = subprocess.Popen(
        [
            str(bundle_dir / "xeapp"),
            "run",
            "--browser",
            "--no-show",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=bundle_env(tmp_path / "data"),
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            _stop(process)


def test_bundle_run_serves_ui(running_app: tuple[subprocess.Popen[str], str]) -> None:
    process, base_url = running_app

    status, page = _wait_for_http(process, f"{base_url}/")
    schema_status, schema = _get(f"{base_url}/openapi.json")
    exit_status = _stop(process)
    output = _read_output(process)

    assert status == 200
    assert "xeapp" in page
    assert schema_status == 200
    assert json.loads(schema)["paths"]
    # uvicorn re-raises SIGTERM after its clean shutdown, so -SIGTERM is a clean exit too.
    assert exit_status in (0, -signal.SIGTERM), output
    assert "Traceback" not in output


@pytest.fixture
def bundle_lab(
    bundle_dir: Path, bundle_env: EnvFactory, tmp_path: Path
) -> Iterator[tuple[Path, str]]:
    """Start two lab devices from the bundle, the second with NETCONF off.

    Yields the inventory CSV and the address of the device without NETCONF.
    """
    # A random 127.x network keeps this lab apart from labs other tests start.
    base = f"127.{random.randint(100, 250)}.{random.randint(0, 250)}.10"
    ssh_only = base.rsplit(".", 1)[0] + ".11"
    inventory = tmp_path / "lab.csv"
    process = subprocess.Popen(
        [
            str(bundle_dir / "xeapp"),
            "lab",
            "--profile",
            "c9300-stack3",
            "--profile",
            "c9200l",
            "--base",
            base,
            "--ssh-port",
            "0",
            "--netconf-port",
            "0",
            "--fault",
            f"{ssh_only}=netconf_disabled",
            "--inventory-out",
            str(inventory),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=bundle_env(tmp_path / "lab-data"),
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not inventory.exists() and time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the lab exited with {process.returncode}:\n{_read_output(process)}")
            time.sleep(0.2)
        assert inventory.exists(), f"the lab wrote no inventory within {START_TIMEOUT_S} s"
        yield inventory, ssh_only
    finally:
        _stop(process)


def test_bundle_discovers_lab(
    bundle_dir: Path, bundle_env: EnvFactory, bundle_lab: tuple[Path, str], tmp_path: Path
) -> None:
    # NETCONF reads need ncclient's device handlers; the SSH fallback needs netmiko and the
    # TextFSM templates, so both paths check what the spec collects.
    inventory, ssh_only = bundle_lab
    env = bundle_env(tmp_path / "data", XEAPP_USERNAME="admin", XEAPP_PASSWORD="admin")

    result = subprocess.run(
        [str(bundle_dir / "xeapp"), "discover", "--csv", str(inventory), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    devices = {device["ip_address"]: device for device in json.loads(result.stdout)}
    assert len(devices) == 2, result.stdout
    ssh_device = devices.pop(ssh_only)
    (netconf_device,) = devices.values()
    assert netconf_device["status"] == "Online"
    assert netconf_device["source"] == "netconf"
    assert ssh_device["status"] == "Online"
    assert ssh_device["source"] == "ssh"
    assert "Traceback" not in result.stderr
