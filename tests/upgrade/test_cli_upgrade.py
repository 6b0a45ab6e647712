"""`xeapp upgrade --wait` and `xeapp jobs` against lab devices, run in-process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from labjobs import BUNDLE_IMAGE, BUNDLE_SPEC, ROUTER_IMAGE, STACK_IMAGE, add_images, image_bytes

from xeapp.cli import main
from xeapp.datadir import DataDir
from xeapp.lab import Lab, start_lab
from xeapp.repository import Repository
from xeapp.store import Store
from xeapp.versions import parse_version

# Lab device spec, image, target version, extra options. The bundle-mode device warns
# (bundle mode, under 2 GB free), so its upgrade accepts the warnings.
UPGRADES: list[tuple[dict[str, Any], str, str, list[str]]] = [
    ({"profile": "c9300-stack3"}, STACK_IMAGE, "17.12.4", []),
    (BUNDLE_SPEC, BUNDLE_IMAGE, "16.12.11", ["--ack-warnings"]),
    ({"profile": "isr4451-x"}, ROUTER_IMAGE, "17.12.4", []),
]
# Added without a published MD5, so the image_verified check warns.
UNVERIFIED_IMAGE = "cat9k_iosxe.17.12.03.SPA.bin"
# One device per other test of this module, so no test depends on another's upgrade.
OTHERS = [
    {"profile": "isr4451-x", "hostname": "router-jobs"},
    {"profile": "c9500", "hostname": "c9500-warn"},
]


@pytest.fixture(scope="module")
def cli_lab(
    tmp_path_factory: pytest.TempPathFactory, lab_login: None
) -> Iterator[tuple[Path, Lab]]:
    """A data directory holding the three images, and a lab discovered into it."""
    folder = tmp_path_factory.mktemp("cli")
    root = folder / "data"
    data_dir = DataDir.create(root)
    with Store(data_dir.db_dir) as store:
        repository = Repository(data_dir.repo_dir, store)
        add_images(repository, folder)
        unverified = folder / UNVERIFIED_IMAGE
        unverified.write_bytes(image_bytes(UNVERIFIED_IMAGE))
        repository.add_file(unverified)
    lab = start_lab(
        profiles=[spec for spec, _, _, _ in UPGRADES] + OTHERS,
        base="127.0.0.60",
        reload_seconds=0.5,
        netconf_start_seconds=0.2,
    )
    try:
        for device in lab.devices:
            status = main(
                [
                    "--data-dir", str(root), "discover", device.ip,
                    "--ssh-port", str(device.ssh_port), "--netconf-port", str(device.netconf_port),
                ]
            )  # fmt: skip
            assert status == 0
        yield root, lab
    finally:
        lab.stop()


def same_version(text: str | None, expected: str) -> bool:
    return text is not None and parse_version(text).release == parse_version(expected)


def upgrade(root: Path, *args: str) -> int:
    return main(
        ["--data-dir", str(root), "upgrade", *args, "--wait", "--serve-bind", "127.0.0.1",
         "--serve-port", "0", "--poll-interval", "0.1", "--reload-timeout", "30"]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("index", "image", "version", "options"),
    [(index, *case[1:]) for index, case in enumerate(UPGRADES)],
    ids=["c9300-stack3", "c3850-bundle", "isr4451-x"],
)
def test_upgrade_wait_reaches_target(
    cli_lab: tuple[Path, Lab],
    capsys: pytest.CaptureFixture[str],
    index: int,
    image: str,
    version: str,
    options: list[str],
) -> None:
    root, lab = cli_lab
    device = lab.devices[index]

    status = upgrade(root, device.ip, "--image", image, "--json", *options)
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


def test_upgrade_without_ack_stops_on_warning(
    cli_lab: tuple[Path, Lab], capsys: pytest.CaptureFixture[str]
) -> None:
    root, lab = cli_lab
    device = lab.device("c9500-warn")

    status = upgrade(root, device.ip, "--image", UNVERIFIED_IMAGE, "--json")
    [result] = json.loads(capsys.readouterr().out)

    assert status == 1
    assert result["status"] == "Failed"
    assert result["reason"].startswith("pre-check warnings not acknowledged: image_verified:")
    assert result["to_version"] is None


def test_jobs_list_and_clear(cli_lab: tuple[Path, Lab], capsys: pytest.CaptureFixture[str]) -> None:
    root, lab = cli_lab
    router = lab.device("router-jobs")
    assert upgrade(root, router.ip, "--image", ROUTER_IMAGE) == 0
    capsys.readouterr()

    assert main(["--data-dir", str(root), "jobs", "--json"]) == 0
    [job] = [j for j in json.loads(capsys.readouterr().out) if j["target_ip"] == router.ip]
    assert job["status"] == "Success"
    assert [step["step"] for step in job["steps"]][:2] == ["precheck", "backup"]

    assert main(["--data-dir", str(root), "jobs", "clear", job["job_id"]]) == 0
    assert main(["--data-dir", str(root), "jobs", "--json"]) == 0
    remaining = [j["job_id"] for j in json.loads(capsys.readouterr().out)]
    assert job["job_id"] not in remaining


def test_upgrade_without_wait_needs_app(cli_lab: tuple[Path, Lab]) -> None:
    root, lab = cli_lab
    status = main(["--data-dir", str(root), "upgrade", lab.devices[0].ip, "--image", STACK_IMAGE])
    assert status == 2


@pytest.mark.parametrize("minutes", ["29", "1201"])
def test_auto_abort_timer_out_of_range(
    cli_lab: tuple[Path, Lab], minutes: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, lab = cli_lab
    argv = ["--data-dir", str(root), "upgrade", lab.devices[0].ip, "--image", STACK_IMAGE]
    status = main([*argv, "--two-phase", "--auto-abort-timer", minutes, "--wait"])
    assert status == 2
    assert f"invalid --auto-abort-timer {minutes}" in capsys.readouterr().err
