"""The disk_space check: free flash on every stack member against the image and two floors."""

from __future__ import annotations

from xeapp.devicefacts import MemberFacts
from xeapp.prechecks.common import ABSENT_STATES, GB, could_not_read, size_text, worst
from xeapp.prechecks.live import FILESYSTEMS, NETCONF, SSH, LiveState
from xeapp.prechecks.model import Outcome, Result, TargetImage

FAIL_BELOW = 1 * GB
WARN_BELOW = 2 * GB
REMEDY_HINT = "run `install remove inactive` to delete unused images and packages, then recheck"


def image_need(image: TargetImage) -> int:
    """Return the free bytes the install needs on each member: the copy, then its expansion.

    `install add` expands the .bin into packages next to it, which take about the image size
    again, so a member needs about twice the image size.
    """
    return 2 * image.size


def check_disk_space(live: LiveState, image: TargetImage) -> Outcome:
    """Check the free space of every present member's flash against the image and the floors.

    Fail under 1 GB or under twice the image size, Warn under 2 GB. The message names each
    member's filesystem with its numbers, the worst first.
    """
    members = [m for m in live.facts.members if m.state not in ABSENT_STATES]
    if not members:
        reason = live.error(FILESYSTEMS, NETCONF, SSH)
        return could_not_read("the stack members and their flash", reason)

    source = live.free_space_source or "flash partitions"
    read = f"{source}: " + ", ".join(
        f"{_name(m)} {size_text(m.free_bytes)} free" for m in members if m.free_bytes is not None
    )
    unread = [m for m in members if m.free_bytes is None]
    if unread:
        names = ", ".join(_name(m) for m in unread)
        return could_not_read(f"the free space of {names}", live.error(FILESYSTEMS), read)

    need = image_need(image)
    findings = [_judge(m, need, image) for m in members]
    result = worst([r for r, _ in findings])
    if result is Result.PASS:
        message = (
            f"enough free space on every member ({read.split(': ', 1)[1]}); "
            f"each needs {size_text(need)} and at least {size_text(WARN_BELOW)}"
        )
        return Outcome(result, message, read)

    ordered = sorted(
        (item for item in findings if item[0] is not Result.PASS),
        key=lambda item: item[0] is not Result.FAIL,
    )
    message = "; ".join(text for _, text in ordered)
    if result is Result.FAIL:
        message += f"; {REMEDY_HINT}"
    return Outcome(result, message, read)


def _judge(member: MemberFacts, need: int, image: TargetImage) -> tuple[Result, str]:
    free = member.free_bytes or 0
    name = _name(member)
    if free < need:
        return Result.FAIL, (
            f"{name} {size_text(free)} free, needs {size_text(need)} (image "
            f"{size_text(image.size)} copied plus about as much to expand)"
        )
    if free < FAIL_BELOW:
        return Result.FAIL, f"{name} {size_text(free)} free, under the 1 GB minimum"
    if free < WARN_BELOW:
        return Result.WARN, (
            f"{name} {size_text(free)} free, under 2 GB: enough for this image "
            f"({size_text(need)}), little room for anything else"
        )
    return Result.PASS, f"{name} {size_text(free)} free"


def _name(member: MemberFacts) -> str:
    return member.filesystem or f"member {member.number}:"
