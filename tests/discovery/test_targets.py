"""Tests of target parsing: addresses, ranges, CIDR blocks, CSV files and their problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from xeapp.errors import InvalidInputError
from xeapp.targets import (
    LargeTargetBlockError,
    Target,
    expand_entry,
    parse_csv_file,
    parse_csv_text,
    parse_targets,
)


def addresses(entries: list[str], **kwargs: object) -> list[str]:
    return [t.ip_address for t in parse_targets(entries, **kwargs).targets]  # type: ignore[arg-type]


def test_single_address() -> None:
    assert addresses(["127.0.0.5"]) == ["127.0.0.5"]


def test_full_range() -> None:
    assert addresses(["10.1.1.10-10.1.1.12"]) == ["10.1.1.10", "10.1.1.11", "10.1.1.12"]


def test_short_range_stays_in_its_24() -> None:
    assert addresses(["10.1.1.254-255"]) == ["10.1.1.254", "10.1.1.255"]


def test_range_across_octets() -> None:
    assert addresses(["10.1.1.255-10.1.2.1"]) == ["10.1.1.255", "10.1.2.0", "10.1.2.1"]


def test_cidr_excludes_network_and_broadcast() -> None:
    assert addresses(["10.1.1.0/30"]) == ["10.1.1.1", "10.1.1.2"]


def test_cidr_slash_32_is_one_address() -> None:
    assert addresses(["10.1.1.7/32"]) == ["10.1.1.7"]


def test_entries_split_on_commas_and_spaces() -> None:
    assert addresses(["127.0.0.1, 127.0.0.2 127.0.0.3"]) == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


def test_duplicates_collapse() -> None:
    assert addresses(["127.0.0.1", "127.0.0.1-2", "127.0.0.0/30"]) == ["127.0.0.1", "127.0.0.2"]


def test_same_ip_other_ports_are_two_devices() -> None:
    text = (
        "ip,ssh_port,netconf_port\n127.0.0.1,2201,8301\n127.0.0.1,2202,8302\n127.0.0.1,2201,8301\n"
    )
    result = parse_csv_text(text)
    assert [t.ssh_port for t in result.targets] == [2201, 2202]


def test_ports_and_username_apply() -> None:
    result = parse_targets(["127.0.0.9"], ssh_port=2222, netconf_port=8830, username="ops")
    assert result.targets == [Target("127.0.0.9", 2222, 8830, "ops")]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("10.1.1.300", "not an IP address"),
        ("switch-1", "not an IP address"),
        ("10.1.1.50-10", "before its start"),
        ("10.1.1.10-300", "not an octet"),
        ("10.1.1.5/24", "host bits are set"),
        ("10.1.1.0/33", "not a CIDR block"),
        ("10.1.1.1-::1", "mixes IPv4 and IPv6"),
    ],
)
def test_invalid_entry_reason(entry: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        expand_entry(entry)


def test_invalid_entries_reported_valid_ones_kept() -> None:
    result = parse_targets(["127.0.0.1", "127.0.0.999", "127.0.0.2"])
    assert [t.ip_address for t in result.targets] == ["127.0.0.1", "127.0.0.2"]
    assert len(result.problems) == 1
    assert result.problems[0].entry == "127.0.0.999"


def test_block_larger_than_22_needs_confirmation() -> None:
    with pytest.raises(LargeTargetBlockError) as caught:
        parse_targets(["10.0.0.0/21"])
    assert caught.value.entries == [("10.0.0.0/21", 2048)]


def test_large_range_needs_confirmation() -> None:
    with pytest.raises(LargeTargetBlockError):
        parse_targets(["10.0.0.0-10.0.8.0"])


def test_block_of_22_runs_without_confirmation() -> None:
    assert len(parse_targets(["10.0.0.0/22"]).targets) == 1022


def test_confirmed_large_block_expands() -> None:
    assert len(parse_targets(["10.0.0.0/21"], confirmed=True).targets) == 2046


@pytest.mark.parametrize("entry", ["10.0.0.0/8", "10.0.0.0-10.2.0.0", "2001:db8::/64"])
def test_entry_over_a_slash_16_rejected(entry: str) -> None:
    result = parse_targets([entry, "10.9.9.9"], confirmed=True)

    assert [t.ip_address for t in result.targets] == ["10.9.9.9"]
    assert "one entry may name at most 65,536" in result.problems[0].reason


def test_entry_over_the_limit_needs_no_confirmation() -> None:
    result = parse_targets(["10.0.0.0/8"])

    assert result.targets == []
    assert len(result.problems) == 1


def test_csv_needs_header() -> None:
    with pytest.raises(InvalidInputError, match="header"):
        parse_csv_text("127.0.0.1,22,830\n")


def test_csv_lab_inventory_file(tmp_path: Path) -> None:
    path = tmp_path / "lab.csv"
    path.write_text(
        "ip,ssh_port,netconf_port,username,hostname\n"
        "127.0.0.11,2222,8830,admin,C9300-STACK\n"
        "127.0.0.12,2222,8830,,C9200L\n",
        encoding="utf-8",
    )
    result = parse_csv_file(path)
    assert result.targets == [
        Target("127.0.0.11", 2222, 8830, "admin"),
        Target("127.0.0.12", 2222, 8830, None),
    ]
    assert result.problems == []


def test_csv_problems_carry_line_numbers() -> None:
    text = (
        "IP,SSH_PORT,NETCONF_PORT\n"
        "127.0.0.1,22,830\n"
        "\n"
        "127.0.0.x,22,830\n"
        "127.0.0.3,ssh,830\n"
        "127.0.0.4,22,70000\n"
        "127.0.0.5,,\n"
    )
    result = parse_csv_text(text, source="devices.csv")
    assert [t.ip_address for t in result.targets] == ["127.0.0.1", "127.0.0.5"]
    assert [p.line for p in result.problems] == [4, 5, 6]
    assert "not a port number" in result.problems[1].reason
    assert str(result.problems[0]).startswith("devices.csv:4: ")


def test_csv_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read CSV file"):
        parse_csv_file(tmp_path / "missing.csv")
