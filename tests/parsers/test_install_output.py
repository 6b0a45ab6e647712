"""Tests for the install command output classifier on every real transcript."""

from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers.install_output import (
    FailureKind,
    InstallOutcome,
    classify_install_output,
)

FILES = data_files("transcripts")

S, F, N = InstallOutcome.SUCCESS, InstallOutcome.FAILED, InstallOutcome.INCOMPLETE

# file stem prefix: (outcome, operation, failure kind)
EXPECTED = {
    "c8000v_17.15.01a_install-one-shot": (S, "install_add_activate_commit", None),
    "c8000v_17.7.01a_install-one-shot": (N, None, None),
    "c9200-lite_17.9.6a": (S, "install_add_activate_commit", None),
    "c9300-stack3_install-commit": (S, "install_commit", None),
    "c9300-stack3_install-remove-inactive": (S, "install_remove", None),
    "c9300-stack3_smu_install-abort": (S, "install_abort", None),
    "c9300-stack3_smu_install-activate": (S, "install_activate", None),
    "c9300-stack3_smu_install-add": (S, "install_add", None),
    "c9300-stack3_smu_install-one-shot": (S, "install_add_activate_commit", None),
    "c9300l_16.12-to-17.3.1": (S, "install_add_activate_commit", None),
    "c9300l_16.12.2_install-remove-inactive": (S, "install_remove", None),
    "c9300l_17.3.1_console-during-install": (N, None, None),
    "c9300l_17.3.1_console-reboot": (N, None, None),
    "c9k_16.12.03_tftp-copy": (N, None, None),
    "cat9k-HA_install-one-shot_FAILED": (F, "install_abort", FailureKind.CONFIG_NOT_SAVED),
    "isr4321_bundle_boot-system-change": (N, None, None),
    "isr4321_copy-ftp": (N, None, None),
    "isr4321_upgrade-rom-monitor": (N, None, None),
    "vg410_17.12.1a_bundle-to-install": (S, "install_add_activate_commit", None),
    "vg410_17.12_install-abort": (S, "install_abort", None),
}


def _expected(path: Path) -> tuple[InstallOutcome, str | None, FailureKind | None]:
    matches = [value for prefix, value in EXPECTED.items() if path.stem.startswith(prefix)]
    assert len(matches) == 1, f"no single expectation for {path.name}"
    return matches[0]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem[:50])
def test_real_transcript(path: Path) -> None:
    outcome, operation, kind = _expected(path)
    result = classify_install_output(read(path))
    assert result.outcome is outcome
    assert result.operation == operation
    assert result.failure_kind is kind


def test_smu_already_added_on_success() -> None:
    result = classify_install_output(read(data_files("transcripts", "*already-added*")[0]))
    assert result.already_added


def test_member_failures_listed() -> None:
    result = classify_install_output(read(data_files("transcripts", "cat9k-HA*")[0]))
    assert [failure.location for failure in result.member_failures] == ["R0", "R1"]
    assert "ISSU in progress" in result.member_failures[1].reason


def test_bundle_mode_add_then_one_shot() -> None:
    result = classify_install_output(read(data_files("transcripts", "vg410_17.12.1a*")[0]))
    assert result.member_failures[0].reason.startswith("Booted in bundle mode")


def test_bundle_mode_failure_kind() -> None:
    text = (
        "install_add: START Fri Sep 22 16:05:29 UTC 2023\n"
        " [1]  R0 FAILED: Booted in bundle mode. For Bundle-to-Install mode conversion, "
        "please use one-shot CLI - install add file <> activate commit\n"
        "FAILED: install_add /bootflash/vg4x0-universalk9.17.12.01a.SPA.bin Fri Sep 22 2023\n"
    )
    result = classify_install_output(text)
    assert result.failure_kind is FailureKind.BUNDLE_MODE


def test_reload_announced() -> None:
    result = classify_install_output(read(data_files("transcripts", "c9300l_16.12-to-17.3.1*")[0]))
    assert result.reload_started


def test_super_package_already_added() -> None:
    text = (
        "install_add: START Mon Jun  2 21:57:01 UTC 2025\n"
        "install_add: Adding PACKAGE\n"
        "FAILED: install_add : Super package already added. Add operation not allowed. "
        "'install remove inactive' can be used to discard added packages\n"
    )
    result = classify_install_output(text)
    assert result.failure_kind is FailureKind.ALREADY_ADDED
    assert result.reason is not None
    assert result.reason.startswith("Super package already added")


# No real transcript of a space failure was found; these lines follow the device's
# "FAILED: <operation> : <reason>" layout with two plausible wordings.
@pytest.mark.parametrize(
    ("line", "required", "available"),
    [
        (
            "FAILED: install_add : Not enough space on flash-2: 1843200 KB required, "
            "1024000 KB available",
            1843200,
            1024000,
        ),
        (
            "FAILED: install_add_activate_commit : Insufficient disk space, available "
            "512000 KB, needed 900000 KB",
            900000,
            512000,
        ),
    ],
)
def test_not_enough_space(line: str, required: int, available: int) -> None:
    result = classify_install_output("install_add: START\n" + line + "\n")
    assert result.failure_kind is FailureKind.NOT_ENOUGH_SPACE
    assert result.required_kb == required
    assert result.available_kb == available


def test_other_failure_verbatim() -> None:
    reason = "Improper State./flash/x.bin not present. Please restore file for stability."
    result = classify_install_output(f"FAILED: install_add : {reason}\n")
    assert result.failure_kind is FailureKind.OTHER
    assert result.reason == reason


def test_crlf_and_prompt() -> None:
    text = "install_commit: START\r\nSUCCESS: install_commit Sun Aug 07\r\nsw1#"
    assert classify_install_output(text).outcome is InstallOutcome.SUCCESS


def test_empty_output_incomplete() -> None:
    assert classify_install_output("").outcome is InstallOutcome.INCOMPLETE
