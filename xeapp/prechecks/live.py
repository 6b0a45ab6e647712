"""Read the live state of one device for its pre-checks: NETCONF first, the CLI for the rest.

One NETCONF `get` (the discovery read) returns the members, versions, flash partitions, the
unsaved-config flag and the install-oper activity. One SSH session runs `show version`,
`show romvar`, `show boot`, `show install summary` and, on switches, `show switch`. When NETCONF
does not answer, the CLI reads the flash space (`show file systems`) and compares the running
and startup configurations instead. The replies are applied to DeviceFacts by the same code
discovery uses (xeapp.drivers.facts and netconf_replies). Every read that fails is kept in
`errors` under its source, so each check can fail with the reason of exactly what it could not
read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from xeapp.devicefacts import DeviceFacts
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.facts import (
    apply_file_systems,
    apply_show_switch,
    apply_show_version,
    set_platform,
)
from xeapp.drivers.netconf import NetconfDriver
from xeapp.drivers.netconf_replies import apply_hardware_reply, apply_install_oper
from xeapp.drivers.ssh import SshDriver
from xeapp.errors import AuthenticationError, DeviceError, UnreachableError, XeappError
from xeapp.parsers.boot import ShowBoot, parse_show_boot
from xeapp.parsers.file_systems import parse_show_file_systems
from xeapp.parsers.install_summary import InstallSummary, parse_install_summary
from xeapp.parsers.netconf import InstallLocation, parse_install_oper
from xeapp.parsers.romvar import RomVariables, parse_romvar
from xeapp.parsers.show_version import ShowVersion, parse_show_version
from xeapp.parsers.switch import ShowSwitch, parse_show_switch
from xeapp.platforms import DeviceRole, Platform, UnsupportedPlatformError
from xeapp.prechecks.model import now_iso

log = logging.getLogger(__name__)

# Sources of live data; `LiveState.errors` is keyed by these.
NETCONF = "NETCONF"
SSH = "SSH"
HARDWARE = "NETCONF device-hardware-data"
FILESYSTEMS = "flash free space"
INSTALL_OPER = "NETCONF install-oper-data"
CONFIG_STATE = "configuration state"
SHOW_VERSION = "show version"
SHOW_ROMVAR = "show romvar"
SHOW_BOOT = "show boot"
SHOW_INSTALL = "show install summary"
SHOW_SWITCH = "show switch"

# Header and comment lines of `show running-config` and `show startup-config` that change
# without a configuration change (sizes, timestamps), left out of the comparison with the
# bare `!` separators.
_VOLATILE_CONFIG = re.compile(
    r"^(Building configuration|Current configuration :|Using \d+ out of|! Last configuration"
    r"|! NVRAM config last updated|! No configuration change since)"
)


@dataclass
class LiveState:
    """Result of one read of a device; a value is None when its read failed (see errors).

    `facts` contains the members with their PID, state, filesystem and free space, and the
    unsaved-config flag. `platform` is None when the PID is unknown or was not read.
    `install_oper` lists the install-oper-data locations (stack members or route processors).
    """

    login: DeviceLogin
    facts: DeviceFacts
    read_at: str
    errors: dict[str, str] = field(default_factory=dict)
    platform: Platform | None = None
    version: ShowVersion | None = None
    romvars: RomVariables | None = None
    boot: ShowBoot | None = None
    install: InstallSummary | None = None
    switch: ShowSwitch | None = None
    install_oper: tuple[InstallLocation, ...] | None = None
    free_space_source: str = ""

    @property
    def ip_address(self) -> str:
        return self.login.host

    @property
    def unsaved_config(self) -> bool | None:
        """True when the running configuration differs from startup, None when not read."""
        return self.facts.unsaved_config

    def error(self, *sources: str) -> str | None:
        """Return the reason the first of `sources` could not be read, or None."""
        for source in sources:
            if source in self.errors:
                return self.errors[source]
        return None


def read_live(login: DeviceLogin) -> LiveState:
    """Read everything the pre-checks look at from one device, now.

    Returns a LiveState and never raises for a device error: each error goes into `errors`.
    A failed connection puts its reason under NETCONF or SSH and under every source that
    was not read because of it.
    """
    state = LiveState(login, DeviceFacts(ip_address=login.host), now_iso())
    _read_netconf(state)
    _read_ssh(state)
    _set_platform(state)
    log.info("%s: read for pre-checks, %d read errors", login.host, len(state.errors))
    return state


def _read_netconf(state: LiveState) -> None:
    try:
        with NetconfDriver(state.login) as netconf:
            reply = netconf.read_inventory()
    except DeviceError as exc:
        reason = _reason(exc)
        log.info("%s: NETCONF unavailable for pre-checks: %s", state.ip_address, reason)
        state.errors[NETCONF] = reason
        state.errors[INSTALL_OPER] = f"NETCONF: {reason}"
        return
    _apply_hardware(state, reply)
    try:
        state.install_oper = parse_install_oper(reply)
    except XeappError as exc:
        state.errors[INSTALL_OPER] = _reason(exc)
        return
    apply_install_oper(state.install_oper, state.facts)


def _apply_hardware(state: LiveState, reply: str) -> None:
    facts = state.facts
    try:
        apply_hardware_reply(reply, facts)
    except XeappError as exc:
        state.errors[HARDWARE] = _reason(exc)
        return
    if facts.read_errors:
        state.errors[FILESYSTEMS] = "; ".join(facts.read_errors)
    elif any(m.free_bytes is None for m in facts.members):
        state.errors[FILESYSTEMS] = "q-filesystem has no flash partition for every member"
    else:
        state.free_space_source = "NETCONF q-filesystem"


def _read_ssh(state: LiveState) -> None:
    netconf_read = HARDWARE not in state.errors and NETCONF not in state.errors
    try:
        with SshDriver(state.login) as ssh:
            _run(ssh, state, SHOW_VERSION, lambda text: _apply_version(state, text))
            _run(
                ssh, state, SHOW_ROMVAR, lambda text: setattr(state, "romvars", parse_romvar(text))
            )
            _run(ssh, state, SHOW_BOOT, lambda text: setattr(state, "boot", parse_show_boot(text)))
            _run(ssh, state, SHOW_INSTALL, lambda text: _apply_install(state, text))
            _set_platform(state)
            if state.platform is None or state.platform.role is DeviceRole.SWITCH:
                _run(ssh, state, SHOW_SWITCH, lambda text: _apply_switch(state, text))
            if not netconf_read or FILESYSTEMS in state.errors:
                _read_free_space_cli(ssh, state)
            if state.unsaved_config is None:
                _compare_configs(ssh, state)
    except DeviceError as exc:
        reason = _reason(exc)
        log.info("%s: SSH unavailable for pre-checks: %s", state.ip_address, reason)
        state.errors[SSH] = reason
        unread = {
            SHOW_VERSION: state.version,
            SHOW_ROMVAR: state.romvars,
            SHOW_BOOT: state.boot,
            SHOW_INSTALL: state.install,
            SHOW_SWITCH: state.switch,
        }
        if not state.free_space_source:
            unread[FILESYSTEMS] = None
        if state.unsaved_config is None:
            unread[CONFIG_STATE] = None
        for source, value in unread.items():
            if value is None:
                state.errors.setdefault(source, f"SSH: {reason}")


def _run(ssh: SshDriver, state: LiveState, command: str, apply: Callable[[str], None]) -> None:
    """Run one show command and apply its output; a rejected command or parse error is kept."""
    try:
        apply(ssh.send_command(command))
    except DeviceError as exc:
        if exc.step == command and not _session_lost(exc):
            state.errors[command] = _reason(exc)
            return
        raise
    except XeappError as exc:  # the output is not what the parser expects
        state.errors[command] = _reason(exc)


def _session_lost(exc: DeviceError) -> bool:
    return isinstance(exc, UnreachableError | AuthenticationError)


def _apply_version(state: LiveState, text: str) -> None:
    state.version = parse_show_version(text)
    apply_show_version(state.facts, state.version)


def _apply_install(state: LiveState, text: str) -> None:
    state.install = parse_install_summary(text)


def _apply_switch(state: LiveState, text: str) -> None:
    state.switch = parse_show_switch(text)
    apply_show_switch(state.facts, state.switch)


def _set_platform(state: LiveState) -> None:
    if state.platform is not None:
        return
    try:
        state.platform = set_platform(state.facts)
    except UnsupportedPlatformError as exc:
        state.errors.setdefault("platform", str(exc))


def _read_free_space_cli(ssh: SshDriver, state: LiveState) -> None:
    _set_platform(state)
    try:
        listing = parse_show_file_systems(ssh.send_command("show file systems"))
    except DeviceError as exc:
        if _session_lost(exc):
            raise
        state.errors[FILESYSTEMS] = _reason(exc)
        return
    except XeappError as exc:
        state.errors[FILESYSTEMS] = _reason(exc)
        return

    missing = apply_file_systems(state.facts, listing)
    if missing:
        state.errors[FILESYSTEMS] = f"show file systems does not list {', '.join(missing)}"
        return
    state.errors.pop(FILESYSTEMS, None)
    state.free_space_source = "show file systems"


def _compare_configs(ssh: SshDriver, state: LiveState) -> None:
    # NOTE: IOS-XE can print lines differently in the two outputs (certificates, ntp
    # clock-period), so a difference found here may be cosmetic; NETCONF's unsaved-config
    # leaf is used whenever NETCONF answers.
    try:
        running = _config_body(ssh.send_command("show running-config"))
        startup = _config_body(ssh.send_command("show startup-config"))
    except DeviceError as exc:
        if _session_lost(exc):
            raise
        state.errors[CONFIG_STATE] = _reason(exc)
        return
    state.facts.unsaved_config = running != startup


def _config_body(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r", "").splitlines()]
    return [line for line in lines if line not in ("", "!") and not _VOLATILE_CONFIG.match(line)]


def _reason(exc: XeappError) -> str:
    return exc.reason if isinstance(exc, DeviceError) else str(exc)
