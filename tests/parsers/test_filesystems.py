"""Tests for the show file systems and dir parsers on every real capture."""

import re
from pathlib import Path

import pytest
from parser_data import data_files, read

from xeapp.parsers import ParserError
from xeapp.parsers.dir import parse_dir
from xeapp.parsers.file_systems import parse_show_file_systems

SHOW_FILES = data_files("filesystems", "show_file_systems*")
DIR_FILES = data_files("filesystems", "dir__*")
_FILE_ROW = re.compile(r"^\s*\d+\s+[-d][-rwx]{3}\s", re.MULTILINE)


@pytest.mark.parametrize("path", SHOW_FILES, ids=lambda path: path.stem)
def test_show_file_systems_reads_every_row(path: Path) -> None:
    text = read(path)
    rows = [line for line in text.splitlines() if line.rstrip().endswith(":") and "  " in line]
    parsed = parse_show_file_systems(text)
    assert len(parsed.file_systems) == len(rows)


def test_stack_members_and_aliases() -> None:
    parsed = parse_show_file_systems(read(SHOW_FILES[0]))
    flash = parsed.find("flash-1:")
    assert flash is not None
    assert flash.prefixes == ("flash:", "bootflash:", "flash-1:")
    assert flash.default
    assert flash.free_bytes == 4835155968


def test_standby_alias() -> None:
    parsed = parse_show_file_systems(read(SHOW_FILES[0]))
    assert parsed.find("stby-flash") == parsed.find("flash-2:")


def test_dash_sizes_are_none() -> None:
    parsed = parse_show_file_systems(read(SHOW_FILES[0]))
    tftp = parsed.find("tftp:")
    assert tftp is not None
    assert tftp.size_bytes is None


@pytest.mark.parametrize("path", DIR_FILES, ids=lambda path: path.stem)
def test_dir_real_file(path: Path) -> None:
    text = read(path)
    parsed = parse_dir(text)
    assert len(parsed.entries) == len(_FILE_ROW.findall(text))
    assert parsed.total_bytes is not None
    assert parsed.free_bytes is not None
    assert parsed.free_bytes < parsed.total_bytes


def test_dir_single_file() -> None:
    parsed = parse_dir(read(data_files("filesystems", "dir__c9300l*")[0]))
    entry = parsed.find("cat9k_iosxe.17.03.01.SPA.bin")
    assert entry is not None
    assert entry.size_bytes == 892195673


def test_dir_directories_marked() -> None:
    parsed = parse_dir(read(data_files("filesystems", "dir__asr1k*")[0]))
    assert parsed.entries[0].is_directory


def test_dir_empty_directory() -> None:
    text = "Directory of flash:/empty/\r\n\r\nNo files in directory\r\n\r\n"
    text += "11353194496 bytes total (8987889664 bytes free)\r\n"
    parsed = parse_dir(text)
    assert parsed.entries == ()
    assert parsed.free_bytes == 8987889664


@pytest.mark.parametrize("text", ["", "%Error opening flash:/x (No such file or directory)"])
def test_not_dir(text: str) -> None:
    with pytest.raises(ParserError, match="'dir'"):
        parse_dir(text)


@pytest.mark.parametrize("text", ["", "Directory of flash:/\n"])
def test_not_show_file_systems(text: str) -> None:
    with pytest.raises(ParserError, match="show file systems"):
        parse_show_file_systems(text)
