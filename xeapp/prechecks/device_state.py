"""Checks of the device's boot and install state: boot variable, install state, stack health."""

from __future__ import annotations

from xeapp.drivers.netconf_replies import install_location_name
from xeapp.parsers.boot import MemberBoot
from xeapp.platforms import DeviceRole
from xeapp.prechecks.common import ABSENT_STATES, could_not_read
from xeapp.prechecks.live import (
    HARDWARE,
    INSTALL_OPER,
    SHOW_BOOT,
    SHOW_INSTALL,
    SHOW_SWITCH,
    SHOW_VERSION,
    LiveState,
)
from xeapp.prechecks.model import Outcome, Result, TargetImage
from xeapp.versions import try_parse_version

PACKAGES_CONF = "packages.conf"


def check_boot_variable(live: LiveState, image: TargetImage) -> Outcome:
    """Check that every member boots packages.conf from the image filesystem.

    Fail when a running or next-reload BOOT variable points elsewhere or is missing; Warn when
    the device boots a .bin (bundle mode), because the one-step install converts it.
    """
    boot = live.boot
    if boot is None:
        return could_not_read("the boot variables", live.error(SHOW_BOOT))
    filesystem = live.platform.filesystem if live.platform else live.facts.filesystem
    expected = f"{filesystem or 'flash:'}{PACKAGES_CONF}"
    read = "show boot: " + "; ".join(_describe(member) for member in boot.members)

    bundle = [m for m in boot.members if m.next_boot and m.next_boot[0].endswith(".bin")]
    if bundle and len(bundle) == len(boot.members):
        first = bundle[0].next_boot[0]
        return Outcome(
            Result.WARN,
            f"bundle mode: the device boots {first}; the one-step install (install add file "
            f"... activate commit) converts it to install mode, booting {expected} from then "
            "on, and the .bin stays on flash until it is deleted",
            read,
        )

    problems = []
    for member in boot.members:
        where = _where(member)
        if not member.next_boot:
            problems.append(f"{where}: no BOOT variable for the next reload")
        elif member.next_boot[0].lower() != expected.lower():
            problems.append(f"{where}: boots {member.next_boot[0]} on the next reload")
        if member.current and member.current[0].lower() != expected.lower():
            problems.append(f"{where}: running BOOT variable is {member.current[0]}")
    if problems:
        return Outcome(
            Result.FAIL,
            f"install mode needs BOOT {expected} on every member: "
            + "; ".join(problems)
            + f"; set `boot system {expected}` and `write memory`",
            read,
        )
    return Outcome(Result.PASS, f"every member boots {expected} (install mode)", read)


def _where(member: MemberBoot) -> str:
    return f"switch {member.member}" if member.member.isdigit() else f"{member.member} unit"


def _describe(member: MemberBoot) -> str:
    current = ",".join(member.current) or "unset"
    upcoming = ",".join(member.next_boot) or "unset"
    return f"{_where(member)} {current} (next reload {upcoming})"


def check_install_state(live: LiveState, image: TargetImage) -> Outcome:
    """Fail on an uncommitted activation, a running auto-abort timer or an install in progress."""
    summary = live.install
    if summary is None:
        return could_not_read("the install state", live.error(SHOW_INSTALL))
    states = [f"{p.state} {p.name}" for block in summary.blocks for p in block.packages]
    read = f"show install summary: {', '.join(states) or 'no packages'}"

    problems = []
    uncommitted = summary.uncommitted_locations
    if uncommitted:
        problems.append(
            f"uncommitted activation on {', '.join(uncommitted)}: run `install commit` to "
            "keep it or `install abort` to roll back"
        )
    if summary.auto_abort_active:
        left = f" ({summary.auto_abort_remaining} left)" if summary.auto_abort_remaining else ""
        problems.append(
            f"auto-abort timer running{left}: the device rolls back when it expires; "
            "commit or abort the previous install first"
        )
    if live.install_oper is not None:
        busy = [loc for loc in live.install_oper if loc.operation_in_progress]
        read += "; install-oper: " + (
            ", ".join(f"{install_location_name(loc)} {loc.sys_activity}" for loc in busy)
            or "no activity"
        )
        for location in busy:
            problems.append(
                f"install operation in progress on {install_location_name(location)} "
                f"({location.sys_activity})"
            )
        timers = [loc for loc in live.install_oper if loc.auto_abort_active]
        if timers and not summary.auto_abort_active:
            names = ", ".join(install_location_name(loc) for loc in timers)
            problems.append(f"auto-abort timer running on {names}")

    if problems:
        return Outcome(Result.FAIL, "; ".join(problems), read)
    message = "no install operation pending: every package committed, no auto-abort timer"
    if live.install_oper is None:
        reason = live.error(INSTALL_OPER) or "not read"
        message += f"; operations in progress not checked (install-oper-data: {reason})"
    return Outcome(Result.PASS, message, read)


def check_stack_health(live: LiveState, image: TargetImage) -> Outcome:
    """Fail when a stack member is not Ready, is missing, or runs another version."""
    facts = live.facts
    role = live.platform.role if live.platform else None
    if role is DeviceRole.ROUTER:
        return Outcome(Result.PASS, "router: no stack", f"PID {facts.pid}")
    if role is None:
        return could_not_read("the platform", live.error("platform", HARDWARE, SHOW_VERSION))
    if live.switch is None:
        return could_not_read("the stack members", live.error(SHOW_SWITCH))

    listed = {row.number for row in live.switch.members}
    read = "show switch: " + ", ".join(
        f"{row.number} {row.role} {row.state}" for row in live.switch.members
    )
    problems = []
    for member in facts.members:
        if member.number not in listed:
            problems.append(
                f"switch {member.number} is in the inventory but missing from the stack"
            )
        elif member.state in ABSENT_STATES:
            problems.append(f"switch {member.number} is missing ({member.state})")
        elif member.state != "Ready":
            problems.append(f"switch {member.number} is {member.state}, not Ready")

    versions = {m.number: m.version for m in facts.members if m.version and m.state == "Ready"}
    parsed = {number: try_parse_version(text) or text for number, text in versions.items()}
    if len(set(parsed.values())) > 1:
        read += "; versions " + ", ".join(f"{n} {v}" for n, v in sorted(versions.items()))
        running = try_parse_version(facts.current_version) or facts.current_version
        for number, version in sorted(parsed.items()):
            if version != running:
                problems.append(
                    f"switch {number} runs {versions[number]}, the stack runs "
                    f"{facts.current_version}"
                )
    if problems:
        return Outcome(Result.FAIL, "; ".join(problems), read)
    count = len(facts.members)
    noun = "member" if count == 1 else "members"
    return Outcome(
        Result.PASS, f"{count} {noun} Ready on {facts.current_version or 'one version'}", read
    )
