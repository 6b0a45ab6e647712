"""Upgrade jobs: stage, install, track the reload and confirm, one device and image per job."""

from xeapp.upgrade.jobs import JobManager
from xeapp.upgrade.options import UpgradeOptions

__all__ = ["JobManager", "UpgradeOptions"]
