"""Read a device into DeviceFacts: NETCONF first, the CLI for what YANG lacks, SSH as fallback.

With NETCONF, one `get` returns the chassis and member inventory, versions, boot time and every
member's flash partitions. The CLI adds `show romvar`, `show boot`, `show install summary` and,
on a switch, `show switch`. Without NETCONF the CLI reads everything, adding `show version` and
`show file systems`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from xeapp.devicefacts import (
    BUNDLE_MODE,
    INSTALL_MODE,
    NETCONF_DISABLED,
    NETCONF_ENABLED,
    SOURCE_NETCONF,
    SOURCE_SSH,
    STATUS_ONLINE,
    BootVariable,
    DeviceFacts,
    InstallPackage,
    InstallState,
    MemberFacts,
)
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.netconf import NetconfDriver
from xeapp.drivers.netconf_replies import apply_inventory_reply
from xeapp.drivers.ssh import SshDriver
from xeapp.errors import (
    AuthenticationError,
    DeviceError,
    DeviceTimeoutError,
    UnreachableError,
    XeappError,
)
from xeapp.parsers.boot import parse_show_boot
from xeapp.parsers.file_systems import ShowFileSystems, parse_show_file_systems
from xeapp.parsers.install_summary import parse_install_summary
from xeapp.parsers.romvar import parse_romvar
from xeapp.parsers.show_version import ShowVersion, parse_show_version
from xeapp.parsers.switch import ShowSwitch, parse_show_switch
from xeapp.platforms import DeviceRole, Platform, UnsupportedPlatformError, identify_platform

log = logging.getLogger(__name__)

# ROMMON variables pre-checks and upgrades look at; the others are not stored.
ROMVARS_OF_INTEREST = (
    "BOOT",
    "MANUAL_BOOT",
    "SWITCH_IGNORE_STARTUP_CFG",
    "CONFIG_FILE",
    "BOOTLDR",
    "ENABLE_BREAK",
    "STACK_1_1",
    "SWITCH_NUMBER",
)


def now_iso() -> str:
    """Return the current time as ISO 8601 UTC, the format of `DeviceFacts.last_seen`."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def read_device(login: DeviceLogin, *, use_netconf: bool = True) -> DeviceFacts:
    """Read everything xeapp stores about one device.

    Tries NETCONF first (unless `use_netconf` is False); when the NETCONF port refuses, closes
    or times out, reads over SSH alone and sets `netconf_state` Disabled. Returns Online facts;
    a partial read lists what failed in `read_errors`. Raises AuthenticationError when the
    device rejects the credentials and UnreachableError (or another DeviceError) when neither
    protocol connects. In that case the error of the SSH attempt is raised.
    """
    facts = DeviceFacts(ip_address=login.host, ssh_port=login.ssh_port)
    facts.netconf_port = login.netconf_port

    netconf_error: DeviceError | None = None
    if use_netconf:
        try:
            _read_over_netconf(login, facts)
            return facts
        except AuthenticationError:
            raise
        except (UnreachableError, DeviceTimeoutError) as exc:
            netconf_error = exc
            log.info("%s: NETCONF unavailable (%s), reading over SSH", login.host, exc.reason)

    with SshDriver(login) as ssh:
        _apply_show_version(ssh, facts)
        _apply_file_systems(ssh, facts)
        _apply_cli_details(ssh, facts)

    facts.source = SOURCE_SSH
    facts.netconf_state = NETCONF_DISABLED if use_netconf else facts.netconf_state
    if netconf_error is not None:
        facts.read_errors.append(f"NETCONF: {netconf_error.reason}")
    _finish(facts)
    return facts


