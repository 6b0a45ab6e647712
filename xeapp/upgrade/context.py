"""What every step of one upgrade job works with: the device, the image, options and records."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xeapp.devicefacts import DeviceFacts
from xeapp.drivers.connection import DeviceLogin
from xeapp.upgrade.options import UpgradeOptions
from xeapp.upgrade.record import JobCancelled, JobRecorder
from xeapp.upgrade.session import CliSession

# Returns the URL the device copies the image from.
CopyUrl = Callable[[str, str], str]
# Returns the bytes the image server has sent of `filename` to `device_ip`, or None.
TransferBytes = Callable[[str, str], int | None]


@dataclass
class JobContext:
    """One job's device, image, options and recorder, shared by its steps.

    `image` is the repository record (filename, md5, size, version). `facts` is the last read
    of the device. `acknowledge_warnings` accepts every pre-check Warn of this run, because the
    user accepted them when submitting. `install_sent` turns True when the install command
    leaves xeapp; from then on the job can no longer be cancelled.
    """

    recorder: JobRecorder
    login: DeviceLogin
    image: dict[str, Any]
    options: UpgradeOptions
    copy_url: CopyUrl
    transfer_bytes: TransferBytes
    backups_dir: Path
    two_phase: bool = False
    acknowledge_warnings: bool = False
    source_interface: str | None = None
    facts: DeviceFacts | None = None
    install_sent: bool = False
    cancel_requested: bool = False
    _cancel_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def host(self) -> str:
        return self.login.host

    @property
    def filename(self) -> str:
        return str(self.image["filename"])

    @property
    def image_size(self) -> int:
        return int(self.image.get("size") or 0)

    @property
    def image_md5(self) -> str:
        return str(self.image.get("md5") or self.image.get("md5_expected") or "").lower()

    def check_cancel(self) -> None:
        """Raise JobCancelled when a cancel was requested and the install was not sent yet."""
        with self._cancel_lock:
            if self.cancel_requested and not self.install_sent:
                raise JobCancelled

    def request_cancel(self) -> bool:
        """Ask the job to stop at its next cancel point; False once the install was sent."""
        with self._cancel_lock:
            if self.install_sent:
                return False
            self.cancel_requested = True
            return True

    def mark_install_sent(self) -> None:
        """Record that the install command is being sent; raises JobCancelled if cancelled."""
        with self._cancel_lock:
            if self.cancel_requested:
                raise JobCancelled
            self.install_sent = True

    def open_cli(self, *, connect_timeout_s: float | None = None) -> CliSession:
        """Return an SSH CLI session to the device; `with` connects it and closes it."""
        login = self.login
        if connect_timeout_s is not None:
            login = replace(login, connect_timeout_s=connect_timeout_s)
        return CliSession(login)
