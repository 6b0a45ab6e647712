"""Pre-checks: decide, per device and image, whether an upgrade is safe (Pass, Warn or Fail)."""

from xeapp.prechecks.engine import PrecheckService, build_precheck_service
from xeapp.prechecks.model import CheckResult, DevicePrechecks, Result, TargetImage
from xeapp.prechecks.registry import CHECK_NAMES, CHECKS

__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "CheckResult",
    "DevicePrechecks",
    "PrecheckService",
    "Result",
    "TargetImage",
    "build_precheck_service",
]
