"""Discovery targets: single addresses, ranges, CIDR blocks and CSV files, parsed into devices.

Invalid entries do not stop the others: each parse returns the valid targets and a list of
`TargetProblem`, one per rejected entry or CSV line, with the reason. A block of more addresses
than a /22 (1,024) raises `LargeTargetBlockError` unless the caller confirmed it.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xeapp.errors import InvalidInputError

log = logging.getLogger(__name__)

# Blocks larger than a /22 are more often a typo (/16 for /26) than a campus to sweep.
MAX_UNCONFIRMED_ADDRESSES = 1024
# An entry is expanded into one target per address before anything runs, so a /8 would hold
# 16.7 million targets in memory; a /16 is more than any campus sweep needs.
MAX_ENTRY_ADDRESSES = 65536

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """One device to discover; a port of None means the stored or the default port."""

    ip_address: str
    ssh_port: int | None = None
    netconf_port: int | None = None
    username: str | None = None

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        """Identity of the device: two targets with the same key are one device."""
        return (self.ip_address, self.ssh_port, self.netconf_port)


@dataclass(frozen=True)
class TargetProblem:
    """An entry that was rejected, where it came from and why."""

    source: str  # "arguments" or a CSV file name
    line: int | None  # 1-based CSV line, None for an argument
    entry: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.entry!r}: {self.reason}"


@dataclass
class TargetList:
    """The result of parsing: valid targets without duplicates, and the rejected entries."""

    targets: list[Target] = field(default_factory=list)
    problems: list[TargetProblem] = field(default_factory=list)
    _seen: set[tuple[str, int | None, int | None]] = field(default_factory=set, repr=False)

    def add(self, target: Target) -> bool:
        """Add a target unless the same device is already listed; return True when added."""
        if target.key in self._seen:
            return False
        self._seen.add(target.key)
        self.targets.append(target)
        return True

    def extend(self, other: TargetList) -> None:
        """Append the targets and problems of another list, dropping duplicate devices."""
        for target in other.targets:
            self.add(target)
        self.problems.extend(other.problems)


class LargeTargetBlockError(InvalidInputError):
    """A range or CIDR block holds more addresses than a /22 and was not confirmed."""

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        listed = ", ".join(f"{entry} ({count} addresses)" for entry, count in entries)
        super().__init__(
            f"{listed}: more than {MAX_UNCONFIRMED_ADDRESSES} addresses; confirm the block "
            "(--yes on the command line) or narrow it"
        )
        self.entries = entries


def _address(text: str) -> IPAddress:
    try:
        return ipaddress.ip_address(text)
    except ValueError as exc:
        raise InvalidInputError(f"{text!r} is not an IP address") from exc


def _expand_range(entry: str) -> tuple[IPAddress, IPAddress]:
    start_text, _, end_text = entry.partition("-")
    start = _address(start_text.strip())
    end_text = end_text.strip()

    # "10.1.1.10-50" ends in the same /24 as it starts.
    if re.fullmatch(r"\d{1,3}", end_text) and isinstance(start, ipaddress.IPv4Address):
        last_octet = int(end_text)
        if last_octet > 255:
            raise InvalidInputError(f"range end {end_text} is not an octet (0-255)")
        end: IPAddress = ipaddress.IPv4Address((int(start) & 0xFFFFFF00) | last_octet)
    else:
        end = _address(end_text)

    if start.version != end.version:
        raise InvalidInputError("range mixes IPv4 and IPv6 addresses")
    if int(end) < int(start):
        raise InvalidInputError(f"range end {end} is before its start {start}")
    return start, end


def _expand_network(entry: str) -> list[IPAddress]:
    try:
        network = ipaddress.ip_network(entry, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise InvalidInputError(f"{entry!r} is not a CIDR block: {exc}") from exc
        raise InvalidInputError(
            f"host bits are set; write {loose} for the block or {entry.split('/')[0]} "
            "for the single address"
        ) from exc
    return list(network.hosts())


def _block_size(entry: str) -> int:
    """Return how many addresses an entry names, without expanding it."""
    if "/" in entry:
        return ipaddress.ip_network(entry, strict=True).num_addresses
    if "-" in entry:
        start, end = _expand_range(entry)
        return int(end) - int(start) + 1
    return 1


def expand_entry(entry: str) -> list[str]:
    """Return the addresses an entry names: an address, a range or a CIDR block.

    Raises InvalidInputError with the reason when the entry is none of these.
    """
    entry = entry.strip()
    if not entry:
        raise InvalidInputError("empty entry")
    try:
        size = _block_size(entry)
    except ValueError:
        size = 0  # not a valid block: the expansion below raises with the reason
    if size > MAX_ENTRY_ADDRESSES:
        raise InvalidInputError(
            f"{size:,} addresses; one entry may name at most {MAX_ENTRY_ADDRESSES:,} (a /16), "
            "so split it into smaller blocks"
        )
    if "/" in entry:
        return [str(address) for address in _expand_network(entry)]
    if "-" in entry:
        start, end = _expand_range(entry)
        return [str(ipaddress.ip_address(n)) for n in range(int(start), int(end) + 1)]
    return [str(_address(entry))]


def split_entries(text: str) -> list[str]:
    """Split free text (a UI text box, a command line argument) on commas and white space."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _check_sizes(entries: Iterable[str], confirmed: bool) -> None:
    if confirmed:
        return
    large = []
    for entry in entries:
        try:
            size = _block_size(entry.strip())
        except (InvalidInputError, ValueError):
            continue  # reported as a problem when it is expanded
        # An entry over the hard limit is reported as a problem, so confirming it is pointless.
        if MAX_UNCONFIRMED_ADDRESSES < size <= MAX_ENTRY_ADDRESSES:
            large.append((entry.strip(), size))
    if large:
        raise LargeTargetBlockError(large)


