"""Pre-check results: one CheckResult per check, and the outcome of one device for one image."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Result(StrEnum):
    """Outcome of one check; the values are the ones the PreChecks table stores."""

    PASS = "Pass"
    WARN = "Warn"
    FAIL = "Fail"


# Order of severity, so the worst outcome of several members can be picked with max().
SEVERITY = {Result.PASS: 0, Result.WARN: 1, Result.FAIL: 2}


def now_iso() -> str:
    """Return the current time as ISO 8601 UTC with seconds, the format of `ran_at`."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: the result, the message and a short note of what it read."""

    result: Result
    message: str
    read: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The result of one check on one device, as shown to the user and stored."""

    check_name: str
    result: Result
    message: str
    ran_at: str
    read: str = ""

    def to_record(self) -> dict[str, Any]:
        """Return the fields of a PreChecks record, as plain JSON types."""
        return {
            "check_name": self.check_name,
            "result": self.result.value,
            "message": self.message,
            "ran_at": self.ran_at,
            "read": self.read,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CheckResult:
        """Build a result from a PreChecks record; raises KeyError or ValueError when malformed."""
        return cls(
            check_name=str(record["check_name"]),
            result=Result(record["result"]),
            message=str(record.get("message", "")),
            ran_at=str(record.get("ran_at", "")),
            read=str(record.get("read", "")),
        )


@dataclass
class TargetImage:
    """The repository image a device is checked against; `size` in bytes."""

    filename: str
    version: str
    family: str | None
    size: int
    verified: str  # "Verified", "Unverified" or "Mismatch", as the repository stores it
    md5: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TargetImage:
        """Build the target from a Repository record; raises KeyError when `filename` is missing."""
        return cls(
            filename=str(record["filename"]),
            version=str(record.get("version") or ""),
            family=record.get("family"),
            size=int(record.get("size") or 0),
            verified=str(record.get("verified") or "Unverified"),
            md5=record.get("md5"),
        )


@dataclass
class DevicePrechecks:
    """Every check result of one device for one image, and whether its warnings were accepted.

    A device is `ready` when no check failed. The upgrade also needs `acknowledged` when a
    check warned: `cleared_for_upgrade` combines both.
    """

    ip_address: str
    image: str
    checks: list[CheckResult] = field(default_factory=list)
    acknowledged: bool = False
    acknowledged_at: str | None = None

    @property
    def ready(self) -> bool:
        """True when no check failed."""
        return bool(self.checks) and all(c.result is not Result.FAIL for c in self.checks)

    @property
    def warnings(self) -> list[CheckResult]:
        """The checks that warned."""
        return [c for c in self.checks if c.result is Result.WARN]

    @property
    def failures(self) -> list[CheckResult]:
        """The checks that failed."""
        return [c for c in self.checks if c.result is Result.FAIL]

    @property
    def needs_acknowledgement(self) -> bool:
        """True when the device is ready but a warning has not been acknowledged yet."""
        return self.ready and bool(self.warnings) and not self.acknowledged

    @property
    def cleared_for_upgrade(self) -> bool:
        """True when no check failed and every warning was acknowledged."""
        return self.ready and not self.needs_acknowledgement

    def result_of(self, check_name: str) -> CheckResult:
        """Return the result of one check; raises KeyError when that check did not run."""
        for check in self.checks:
            if check.check_name == check_name:
                return check
        raise KeyError(f"no result for check {check_name!r} on {self.ip_address}")

    def counts(self) -> dict[str, int]:
        """Return how many checks passed, warned and failed, keyed by result value."""
        counts = {result.value: 0 for result in Result}
        for check in self.checks:
            counts[check.result.value] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """Return the `xeapp precheck --json` object of this device."""
        return {
            "ip_address": self.ip_address,
            "image": self.image,
            "ready": self.ready,
            "acknowledged": self.acknowledged,
            "checks": [
                {"check_name": c.check_name, "result": c.result.value, "message": c.message}
                for c in self.checks
            ],
        }
