"""CLI commands that write, sent through a running `xeapp demo` instead of taking the lock."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from xeapp.api import ENDPOINT_FILE, TOKEN_FILE
from xeapp.demo import LAB_INVENTORY_FILE

STARTUP_TIMEOUT_S = 60.0
JOB_TIMEOUT_S = 90.0
VIA_APP = "through its local API"

# A fleet base away from the demo's default, so a demo started by another test can run too.
LAB_BASE = "127.0.5.10"
# Demo fleet devices (xeapp/lab/fleet.py) by hostname, and the demo image each one takes.
# Each test upgrades its own device, so no test depends on another's upgrade.
STACK = "demo-stack-healthy"
NO_NETCONF = "demo-c9200l-noconf"
ROUTER = "demo-isr4451"
C8300 = "demo-c8300"
C8000V = "demo-c8000v"
UNDER_2G = "demo-c9500-under2g"
IMAGES = {
    STACK: "cat9k_iosxe.17.12.04.SPA.bin",
    ROUTER: "isr4400-universalk9.17.12.04.SPA.bin",
    C8300: "c8000be-universalk9.17.12.04.SPA.bin",
    C8000V: "c8000v-universalk9.17.12.04.SPA.bin",
    UNDER_2G: "cat9k_iosxe.17.12.04.SPA.bin",
}
FAR_FUTURE = "2099-01-01T00:00+00:00"


@dataclass
class DemoApp:
    root: Path  # the demo's data directory, which the CLI commands name
    pid: int
    env: dict[str, str]
    addresses: dict[str, str]  # device address by hostname

    def address(self, hostname: str) -> str:
        return self.addresses[hostname]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_environment(data: Path) -> dict[str, str]:
    """No OS keyring, no developer XEAPP_* variables, and no pytest marker for NiceGUI."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XEAPP_") and k != "PYTEST_CURRENT_TEST"
    }
    env["XEAPP_DATA_DIR"] = str(data)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def xeapp(
    root: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xeapp", "--data-dir", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def wait_for_endpoint(root: Path, process: subprocess.Popen[str]) -> int:
    """Wait until the demo wrote its endpoint file; returns the app's PID."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the demo did not write its api-endpoint file"
        try:
            return int(json.loads((root / ENDPOINT_FILE).read_text())["pid"])
        except (FileNotFoundError, ValueError, KeyError):
            time.sleep(0.2)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    """`xeapp demo` in a subprocess, UI and image server on free loopback ports."""
    data = tmp_path_factory.mktemp("via-app") / "data"
    env = cli_environment(data)
    command = [
        sys.executable, "-m", "xeapp", "--data-dir", str(data), "demo", "--browser",
        "--no-show", "--port", str(free_port()), "--image-port", str(free_port()),
        "--reload-seconds", "1", "--lab-base", LAB_BASE,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        root = data / "demo"
        pid = wait_for_endpoint(root, process)
        with (root / LAB_INVENTORY_FILE).open(newline="") as inventory:
            addresses = {row["hostname"]: row["ip"] for row in csv.DictReader(inventory)}
        yield DemoApp(root, pid, env, addresses)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)


def run(app: DemoApp, *args: str) -> subprocess.CompletedProcess[str]:
    return xeapp(app.root, app.env, *args)


def json_of(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def precheck(app: DemoApp, device: str) -> None:
    result = run(app, "precheck", app.address(device), "--image", IMAGES[device], "--ack-warnings")
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def job_status(app: DemoApp, job_id: str) -> str | None:
    jobs = json_of(run(app, "jobs", "--json"))
    return next((job["status"] for job in jobs if job["job_id"] == job_id), None)


def schedule_far_ahead(app: DemoApp, device: str) -> str:
    precheck(app, device)
    jobs = json_of(
        run(
            app,
            "upgrade",
            app.address(device),
            "--image",
            IMAGES[device],
            "--at",
            FAR_FUTURE,
            "--json",
        )
    )
    return str(jobs[0]["job_id"])


def test_discover_through_app(demo: DemoApp) -> None:
    result = run(demo, "discover", demo.address(STACK), "--json")

    records = json_of(result)
    assert VIA_APP in result.stderr
    assert f"process {demo.pid}" in result.stderr
    assert [r["hostname"] for r in records] == ["demo-stack-healthy"]
    assert records[0]["status"] == "Online"
    assert len(records[0]["members"]) == 3


def test_discover_text_through_app(demo: DemoApp) -> None:
    result = run(demo, "discover", demo.address(STACK))

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(f"{demo.address(STACK)}  demo-stack-healthy  C9300-48P  Switch")


def test_netconf_enable_through_app(demo: DemoApp) -> None:
    result = run(demo, "netconf", "enable", demo.address(NO_NETCONF), "--json")

    results = json_of(result)
    assert VIA_APP in result.stderr
    assert results[0]["ip_address"] == demo.address(NO_NETCONF)
    assert results[0]["confirmed"] is True
    assert results[0]["netconf_state"] == "Enabled"


def test_repo_add_through_app(demo: DemoApp, tmp_path: Path) -> None:
    image = tmp_path / "cat9k_iosxe.17.15.03.SPA.bin"
    image.write_bytes(os.urandom(100_000))

    result = run(demo, "repo", "add", str(image), "--json")

    records = json_of(result)
    assert VIA_APP in result.stderr
    assert records[0]["filename"] == image.name
    assert (demo.root / "repo" / image.name).read_bytes() == image.read_bytes()
    listed = json_of(run(demo, "repo", "list", "--json"))
    assert image.name in [r["filename"] for r in listed]


def test_repo_verify_unknown_image(demo: DemoApp) -> None:
    result = run(demo, "repo", "verify", "cat9k_iosxe.17.1.1.SPA.bin")

    assert result.returncode == 2
    assert "cat9k_iosxe.17.1.1.SPA.bin" in result.stderr


def test_precheck_through_app(demo: DemoApp, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"

    result = run(
        demo,
        "precheck",
        demo.address(C8300),
        "--image",
        IMAGES[C8300],
        "--json",
        "--csv-report",
        str(report),
    )

    devices = json_of(result)
    assert VIA_APP in result.stderr
    assert devices[0]["ip_address"] == demo.address(C8300)
    assert devices[0]["image"] == IMAGES[C8300]
    assert devices[0]["ready"] is True
    assert report.read_text().startswith("ip_address,image,ready")


def test_upgrade_hands_jobs_to_app(demo: DemoApp) -> None:
    precheck(demo, STACK)

    result = run(demo, "upgrade", demo.address(STACK), "--image", IMAGES[STACK], "--json")

    jobs = json_of(result)
    assert VIA_APP in result.stderr
    assert [job["target_ip"] for job in jobs] == [demo.address(STACK)]
    assert jobs[0]["status"] in ("Pending", "Running")
    deadline = time.monotonic() + JOB_TIMEOUT_S
    status = job_status(demo, jobs[0]["job_id"])
    while status in ("Pending", "Running") and time.monotonic() < deadline:
        time.sleep(1)
        status = job_status(demo, jobs[0]["job_id"])
    assert status == "Success"


def test_upgrade_wait_follows_app(demo: DemoApp) -> None:
    precheck(demo, ROUTER)

    result = run(
        demo, "upgrade", demo.address(ROUTER), "--image", IMAGES[ROUTER], "--wait", "--json"
    )

    records = json_of(result)
    assert VIA_APP in result.stderr
    assert records[0]["status"] == "Success"
    assert records[0]["to_version"]
    assert f"{demo.address(ROUTER)} {records[0]['job_id']}: " in result.stderr
    assert "job Success" in result.stderr


def test_upgrade_rejects_local_options(demo: DemoApp) -> None:
    result = run(
        demo, "upgrade", demo.address(STACK), "--image", IMAGES[STACK], "--reload-timeout", "5"
    )

    assert result.returncode == 2
    assert "--reload-timeout" in result.stderr
    assert f"process {demo.pid}" in result.stderr


def test_upgrade_ack_warnings_through_app(demo: DemoApp) -> None:
    checked = run(demo, "precheck", demo.address(UNDER_2G), "--image", IMAGES[UNDER_2G])
    assert checked.returncode == 0, checked.stdout + checked.stderr[-2000:]
    argv = ["upgrade", demo.address(UNDER_2G), "--image", IMAGES[UNDER_2G], "--at", FAR_FUTURE]

    refused = run(demo, *argv)
    accepted = run(demo, *argv, "--ack-warnings", "--source-interface", "Vlan10", "--json")

    assert refused.returncode == 2
    assert "warnings are not acknowledged" in refused.stderr
    job = json_of(accepted)[0]
    assert job["acknowledge_warnings"] is True
    assert job["source_interface"] == "Vlan10"
    assert run(demo, "jobs", "cancel", job["job_id"]).returncode == 0


def test_jobs_cancel_through_app(demo: DemoApp) -> None:
    job_id = schedule_far_ahead(demo, C8300)

    result = run(demo, "jobs", "cancel", job_id)

    assert result.returncode == 0, result.stderr[-3000:]
    assert VIA_APP in result.stderr
    assert f"job {job_id} Cancelled" in result.stderr
    assert job_status(demo, job_id) == "Cancelled"


def test_jobs_clear_through_app(demo: DemoApp) -> None:
    job_id = schedule_far_ahead(demo, C8000V)
    assert run(demo, "jobs", "cancel", job_id).returncode == 0

    cleared_one = run(demo, "jobs", "clear", job_id)
    cleared_all = run(demo, "jobs", "clear", "--all")

    assert cleared_one.returncode == 0, cleared_one.stderr[-3000:]
    assert VIA_APP in cleared_one.stderr
    assert job_status(demo, job_id) is None
    assert cleared_all.returncode == 0, cleared_all.stderr[-3000:]
    assert "finished jobs" in cleared_all.stderr


def test_wrong_token_is_rejected(demo: DemoApp) -> None:
    token_file = demo.root / TOKEN_FILE
    token = token_file.read_text()
    token_file.write_text("not-the-token\n")
    try:
        result = run(demo, "jobs", "clear", "--all")
    finally:
        token_file.write_text(token)

    assert result.returncode == 1
    assert "rejected the API token" in result.stderr
    assert str(token_file) in result.stderr


def test_stale_endpoint_falls_back(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    endpoint = {"host": "127.0.0.1", "port": free_port(), "pid": dead.pid}
    (root / ENDPOINT_FILE).write_text(json.dumps(endpoint))
    image = tmp_path / "cat9k_iosxe.17.15.03.SPA.bin"
    image.write_bytes(os.urandom(10_000))
    env = cli_environment(root)

    added = xeapp(root, env, "repo", "add", str(image), "--json")
    upgrade = xeapp(root, env, "upgrade", LAB_BASE, "--image", image.name)

    assert added.returncode == 0, added.stderr[-3000:]
    assert VIA_APP not in added.stderr
    assert json.loads(added.stdout)[0]["filename"] == image.name
    assert upgrade.returncode == 2
    assert "no xeapp app is running" in upgrade.stderr


def test_credentials_through_app(demo: DemoApp) -> None:
    # A device outside the demo fleet, so the fleet's logins stay as they are.
    device = "127.0.0.99"
    set_args = ["credentials", "set", "--device", device, "--username", "ops"]

    stored = subprocess.run(
        [
            sys.executable,
            "-m",
            "xeapp",
            "--data-dir",
            str(demo.root),
            *set_args,
            "--password-stdin",
        ],
        input="override-pw-7\n",
        capture_output=True,
        text=True,
        env=demo.env,
        timeout=60,
        check=False,
    )
    shown = json_of(run(demo, "credentials", "show", "--device", device, "--json"))
    cleared = run(demo, "credentials", "clear", "--device", device)

    assert stored.returncode == 0, stored.stderr[-3000:]
    assert VIA_APP in stored.stderr
    assert "override-pw-7" not in stored.stderr
    assert shown["credentials"][0]["username"] == "ops"
    assert shown["credentials"][0]["password_set"] is True
    assert cleared.returncode == 0, cleared.stderr[-3000:]
    assert VIA_APP in cleared.stderr
