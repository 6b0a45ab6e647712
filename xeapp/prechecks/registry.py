"""The pre-checks by their stable names, and evaluating them on one live read."""

from __future__ import annotations

import logging

from xeapp.prechecks.common import Check
from xeapp.prechecks.device_state import (
    check_boot_variable,
    check_install_state,
    check_stack_health,
)
from xeapp.prechecks.disk import check_disk_space
from xeapp.prechecks.live import LiveState
from xeapp.prechecks.model import CheckResult, Outcome, Result, TargetImage, now_iso
from xeapp.prechecks.software import (
    check_config_saved,
    check_image_platform,
    check_image_verified,
    check_reachability,
    check_rommon_flags,
    check_version,
)

log = logging.getLogger(__name__)

# The names are stored in the PreChecks table and shown by the CLI and the UI: keep them.
CHECKS: dict[str, Check] = {
    "version": check_version,
    "boot_variable": check_boot_variable,
    "disk_space": check_disk_space,
    "rommon_flags": check_rommon_flags,
    "image_platform": check_image_platform,
    "image_verified": check_image_verified,
    "install_state": check_install_state,
    "stack_health": check_stack_health,
    "config_saved": check_config_saved,
    "reachability": check_reachability,
}
CHECK_NAMES: tuple[str, ...] = tuple(CHECKS)


def evaluate(
    live: LiveState, image: TargetImage, names: tuple[str, ...] = CHECK_NAMES
) -> list[CheckResult]:
    """Run the checks `names` on one live read and return their results in that order.

    A check that raises becomes a Fail naming the error, so one faulty check never hides the
    others. Raises KeyError for a name not in CHECKS.
    """
    results = []
    for name in names:
        check = CHECKS[name]
        try:
            outcome = check(live, image)
        except Exception as exc:  # a parser gap or a bug must not cost the other checks
            log.exception("%s: check %s failed unexpectedly", live.ip_address, name)
            outcome = Outcome(Result.FAIL, f"could not evaluate {name}: {exc}")
        results.append(CheckResult(name, outcome.result, outcome.message, now_iso(), outcome.read))
    return results


def fail_all(reason: str, names: tuple[str, ...] = CHECK_NAMES) -> list[CheckResult]:
    """Return a Fail for each check when the device could not be read at all."""
    ran_at = now_iso()
    return [
        CheckResult(name, Result.FAIL, f"could not read the device: {reason}", ran_at)
        for name in names
    ]
