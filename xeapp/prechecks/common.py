"""Helpers every check module shares: the check signature, size formatting, member labels."""

from __future__ import annotations

from collections.abc import Callable

from xeapp.devicefacts import MemberFacts
from xeapp.prechecks.live import LiveState
from xeapp.prechecks.model import Outcome, Result, TargetImage

# A check reads the live state and the target image and returns its outcome; it never
# connects to the device itself.
Check = Callable[[LiveState, TargetImage], Outcome]

GB = 1_000_000_000  # disk thresholds and messages use decimal gigabytes, as `dir` totals do
MB = 1_000_000

# Member states of a stack member that is configured but not in the stack.
ABSENT_STATES = ("Provisioned", "Removed")


def could_not_read(what: str, reason: str | None, read: str = "") -> Outcome:
    """Return the Fail outcome of a check whose input could not be read."""
    return Outcome(Result.FAIL, f"could not read {what}: {reason or 'no data returned'}", read)


def size_text(size_bytes: int) -> str:
    """Return a size in decimal GB with two decimals, or in MB below 0.1 GB."""
    if size_bytes < GB // 10:
        return f"{size_bytes / MB:.1f} MB"
    return f"{size_bytes / GB:.2f} GB"


def member_label(member: MemberFacts, stacked: bool) -> str:
    """Return how messages name a member: "switch 2" on a stack, else the chassis."""
    return f"switch {member.number}" if stacked else "the chassis"


def worst(results: list[Result]) -> Result:
    """Return the most severe result, Pass for an empty list."""
    if Result.FAIL in results:
        return Result.FAIL
    if Result.WARN in results:
        return Result.WARN
    return Result.PASS