def _read_over_netconf(login: DeviceLogin, facts: DeviceFacts) -> None:
    with NetconfDriver(login) as netconf:
        reply = netconf.read_inventory()
    apply_inventory_reply(reply, facts)
    facts.source = SOURCE_NETCONF
    facts.netconf_state = NETCONF_ENABLED
    _set_platform(facts)

    # The YANG models lack ROMMON variables, boot variables and the install summary table.
    try:
        with SshDriver(login) as ssh:
            if facts.device_role == DeviceRole.SWITCH.value:
                _apply_show_switch(ssh, facts)
            _apply_cli_details(ssh, facts)
            if not facts.hostname:
                facts.hostname = ssh.hostname()
    except DeviceError as exc:
        log.warning("%s: read over NETCONF, but SSH failed: %s", login.host, exc.reason)
        facts.read_errors.append(f"SSH: {exc.reason}")
    _finish(facts)


def _finish(facts: DeviceFacts) -> None:
    _set_platform(facts)
    if facts.install_mode is None:
        facts.install_mode = _mode_from_boot(facts)
    facts.status = STATUS_ONLINE
    facts.last_error = None
    facts.last_seen = now_iso()


def _set_platform(facts: DeviceFacts) -> None:
    try:
        set_platform(facts)
    except UnsupportedPlatformError as exc:
        facts.read_errors.append(str(exc))


def set_platform(facts: DeviceFacts) -> Platform | None:
    """Set the role, platform family and filesystems of `facts` and its members from the PID.

    Returns the platform, None when no PID was read. Raises UnsupportedPlatformError for a PID
    xeapp does not know.
    """
    if not facts.pid:
        return None
    platform = identify_platform(facts.pid)
    facts.device_role = platform.role.value
    facts.platform_family = platform.family
    facts.filesystem = platform.filesystem
    stacked = len(facts.members) > 1
    for member in facts.members:
        member.filesystem = (
            platform.member_filesystem(member.number) if stacked else platform.filesystem
        )
    return platform


def _mode_from_boot(facts: DeviceFacts) -> str | None:
    firsts = [(b.next_reload or b.current or [""])[0] for b in facts.boot_variables]
    if firsts and all(entry.endswith("packages.conf") for entry in firsts):
        return INSTALL_MODE
    if any(entry.endswith(".bin") for entry in firsts):
        return BUNDLE_MODE
    return None


def _run(ssh: SshDriver, facts: DeviceFacts, command: str, apply: Callable[[str], object]) -> None:
    """Run one show command and apply its parsed output; a failure is recorded, not raised."""
    try:
        output = ssh.send_command(command)
        apply(output)
    except (UnreachableError, AuthenticationError):
        raise
    except XeappError as exc:  # a rejected command or output the parser does not recognise
        log.warning("%s: %s failed: %s", ssh.host, command, exc)
        facts.read_errors.append(f"{command}: {exc}")


def _apply_cli_details(ssh: SshDriver, facts: DeviceFacts) -> None:
    _run(ssh, facts, "show romvar", lambda text: _apply_romvar(text, facts))
    _run(ssh, facts, "show boot", lambda text: _apply_boot(text, facts))
    _run(ssh, facts, "show install summary", lambda text: _apply_install(text, facts))


def _apply_romvar(text: str, facts: DeviceFacts) -> None:
    romvars = parse_romvar(text)
    facts.romvars = {
        key: value for key, value in romvars.variables.items() if key in ROMVARS_OF_INTEREST
    }
    if romvars.rommon_version and not facts.rommon_version:
        facts.rommon_version = romvars.rommon_version


def _apply_boot(text: str, facts: DeviceFacts) -> None:
    boot = parse_show_boot(text)
    facts.boot_variables = [
        BootVariable(
            location=member.member,
            current=list(member.current),
            next_reload=list(member.next_boot),
            manual_boot=member.manual_boot,
        )
        for member in boot.members
    ]


