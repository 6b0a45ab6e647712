"""A device captured from real outputs: a profile's verbatim outputs come back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xeapp.lab.profiles import load_profile

DATA = Path(__file__).parents[1] / "data"
EXAMPLE = Path(__file__).parents[2] / "xeapp" / "lab" / "profiles" / "examples"

# Real C9300 stack outputs from tests/data, one file per command.
CAPTURED = {
    "show version": "show_version/c9300-24p_17.6_bundle.txt",
    "show boot": "show_boot/c9300-stack_install_packages.conf.txt",
    "show romvar": "show_romvar/c9300-24t_active-switch_install-reload.txt",
    "show install summary": "show_install/stack3_17.15.03_member3-uncommitted.txt",
    "show file systems": "filesystems/show_file_systems__c9300-stack3.txt",
    "show switch": "show_switch/c9300-stack_provisioned-members.txt",
    "dir flash:": "filesystems/dir__c3850_flash.txt",
}


def expected_output(raw: bytes) -> str:
    """Return what netmiko's send_command yields for `raw` served verbatim.

    The terminal sends CRLF, which netmiko turns back into LF. netmiko strips the prompt line
    together with the newline before it, which the lab adds when the capture lacks one.
    """
    text = raw.decode("utf-8").replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


@pytest.fixture
def captured_profile(tmp_path: Path) -> Path:
    """Write a C9300 stack profile whose outputs are files from tests/data, plus one inline."""
    data = yaml.safe_load((EXAMPLE / "c9300-captured.yaml").read_text(encoding="utf-8"))
    data["hostname"] = "LAB-9300-Stack-1"
    captures = tmp_path / "captures"
    captures.mkdir()
    verbatim: dict[str, object] = {}
    for command, name in CAPTURED.items():
        copy = captures / Path(name).name
        copy.write_bytes((DATA / name).read_bytes())
        verbatim[command] = {"file": f"captures/{copy.name}"}
    verbatim["show inventory"] = 'NAME: "c93xx Stack", DESCR: "c93xx Stack"\nPID: C9300-24T\n'
    data["verbatim_cli"] = verbatim
    path = tmp_path / "captured.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_file_outputs_served_unchanged(make_lab, connect, captured_profile: Path) -> None:
    lab = make_lab(str(captured_profile))
    with connect(lab.devices[0]) as conn:
        outputs = {command: conn.send_command(command) for command in CAPTURED}
    for command, name in CAPTURED.items():
        expected = expected_output((DATA / name).read_bytes())
        assert outputs[command] == expected, command


def test_inline_output_and_abbreviation(make_lab, connect, captured_profile: Path) -> None:
    lab = make_lab(str(captured_profile))
    with connect(lab.devices[0]) as conn:
        inventory = conn.send_command("show inventory")
        abbreviated = conn.send_command("sh inv")
    assert inventory == 'NAME: "c93xx Stack", DESCR: "c93xx Stack"\nPID: C9300-24T'
    assert abbreviated == inventory


def test_commands_without_capture_rendered(make_lab, connect, captured_profile: Path) -> None:
    lab = make_lab(str(captured_profile))
    device = lab.devices[0]
    with connect(device) as conn:
        listing = conn.send_command("dir flash-1:")
        running = conn.send_command("show running-config | include hostname")
    assert "Directory of flash-1:/" in listing
    assert "packages.conf" in listing
    assert running.strip() == "hostname LAB-9300-Stack-1"


def test_shipped_example_profile(make_lab, connect) -> None:
    path = EXAMPLE / "c9300-captured.yaml"
    inline = load_profile(path)["verbatim_cli"]["show romvar"]
    lab = make_lab(str(path))
    with connect(lab.devices[0]) as conn:
        romvar = conn.send_command("show romvar")
        prompt = conn.find_prompt()
    assert romvar == expected_output(inline.encode())
    assert prompt == "c9300-captured#"