def parse_targets(
    entries: Iterable[str],
    *,
    ssh_port: int | None = None,
    netconf_port: int | None = None,
    username: str | None = None,
    confirmed: bool = False,
    source: str = "arguments",
) -> TargetList:
    """Parse addresses, ranges and CIDR blocks into targets with the given ports.

    Returns the targets in the order given, duplicates dropped, and one problem per invalid
    entry. Raises LargeTargetBlockError, before expanding anything, when an entry names more
    than a /22 and `confirmed` is False.
    """
    items = [part for entry in entries for part in split_entries(entry)]
    _check_sizes(items, confirmed)

    result = TargetList()
    for item in items:
        try:
            addresses = expand_entry(item)
        except InvalidInputError as exc:
            result.problems.append(TargetProblem(source, None, item, str(exc)))
            continue
        for address in addresses:
            result.add(Target(address, ssh_port, netconf_port, username))
    return result


def _port(value: str | None, column: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise InvalidInputError(f"{column} {value!r} is not a port number (1-65535)")
    return int(value)


def parse_csv_text(text: str, *, source: str = "CSV", confirmed: bool = False) -> TargetList:
    """Parse CSV text with a header naming the columns ip, ssh_port, netconf_port, username.

    Only `ip` is required; other columns, such as the lab's `hostname`, are ignored. Empty
    port cells mean the stored or default port. Returns the targets and one problem per
    invalid line. Raises InvalidInputError when the header has no `ip` column, and
    LargeTargetBlockError when a cell names more than a /22 and `confirmed` is False.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if "ip" not in header and "ip_address" not in header:
                raise InvalidInputError(
                    f"{source}:{line}: the first line must be a header with an 'ip' column "
                    "(ip,ssh_port,netconf_port,username), found "
                    f"{','.join(cell.strip() for cell in row)!r}"
                )
            continue
        rows.append((line, dict(zip(header, row, strict=False))))

    ip_column = "ip" if header is not None and "ip" in header else "ip_address"
    _check_sizes((cells.get(ip_column) or "" for _, cells in rows), confirmed)

    result = TargetList()
    for line, cells in rows:
        entry = (cells.get(ip_column) or "").strip()
        try:
            ssh_port = _port(cells.get("ssh_port"), "ssh_port")
            netconf_port = _port(cells.get("netconf_port"), "netconf_port")
            addresses = expand_entry(entry)
        except InvalidInputError as exc:
            result.problems.append(TargetProblem(source, line, entry, str(exc)))
            continue
        username = (cells.get("username") or "").strip() or None
        for address in addresses:
            result.add(Target(address, ssh_port, netconf_port, username))
    return result


def parse_csv_file(path: str | Path, *, confirmed: bool = False) -> TargetList:
    """Parse a CSV file of targets, see `parse_csv_text`.

    Raises InvalidInputError when the file cannot be read or has no header.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read CSV file {path}: {exc}") from exc
    return parse_csv_text(text, source=path.name, confirmed=confirmed)
