"""`xeapp upgrade --wait` and `xeapp jobs` against lab devices, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from labjobs import BUNDLE_IMAGE, ROUTER_IMAGE, STACK_IMAGE, image_bytes

from xeapp.cli import main
from xeapp.datadir import DataDir
from xeapp.lab import Lab, start_lab
from xeapp.repository import Repository
from xeapp.store import Store
from xeapp.versions import parse_version

UPGRADES = [
    ("c9300-stack3", STACK_IMAGE, "17.12.4"),
    ("c3850-stack", BUNDLE_IMAGE, "16.12.11"),
    ("isr4451-x", ROUTER_IMAGE, "17.12.4"),
]


@pytest.fixture
def cli_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reset_logging: None
) -> tuple[Path, Lab]:
    """A data directory holding the three images, and a lab discovered into it."""
    monkeypatch.setenv("XEAPP_USERNAME", "admin")
    monkeypatch.setenv("XEAPP_PASSWORD", "admin")
    root = tmp_path / "data"
    data_dir = DataDir.create(root)
    with Store(data_dir.db_dir) as store:
        repository = Repository(data_dir.repo_dir, store)
        for name in (STACK_IMAGE, ROUTER_IMAGE, BUNDLE_IMAGE):
            source = tmp_path / name
            source.write_bytes(image_bytes(name))
            repository.add_file(source)
    lab = start_lab(
        profiles=[profile for profile, _, _ in UPGRADES],
        base="127.0.0.60",
        reload_seconds=0.5,
        netconf_start_seconds=0.2,
    )
    for device in lab.devices:
        status = main(
            [
                "--data-dir", str(root), "discover", device.ip,
                "--ssh-port", str(device.ssh_port), "--netconf-port", str(device.netconf_port),
            ]
        )  # fmt: skip
        assert status == 0
    yield root, lab
    lab.stop()


def same_version(text: str | None, expected: str) -> bool:
    return text is not None and parse_version(text).release == parse_version(expected)


def upgrade(root: Path, *args: str) -> int:
    return main(
        ["--data-dir", str(root), "upgrade", *args, "--wait", "--serve-bind", "127.0.0.1",
         "--serve-port", "0", "--poll-interval", "0.1", "--reload-timeout", "30"]
    )  # fmt: skip


@pytest.mark.parametrize(("profile", "image", "version"), UPGRADES)
def test_upgrade_wait_reaches_target(
    cli_lab: tuple[Path, Lab],
    capsys: pytest.CaptureFixture[str],
    profile: str,
    image: str,
    version: str,
) -> None:
    root, lab = cli_lab
    device = next(d for d in lab.devices if d.device.profile == profile)

    status = upgrade(root, device.ip, "--image", image, "--json")
    captured = capsys.readouterr()
    [result] = json.loads(captured.out)

    assert status == 0, result["reason"]
    assert result["status"] == "Success"
    assert same_version(result["to_version"], version)
    assert "step install: started" in captured.err

    assert main(["--data-dir", str(root), "discover", device.ip, "--json"]) == 0
    [facts] = json.loads(capsys.readouterr().out)
    assert same_version(facts["current_version"], version)
    for member in facts["members"]:
        assert same_version(member["version"] or facts["current_version"], version)
    assert facts["install_mode"] == "INSTALL"


def test_jobs_list_and_clear(cli_lab: tuple[Path, Lab], capsys: pytest.CaptureFixture[str]) -> None:
    root, lab = cli_lab
    router = next(d for d in lab.devices if d.device.profile == "isr4451-x")
    assert upgrade(root, router.ip, "--image", ROUTER_IMAGE) == 0
    capsys.readouterr()

    assert main(["--data-dir", str(root), "jobs", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)
    assert job["status"] == "Success"
    assert [step["step"] for step in job["steps"]][:2] == ["precheck", "backup"]

    assert main(["--data-dir", str(root), "jobs", "clear", job["job_id"]]) == 0
    assert main(["--data-dir", str(root), "jobs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_upgrade_without_wait_needs_app(cli_lab: tuple[Path, Lab]) -> None:
    root, lab = cli_lab
    status = main(["--data-dir", str(root), "upgrade", lab.devices[0].ip, "--image", STACK_IMAGE])
    assert status == 2
