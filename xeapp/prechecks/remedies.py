"""Remedies a failed pre-check offers: `install remove inactive` for disk_space, then a recheck."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.ssh import ANSWER_YES, SshDriver
from xeapp.errors import DeviceError, InstallFailedError
from xeapp.parsers.install_output import InstallOutcome, classify_install_output
from xeapp.prechecks.engine import PrecheckService
from xeapp.prechecks.model import CheckResult
from xeapp.targets import Target

log = logging.getLogger(__name__)

REMOVE_INACTIVE = "install remove inactive"
# Removing packages from every member of a large stack takes minutes on real devices.
REMOVE_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class RemedyResult:
    """Outcome of the remedy: the device output and the disk_space result read afterwards."""

    ip_address: str
    output: str
    files_deleted: int
    recheck: CheckResult


def remove_inactive(login: DeviceLogin, timeout_s: float = REMOVE_TIMEOUT_S) -> str:
    """Run `install remove inactive` over SSH, answer `y` to its `[y/n]`, and return the output.

    Raises InstallFailedError when the device prints FAILED or the output ends without a
    SUCCESS line, and the errors of `SshDriver.send_interactive` (DeviceTimeoutError when the
    prompt does not return within `timeout_s`).
    """
    with SshDriver(login) as ssh:
        output = ssh.send_interactive(
            REMOVE_INACTIVE, [ANSWER_YES], step=REMOVE_INACTIVE, read_timeout_s=timeout_s
        )

    result = classify_install_output(output)
    if result.outcome is not InstallOutcome.SUCCESS:
        reason = result.reason or "the output has no SUCCESS line"
        raise InstallFailedError(login.host, REMOVE_INACTIVE, reason)
    return output


def remedy_disk_space(
    service: PrecheckService, target: Target, image_filename: str
) -> RemedyResult:
    """Free flash with `install remove inactive`, then rerun and store the disk_space check.

    Returns the output and the new disk_space result. Raises NotFoundError for an unknown
    image, CredentialsError without credentials, and the errors of `remove_inactive`; the
    stored results are left unchanged when the remedy fails.
    """
    service.target_image(image_filename)
    login = service.logins.login(
        target.ip_address, ssh_port=target.ssh_port, netconf_port=target.netconf_port
    )
    try:
        output = remove_inactive(login)
    except DeviceError as exc:
        log.error("%s: %s failed: %s", target.ip_address, REMOVE_INACTIVE, exc.reason)
        raise
    deleted = len(re.findall(r"^Deleting file ", output, re.MULTILINE))
    log.info("%s: %s deleted %d files", target.ip_address, REMOVE_INACTIVE, deleted)

    outcome = service.rerun_check(target, image_filename, "disk_space")
    return RemedyResult(target.ip_address, output, deleted, outcome.result_of("disk_space"))
