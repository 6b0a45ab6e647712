"""POST /api/prechecks/{ip}/remove-inactive on a `xeapp run` subprocess, and the CLI through it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from xeapp.api import ENDPOINT_FILE, TOKEN_FILE
from xeapp.credentials import Credentials, CredentialStore
from xeapp.demo import write_demo_image
from xeapp.lab import Lab, LabDevice, start_lab
from xeapp.lab.state import LabFile
from xeapp.repository import Repository
from xeapp.store import Store

STARTUP_TIMEOUT_S = 60.0
# A loopback block of its own, apart from the other test modules' labs.
LAB_BASE = "127.0.8.10"
IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"
VIA_APP = "through its local API"


@dataclass
class RunningApp:
    root: Path
    port: int
    token: str
    env: dict[str, str]
    lab: Lab

    def device(self, hostname: str) -> LabDevice:
        return self.lab.device(hostname)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def crowd_flash(device: LabDevice) -> None:
    """Put an unused 1.5 GB image on the flash of stack member 2."""
    with device.device.lock:
        member = device.device.members[1]
        member.filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_500_000_000, "")


def prepare(root: Path, lab: Lab, sources: Path) -> None:
    """Store the lab devices, the image and the lab credentials where `xeapp run` reads them."""
    root.mkdir(parents=True)
    settings = {"image_server_bind": "127.0.0.1", "image_server_port": free_port()}
    (root / "settings.json").write_text(json.dumps(settings))
    with Store(root / "db", flush_delay_s=0.01) as store:
        image = sources / IMAGE
        md5 = write_demo_image(image, 2 * 2**20)
        Repository(root / "repo", store).add_file(image, md5=md5)
        for device in lab.devices:
            store.upsert_device(
                {
                    "ip_address": device.ip,
                    "ssh_port": device.ssh_port,
                    "netconf_port": device.netconf_port,
                }
            )
    CredentialStore(root, keyring_backend=None).set(Credentials("admin", "admin"))


def app_environment(root: Path) -> dict[str, str]:
    """No OS keyring, no developer XEAPP_* variables, and no pytest marker for NiceGUI."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XEAPP_") and k != "PYTEST_CURRENT_TEST"
    }
    env["XEAPP_DATA_DIR"] = str(root)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def wait_until_serving(root: Path, port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the app did not start serving"
        if (root / ENDPOINT_FILE).exists():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    return
            except OSError:
                pass
        time.sleep(0.2)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`xeapp run` on loopback and a lab of two stacks whose member 2 has 0.8 GB free."""
    lab = start_lab(
        profiles=[
            {"profile": "c9300-stack3", "hostname": name, "flash_free": {2: 2_300_000_000}}
            for name in ("api-crowded", "cli-crowded")
        ],
        base=LAB_BASE,
    )
    process: subprocess.Popen[str] | None = None
    try:
        for device in lab.devices:
            crowd_flash(device)
        base = tmp_path_factory.mktemp("api-remedy")
        root = base / "data"
        prepare(root, lab, base)
        port = free_port()
        env = app_environment(root)
        process = subprocess.Popen(
            [sys.executable, "-m", "xeapp", "run", "--browser", "--no-show", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until_serving(root, port, process)
        token = (root / TOKEN_FILE).read_text().strip()
        yield RunningApp(root, port, token, env, lab)
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
        lab.stop()


def request(app: RunningApp, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {app.token}"}
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(
        f"http://127.0.0.1:{app.port}{path}", data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(call, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def disk_space(device: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in device["checks"] if c["check_name"] == "disk_space")


def test_remove_inactive_route_frees_flash(app: RunningApp) -> None:
    device = app.device("api-crowded")
    status, checked = request(
        app, "POST", "/api/prechecks", {"addresses": [device.ip], "image": IMAGE}
    )
    assert status == 200, checked
    assert disk_space(checked[0])["result"] == "Fail"

    status, remedy = request(
        app, "POST", f"/api/prechecks/{device.ip}/remove-inactive", {"image": IMAGE}
    )

    assert status == 200, remedy
    assert remedy["ip_address"] == device.ip
    assert remedy["files_deleted"] == 1
    assert remedy["output_tail"][-1].startswith("SUCCESS: install_remove")
    assert remedy["disk_space"]["check_name"] == "disk_space"
    assert remedy["disk_space"]["result"] == "Pass"
    assert remedy["prechecks"]["ready"] is True
    assert OLD_IMAGE not in device.device.members[1].filesystem.files
    status, stored = request(app, "GET", f"/api/prechecks?ip_address={device.ip}")
    assert status == 200
    assert disk_space(stored[0])["result"] == "Pass"
    assert len(stored[0]["checks"]) == 10


def test_remove_inactive_unknown_image_is_404(app: RunningApp) -> None:
    device = app.device("api-crowded")
    missing = "cat9k_iosxe.17.99.01.SPA.bin"

    status, body = request(
        app, "POST", f"/api/prechecks/{device.ip}/remove-inactive", {"image": missing}
    )

    assert status == 404
    assert missing in body["detail"]


def test_remove_inactive_unknown_device_is_400(app: RunningApp) -> None:
    status, body = request(
        app, "POST", "/api/prechecks/127.0.8.250/remove-inactive", {"image": IMAGE}
    )

    assert status == 400
    assert "127.0.8.250 is not in the inventory" in body["detail"]


def test_remove_inactive_unreachable_is_409(app: RunningApp) -> None:
    closed = free_port()
    body = {"image": IMAGE, "ssh_port": closed, "netconf_port": closed}

    status, error = request(app, "POST", "/api/prechecks/127.0.0.1/remove-inactive", body)

    assert status == 409
    assert error["detail"] == f"127.0.0.1: ssh connect: connection refused on port {closed}"


def test_cli_remove_inactive_through_app(app: RunningApp) -> None:
    device = app.device("cli-crowded")
    command = [sys.executable, "-m", "xeapp", "--data-dir", str(app.root), "precheck", device.ip]
    command += ["--image", IMAGE, "--remove-inactive", "--json"]

    result = subprocess.run(
        command, capture_output=True, text=True, env=app.env, timeout=300, check=False
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert VIA_APP in result.stderr
    assert f"{device.ip}: install remove inactive deleted 1 file" in result.stderr
    checked = json.loads(result.stdout)[0]
    assert disk_space(checked)["result"] == "Pass"
    assert checked["ready"] is True
    assert OLD_IMAGE not in device.device.members[1].filesystem.files
