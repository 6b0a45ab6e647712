"""Classifier for the output of `install add`, `activate`, `commit`, `abort`, `remove`.

ntc-templates has no template for install commands. The device ends an operation with one
"SUCCESS: <operation> ..." or "FAILED: <operation> ..." line; per-member failures come
before it as "[1]  R0 FAILED: <reason>". An output without either line was cut short (the
SSH session dropped on reload, or the capture stopped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from xeapp.parsers._text import lines

COMMAND = "install"


class InstallOutcome(StrEnum):
    """Outcome of an install operation."""

    SUCCESS = "success"
    FAILED = "failed"
    INCOMPLETE = "incomplete"  # no SUCCESS or FAILED line in the output


class FailureKind(StrEnum):
    """Failure reasons the upgrade reacts to; anything else is OTHER with the reason verbatim."""

    NOT_ENOUGH_SPACE = "not_enough_space"
    ALREADY_ADDED = "already_added"
    CONFIG_NOT_SAVED = "config_not_saved"
    BUNDLE_MODE = "bundle_mode"
    OTHER = "other"


_FINAL = re.compile(r"^(?P<outcome>SUCCESS|FAILED): (?P<operation>install_\w+|\w+)\b(?P<rest>.*)$")
_MEMBER_FAILED = re.compile(r"^\[\d+\]\s+(?P<location>.+?)\s+FAILED:\s*(?P<reason>.*)$")
_ALREADY_ADDED = re.compile(r"(?:Super package|SMU) Already Added", re.IGNORECASE)
_SPACE = re.compile(r"(?:not enough|insufficient|no)\s+(?:free\s+|disk\s+)?space", re.IGNORECASE)
_KB_NUMBER = re.compile(r"(\d+)\s*KB", re.IGNORECASE)
_REQUIRED_WORD = re.compile(r"required|requires|needed|need", re.IGNORECASE)
_RELOAD = re.compile(r"reload the system now|Install will reload", re.IGNORECASE)


@dataclass(frozen=True)
class MemberFailure:
    """A "[1]  R0 FAILED: reason" line."""

    location: str
    reason: str


@dataclass(frozen=True)
class InstallResult:
    """Classified install output.

    `operation` is the name on the final line ("install_add_activate_commit"). `reason` is the
    text after the operation on a FAILED line, or the first member failure, verbatim.
    `already_added` is also True on SUCCESS when a member reports "SMU Already Added-No
    Change". The KB fields are set only when a space failure prints both numbers.
    """

    outcome: InstallOutcome
    operation: str | None
    failure_kind: FailureKind | None
    reason: str | None
    member_failures: tuple[MemberFailure, ...]
    already_added: bool
    required_kb: int | None
    available_kb: int | None
    reload_started: bool


def classify_install_output(text: str) -> InstallResult:
    """Classify the output of an install command.

    Returns an InstallResult. Raises nothing: text without a final line is INCOMPLETE.
    """
    outcome = InstallOutcome.INCOMPLETE
    operation: str | None = None
    final_reason: str | None = None
    failures: list[MemberFailure] = []

    all_lines = lines(text)
    for line in all_lines:
        member = _MEMBER_FAILED.match(line)
        if member:
            failures.append(MemberFailure(member["location"], member["reason"].strip()))
            continue
        final = _FINAL.match(line)
        if final is None or final["operation"] in ("Files", "Upgrade_Service"):
            continue
        # The last final line wins: a FAILED add can be followed by a successful retry.
        outcome = InstallOutcome(final["outcome"].lower())
        operation = final["operation"]
        rest = final["rest"].strip()
        final_reason = rest.removeprefix(":").strip() if rest.startswith(":") else None

    joined = "\n".join(all_lines)
    reason = final_reason
    if outcome is InstallOutcome.FAILED and reason is None and failures:
        reason = failures[0].reason
    kind = _failure_kind(reason) if outcome is InstallOutcome.FAILED else None
    required, available = (
        _space_numbers(reason)
        if kind is FailureKind.NOT_ENOUGH_SPACE
        else (
            None,
            None,
        )
    )
    return InstallResult(
        outcome=outcome,
        operation=operation,
        failure_kind=kind,
        reason=reason if outcome is InstallOutcome.FAILED else None,
        member_failures=tuple(failures),
        already_added=bool(_ALREADY_ADDED.search(joined)),
        required_kb=required,
        available_kb=available,
        reload_started=bool(_RELOAD.search(joined)),
    )


def _failure_kind(reason: str | None) -> FailureKind:
    text = reason or ""
    if _SPACE.search(text):
        return FailureKind.NOT_ENOUGH_SPACE
    if _ALREADY_ADDED.search(text):
        return FailureKind.ALREADY_ADDED
    if "configuration has been modified" in text:
        return FailureKind.CONFIG_NOT_SAVED
    if "Booted in bundle mode" in text:
        return FailureKind.BUNDLE_MODE
    return FailureKind.OTHER


def _space_numbers(reason: str | None) -> tuple[int | None, int | None]:
    """Read required and available KB from a space failure.

    NOTE: no real space-failure transcript was found, so the wording is not known for sure.
    The reason is split into clauses at ',' and ';'. A number counts as required when its clause
    contains "required" or "needed", as available otherwise. With no such word in any clause, the
    larger number is taken as required.
    """
    required: int | None = None
    available: int | None = None
    for clause in re.split(r"[,;]", reason or ""):
        number = _KB_NUMBER.search(clause)
        if number is None:
            continue
        if _REQUIRED_WORD.search(clause):
            required = int(number[1])
        else:
            available = int(number[1])
    if required is not None and available is not None:
        return required, available

    numbers = [int(match[1]) for match in _KB_NUMBER.finditer(reason or "")]
    if len(numbers) != 2:
        return None, None
    return max(numbers), min(numbers)
