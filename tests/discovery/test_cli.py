"""The discover and netconf commands, run in-process against a lab over real sessions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.cli import main
from xeapp.lab import Lab, start_lab

CLI_BASE = "127.0.4.120"
UNUSED_ADDRESS = "127.0.4.250"  # nothing listens here


@pytest.fixture(scope="module")
def small_lab() -> Iterator[Lab]:
    specs = [
        {"profile": "c9300-stack3", "hostname": "cli-stack"},
        {"profile": "c9200l", "hostname": "cli-noconf", "faults": {"netconf_disabled": {}}},
    ]
    with start_lab(profiles=specs, base=CLI_BASE, netconf_start_seconds=1.0) as lab:
        yield lab


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XEAPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XEAPP_USERNAME", "admin")
    monkeypatch.setenv("XEAPP_PASSWORD", "admin")
    return tmp_path / "data"


def test_discover_csv_json(
    small_lab: Lab, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "lab.csv"
    small_lab.write_inventory(inventory)
    status = main(["discover", "--csv", str(inventory), "--json"])
    records = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [r["hostname"] for r in records] == ["cli-stack", "cli-noconf"]
    stack = records[0]
    for key in ("ip_address", "serial_number", "pid", "device_role", "current_version"):
        assert stack[key], key
    assert stack["rommon_version"]
    assert stack["status"] == "Online"
    assert stack["netconf_state"] == "Enabled"
    assert stack["filesystem"] == "flash:"
    assert [m["filesystem"] for m in stack["members"]] == ["flash-1:", "flash-2:", "flash-3:"]
    assert all(m["free_bytes"] > 0 for m in stack["members"])
    assert records[1]["netconf_state"] == "Disabled"


def test_discover_unused_address_exit_1(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["discover", UNUSED_ADDRESS, "--ssh-port", "2222", "--netconf-port", "8830"])
    output = capsys.readouterr().out
    assert status == 1
    assert "Offline" in output
    assert "connection refused" in output


def test_discover_large_block_needs_yes(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "127.1.0.0/16"]) == 2
    assert "--yes" in capsys.readouterr().err


def test_discover_reports_invalid_entries(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", "127.0.0.999"]) == 2
    assert "not an IP address" in capsys.readouterr().err


def test_netconf_enable_then_discover(
    small_lab: Lab, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = small_lab.device("cli-noconf")
    main(
        [
            "discover",
            device.ip,
            "--ssh-port",
            str(device.ssh_port),
            "--netconf-port",
            str(device.netconf_port),
        ]
    )
    capsys.readouterr()

    # The stored ports are used: the command line names the address alone.
    assert main(["netconf", "enable", device.ip, "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["confirmed"]

    assert main(["discover", device.ip, "--json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["source"] == "netconf"
    assert record["netconf_state"] == "Enabled"
