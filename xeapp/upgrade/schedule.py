"""Times of scheduled jobs: parsing, storing with their timezone, and the grace rule at start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from xeapp.errors import InvalidInputError


def parse_start_time(text: str) -> datetime:
    """Parse an ISO 8601 start time; a time without an offset is taken as local time.

    Returns a timezone-aware datetime. Raises InvalidInputError for text that is not ISO 8601.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"invalid start time {text!r}: expected ISO 8601, e.g. 2026-05-01T02:00+02:00"
        ) from None
    return aware(value)


def aware(value: datetime) -> datetime:
    """Return `value` with a timezone, taking a naive value as local time."""
    return value if value.tzinfo is not None else value.astimezone()


def stored_time(text: str | None) -> datetime | None:
    """Return the datetime of a stored ISO 8601 field, or None when absent or unreadable."""
    if not text:
        return None
    try:
        return aware(datetime.fromisoformat(text))
    except ValueError:
        return None


@dataclass(frozen=True)
class StartDecision:
    """What to do with a Pending job when the app starts: "arm", "run" or "miss"."""

    action: str
    due: datetime


def decide_start(due: datetime, grace_s: float, now: datetime | None = None) -> StartDecision:
    """Arm a job that is due later, run one late by at most `grace_s`, miss the rest."""
    current = now or datetime.now(UTC)
    late_s = (current - due).total_seconds()
    if late_s < 0:
        return StartDecision("arm", due)
    if late_s <= grace_s:
        return StartDecision("run", due)
    return StartDecision("miss", due)