def _apply_install(text: str, facts: DeviceFacts) -> None:
    summary = parse_install_summary(text)
    packages = [
        InstallPackage(
            filename=package.name,
            state=package.state,
            package_type=package.type,
            locations=list(block.locations),
        )
        for block in summary.blocks
        for package in block.packages
    ]
    timer: str | None = None
    if summary.auto_abort_active is not None:
        timer = "active" if summary.auto_abort_active else "inactive"
        if summary.auto_abort_remaining:
            timer = f"{timer}, {summary.auto_abort_remaining} remaining"
    previous = facts.install_state or InstallState()
    facts.install_state = InstallState(
        packages=packages,
        operation_in_progress=previous.operation_in_progress,
        auto_abort_timer=timer if timer is not None else previous.auto_abort_timer,
    )


def _apply_show_switch(ssh: SshDriver, facts: DeviceFacts) -> None:
    _run(ssh, facts, "show switch", lambda text: apply_show_switch(facts, parse_show_switch(text)))


def apply_show_switch(facts: DeviceFacts, switch: ShowSwitch) -> None:
    """Set each member's role and state; add the members only `show switch` lists."""
    for row in switch.members:
        member = facts.member(row.number)
        if member is None:
            # A provisioned or removed member reports no inventory over NETCONF.
            member = MemberFacts(number=row.number)
            facts.members.append(member)
        member.role = row.role
        member.state = row.state
    facts.members.sort(key=lambda m: m.number)


def _apply_show_version(ssh: SshDriver, facts: DeviceFacts) -> None:
    apply_show_version(facts, parse_show_version(ssh.send_command("show version")))
    facts.hostname = facts.hostname or ssh.hostname()
    _set_platform(facts)
    if facts.device_role == DeviceRole.SWITCH.value:
        _apply_show_switch(ssh, facts)


def apply_show_version(facts: DeviceFacts, version: ShowVersion) -> None:
    """Set the hostname, and the chassis and members unless NETCONF already read them.

    With members already read, only adds each member's version from the stack table, so a
    V-Mismatch member shows.
    """
    facts.hostname = version.hostname or facts.hostname
    if facts.members:
        for row in version.members:
            member = facts.member(row.number)
            if member is not None:
                member.version = row.sw_version
        return

    facts.pid = version.pid or ""
    facts.serial_number = version.serial_number or ""
    facts.current_version = str(version.version) if version.version else version.version_text
    facts.rommon_version = version.rommon_version or ""
    facts.last_reboot_reason = version.last_reload_reason or None
    if version.install_mode is not None:
        facts.install_mode = INSTALL_MODE if version.install_mode else BUNDLE_MODE

    if not version.members:
        facts.members = [
            MemberFacts(
                number=1,
                pid=facts.pid,
                serial_number=facts.serial_number,
                version=facts.current_version,
            )
        ]
        return

    # pids and serial numbers list the active member first, then the others in order.
    ordered = sorted(version.members, key=lambda m: (not m.active, m.number))
    facts.members = []
    for index, row in enumerate(ordered):
        facts.members.append(
            MemberFacts(
                number=row.number,
                role="Active" if row.active else "",
                pid=version.pids[index] if index < len(version.pids) else row.model,
                serial_number=(
                    version.serial_numbers[index] if index < len(version.serial_numbers) else ""
                ),
                version=row.sw_version,
            )
        )
    facts.members.sort(key=lambda m: m.number)


def _apply_file_systems(ssh: SshDriver, facts: DeviceFacts) -> None:
    _set_platform(facts)
    _run(
        ssh,
        facts,
        "show file systems",
        lambda text: apply_file_systems(facts, parse_show_file_systems(text)),
    )


def apply_file_systems(facts: DeviceFacts, listing: ShowFileSystems) -> list[str]:
    """Set each member's total and free bytes from its filesystem in `listing`.

    Returns the filesystems (or "member N" without one) that `listing` has no free space for;
    run `set_platform` first so members know their filesystem.
    """
    missing = []
    for member in facts.members:
        found = listing.find(member.filesystem) if member.filesystem else None
        if found is None or found.free_bytes is None:
            missing.append(member.filesystem or f"member {member.number}")
            continue
        member.total_bytes = found.size_bytes
        member.free_bytes = found.free_bytes
    return missing
