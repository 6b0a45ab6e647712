"""`xeapp precheck --remove-inactive` without a running app: the remedy, then the rerun."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from precheck_helpers import IMAGES, LAB_PASSWORD, LAB_USERNAME, fill_repository

from xeapp.lab import Lab
from xeapp.lab.state import LabFile
from xeapp.store import Store

CAT9K = IMAGES["cat9k"]
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def crowded_stack(single_lab: Callable[..., Lab]) -> Lab:
    """Start a stack whose member 2 has 0.8 GB free because of an unused 1.5 GB image."""
    lab = single_lab({"profile": "c9300-stack3", "flash_free": {2: 2_300_000_000}})
    device = lab.devices[0].device
    with device.lock:
        device.members[1].filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_500_000_000, "")
    return lab


def prepare(data_dir: Path, lab: Lab, cli_env: Any) -> dict[str, str]:
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
    env: dict[str, str] = cli_env(
        data_dir, XEAPP_USERNAME=LAB_USERNAME, XEAPP_PASSWORD=LAB_PASSWORD
    )
    return env


def disk_space(device: dict[str, Any]) -> dict[str, str]:
    return next(c for c in device["checks"] if c["check_name"] == "disk_space")


def test_remove_inactive_turns_disk_space_pass(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = crowded_stack(single_lab)
    env = prepare(data_dir, lab, cli_env)
    host = lab.devices[0].ip

    before = run_cli(data_dir, "precheck", host, "--image", CAT9K, "--json", env=env)
    after = run_cli(
        data_dir, "precheck", host, "--image", CAT9K, "--remove-inactive", "--json", env=env
    )

    assert before.returncode == 1, before.stderr
    assert disk_space(json.loads(before.stdout)[0])["result"] == "Fail"
    assert after.returncode == 0, after.stderr
    device = json.loads(after.stdout)[0]
    assert disk_space(device)["result"] == "Pass"
    assert device["ready"] is True
    assert len(device["checks"]) == 10
    assert f"{host}: install remove inactive deleted 1 file; disk_space now Pass" in after.stderr
    assert OLD_IMAGE not in lab.devices[0].device.members[1].filesystem.files


def test_remove_inactive_skips_passing_devices(
    single_lab: Callable[..., Lab], data_dir: Path, run_cli: CliRunner, cli_env: Any
) -> None:
    lab = single_lab({"profile": "c9500"})
    device = lab.devices[0].device
    with device.lock:
        device.members[0].filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_000_000, "")
    env = prepare(data_dir, lab, cli_env)

    result = run_cli(
        data_dir, "precheck", lab.devices[0].ip, "--image", CAT9K, "--remove-inactive", env=env
    )

    assert result.returncode == 0, result.stderr
    assert "disk_space did not fail on any device" in result.stderr
    assert OLD_IMAGE in device.members[0].filesystem.files
