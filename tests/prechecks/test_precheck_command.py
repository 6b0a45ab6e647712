"""`xeapp precheck` against lab devices: exit statuses, the JSON shape and the reports."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from precheck_helpers import IMAGES, UNVERIFIED_IMAGE, fill_repository

from xeapp.lab import Lab
from xeapp.store import Store

CAT9K = IMAGES["cat9k"]


CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def _prepare(data_dir: Path, lab: Lab, cli_env: Any) -> dict[str, str]:
    """Store the lab devices with their ports and the images; return the CLI environment."""
    with Store(data_dir / "db", flush_delay_s=0.01) as store:
        fill_repository(data_dir, store)
        for device in lab.devices:
            store.upsert_device(
                {
                    "ip_address": device.ip,
                    "ssh_port": device.ssh_port,
                    "netconf_port": device.netconf_port,
                }
            )
    env: dict[str, str] = cli_env(data_dir, XEAPP_USERNAME="admin", XEAPP_PASSWORD="admin")
    return env


def test_ready_device_exits_zero(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    result = run_cli(data_dir, "precheck", lab.devices[0].ip, "--image", CAT9K, "--json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert len(document) == 1
    device = document[0]
    assert set(device) >= {"ip_address", "image", "ready", "checks"}
    assert device["ip_address"] == lab.devices[0].ip
    assert device["image"] == CAT9K
    assert device["ready"] is True
    assert [set(c) for c in device["checks"]] == [{"check_name", "result", "message"}] * 10
    assert {c["result"] for c in device["checks"]} == {"Pass"}


def test_fail_exits_one(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"}, {"profile": "c9500", "flash_free": {1: 500_000_000}})
    env = _prepare(data_dir, lab, cli_env)
    hosts = [device.ip for device in lab.devices]
    result = run_cli(data_dir, "precheck", *hosts, "--image", CAT9K, "--json", env=env)
    assert result.returncode == 1, result.stderr
    ready = {d["ip_address"]: d["ready"] for d in json.loads(result.stdout)}
    assert ready == {hosts[0]: True, hosts[1]: False}


def test_unknown_image_exits_two(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    missing = "cat9k_iosxe.17.99.01.SPA.bin"
    result = run_cli(data_dir, "precheck", lab.devices[0].ip, "--image", missing, env=env)
    assert result.returncode == 2
    assert f"image {missing} not found in the repository" in result.stderr


def test_unknown_host_exits_two(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    result = run_cli(data_dir, "precheck", "127.0.6.253", "--image", CAT9K, env=env)
    assert result.returncode == 2
    assert "device 127.0.6.253 not found in the inventory" in result.stderr


def test_ports_allow_unknown_host(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    device = lab.devices[0]
    with Store(data_dir / "db") as store:
        store.remove_device(device.ip)
    result = run_cli(
        data_dir,
        "precheck",
        device.ip,
        "--image",
        CAT9K,
        "--ssh-port",
        str(device.ssh_port),
        "--netconf-port",
        str(device.netconf_port),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert f"{device.ip}  {CAT9K}  READY" in result.stdout


def test_ack_warnings_stored(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    host = lab.devices[0].ip
    args = ("precheck", host, "--image", UNVERIFIED_IMAGE, "--ack-warnings", "--json")
    result = run_cli(data_dir, *args, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["acknowledged"] is True
    with Store(data_dir / "db", read_only=True) as store:
        records = store.list_prechecks(host)
    assert len(records) == 10
    assert all(record["acknowledged"] for record in records)
    assert {record["image"] for record in records} == {UNVERIFIED_IMAGE}


def test_reports_written(
    single_lab: Callable[..., Lab], data_dir: Path, tmp_path: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    env = _prepare(data_dir, lab, cli_env)
    csv_path, html_path = tmp_path / "results.csv", tmp_path / "results.html"
    result = run_cli(
        data_dir,
        "precheck",
        lab.devices[0].ip,
        "--image",
        CAT9K,
        "--csv-report",
        str(csv_path),
        "--html-report",
        str(html_path),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert len(csv_path.read_text(encoding="utf-8").splitlines()) == 11
    assert "10 Pass, 0 Warn, 0 Fail" in html_path.read_text(encoding="utf-8")
