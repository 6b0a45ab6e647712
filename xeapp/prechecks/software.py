"""Checks of the software and access: version, image fit and MD5, ROMMON flags, config, access."""

from __future__ import annotations

from xeapp.errors import InvalidInputError
from xeapp.platforms import UnsupportedPlatformError, identify_platform
from xeapp.prechecks.common import ABSENT_STATES, could_not_read, member_label
from xeapp.prechecks.live import (
    CONFIG_STATE,
    HARDWARE,
    NETCONF,
    SHOW_ROMVAR,
    SHOW_VERSION,
    SSH,
    LiveState,
)
from xeapp.prechecks.model import Outcome, Result, TargetImage
from xeapp.versions import parse_version

# Bit 0x40 of the configuration register makes the device boot without its startup config.
IGNORE_CONFIG_BIT = 0x40


def check_version(live: LiveState, image: TargetImage) -> Outcome:
    """Fail when the device already runs the target release, Warn when the target is older."""
    running_text = live.facts.current_version
    if not running_text:
        reason = live.error(HARDWARE, SHOW_VERSION, NETCONF, SSH)
        return could_not_read("the running version", reason)
    read = f"running {running_text}, image {image.filename} is {image.version}"
    try:
        running = parse_version(running_text)
        target = parse_version(image.version)
    except InvalidInputError as exc:
        return could_not_read("the versions to compare", str(exc), read)

    if running == target:
        return Outcome(
            Result.FAIL,
            f"the device already runs {running.short}, the version of {image.filename}; "
            "pick an image of another release",
            read,
        )
    if target < running:
        return Outcome(
            Result.WARN,
            f"downgrade from {running.short} to {target.short}: check that the configuration "
            "and ROMMON support the older release",
            read,
        )
    return Outcome(Result.PASS, f"upgrade from {running.short} to {target.short}", read)


def check_image_platform(live: LiveState, image: TargetImage) -> Outcome:
    """Fail when the image family does not boot on the chassis or on any stack member."""
    members = [m for m in live.facts.members if m.pid and m.state not in ABSENT_STATES]
    if not members:
        return could_not_read("the product IDs", live.error(HARDWARE, SHOW_VERSION, NETCONF))
    stacked = len(live.facts.members) > 1
    pids = sorted({m.pid for m in members})
    read = f"PIDs {', '.join(pids)}; image family {image.family or 'unknown'}"
    if not image.family:
        return Outcome(
            Result.FAIL,
            f"the platform family of {image.filename} is unknown, so it cannot be matched to "
            "the device; use an image with its Cisco file name",
            read,
        )

    problems = []
    for member in members:
        try:
            platform = identify_platform(member.pid)
        except UnsupportedPlatformError as exc:
            problems.append(f"{member_label(member, stacked)}: {exc}")
            continue
        if not platform.fits_image(image.family):
            wanted = " or ".join(platform.image_families)
            problems.append(
                f"{image.family} image {image.filename} does not boot on "
                f"{member_label(member, stacked)} ({member.pid}), which needs a {wanted} image"
            )
    if problems:
        return Outcome(Result.FAIL, "; ".join(problems), read)
    return Outcome(Result.PASS, f"{image.family} fits {', '.join(pids)}", read)


def check_image_verified(live: LiveState, image: TargetImage) -> Outcome:
    """Pass when the image MD5 matched Cisco's value, Warn when none was given, Fail on mismatch."""
    read = f"repository: {image.filename} {image.verified}, MD5 {image.md5 or 'not computed'}"
    if image.verified == "Verified":
        return Outcome(Result.PASS, f"MD5 {image.md5} matches the published value", read)
    if image.verified == "Mismatch":
        return Outcome(
            Result.FAIL,
            f"the MD5 of {image.filename} differs from the published value; the file is "
            "corrupt, download it again",
            read,
        )
    return Outcome(
        Result.WARN,
        f"no published MD5 was given for {image.filename}: compare its MD5 {image.md5} with "
        "the value on Cisco's download page",
        read,
    )


def check_rommon_flags(live: LiveState, image: TargetImage) -> Outcome:
    """Fail when SWITCH_IGNORE_STARTUP_CFG=1 or the configuration register ignores the config."""
    romvars = live.romvars
    if romvars is None:
        return could_not_read("the ROMMON variables", live.error(SHOW_ROMVAR))
    where = f"the {romvars.member_label.lower()}" if romvars.member_label else "the device"
    flag = romvars.get("SWITCH_IGNORE_STARTUP_CFG")
    register = _config_register(live)
    read = f"show romvar ({where}): SWITCH_IGNORE_STARTUP_CFG={flag if flag is not None else '-'}"
    if register:
        read += f"; configuration register {register}"

    problems = []
    if romvars.ignore_startup_config:
        problems.append(
            f"SWITCH_IGNORE_STARTUP_CFG=1 in ROMMON on {where}: after the reload the device "
            "boots without its startup configuration and drops out of management; clear it "
            "with `no system ignore startupconfig switch all` and `write memory`"
        )
    if register and int(register, 16) & IGNORE_CONFIG_BIT:
        problems.append(
            f"configuration register {register} ignores the startup configuration at boot; "
            "set `config-register 0x2102` (0x102 on switches)"
        )
    if problems:
        return Outcome(Result.FAIL, "; ".join(problems), read)
    return Outcome(Result.PASS, "the device boots with its startup configuration", read)


def _config_register(live: LiveState) -> str | None:
    version = live.version
    if version is not None:
        value = version.next_config_register or version.config_register
        if value:
            return value
    if live.boot is not None:
        for member in live.boot.members:
            if member.config_register:
                return member.config_register
    return None


def check_config_saved(live: LiveState, image: TargetImage) -> Outcome:
    """Warn when the running configuration differs from the startup configuration."""
    if live.unsaved_config is None:
        reason = live.error(CONFIG_STATE, HARDWARE, NETCONF, SSH)
        return could_not_read("whether the configuration is saved", reason)
    source = "NETCONF unsaved-config" if NETCONF not in live.errors else "running vs startup"
    if live.unsaved_config:
        return Outcome(
            Result.WARN,
            "the running configuration differs from the startup configuration; the upgrade "
            "backs up both, then saves it (write memory) before the install",
            f"{source}: unsaved",
        )
    return Outcome(Result.PASS, "the running configuration is saved", f"{source}: saved")


def check_reachability(live: LiveState, image: TargetImage) -> Outcome:
    """Fail unless both NETCONF and SSH answered with the stored credentials."""
    login = live.login
    problems = []
    if NETCONF in live.errors:
        reason = live.errors[NETCONF]
        problem = f"NETCONF on port {login.netconf_port} did not answer: {reason}"
        if "refused" in reason or "subsystem" in reason:
            problem += "; if NETCONF is off, turn it on with `xeapp netconf enable`"
        problems.append(problem)
    if SSH in live.errors:
        problems.append(f"SSH on port {login.ssh_port} failed: {live.errors[SSH]}")
    read = f"NETCONF port {login.netconf_port}, SSH port {login.ssh_port}, user {login.username}"
    if problems:
        return Outcome(Result.FAIL, "; ".join(problems), read)
    return Outcome(
        Result.PASS,
        f"NETCONF and SSH answered with the stored credentials of {login.username}",
        read,
    )
