"""`install add|activate|commit|abort|remove inactive` and `reload`, following real transcripts."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from xeapp.lab.clierror import IncompleteCommand, InvalidInput
from xeapp.lab.reload import install_new_version, package_base, reload_device
from xeapp.lab.runconfig import save_config
from xeapp.lab.state import DeviceState, InstallPackage
from xeapp.lab.versions import package_version, version_from_image

if TYPE_CHECKING:
    from xeapp.lab.vty import Vty

log = logging.getLogger(__name__)

_PROCEED = "This operation may require a reload of the system. Do you want to proceed? [y/n]"
# Seconds between the SUCCESS line and the reload, so the client reads the line first.
_RELOAD_GRACE = 0.2
_DEFAULT_ABORT_MINUTES = 120


def _stamp() -> str:
    return datetime.now(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _locations(device: DeviceState) -> list[str]:
    if device.device_kind == "router":
        return ["R0"]
    return [str(m.number) for m in device.members if m.state not in ("Removed", "Provisioned")]


def _phase(device: DeviceState, name: str, verb: str) -> list[str]:
    places = _locations(device)
    lines = [f"--- Starting {name} ---", "Performing " + name + " on all members"]
    for index, place in enumerate(places, 1):
        where = f" {place}" if device.device_kind == "router" else f"Switch {place}"
        lines.append(f" [{index}] {verb} package(s) on {where}")
        lines.append(f" [{index}] Finished {name} on {where}")
    joined = " ".join(places)
    lines += [f"Checking status of {name} on [{joined}]", f"{name}: Passed on [{joined}]"]
    return lines


def _parse_file_argument(device: DeviceState, args: list[str]) -> tuple[str, str, list[str]]:
    """Return (prefix, file name, remaining words) of `file FS:NAME ...`."""
    if not args or not "file".startswith(args[0].lower()):
        raise InvalidInput(len("install add "))
    if len(args) < 2:
        raise IncompleteCommand
    prefix, sep, name = args[1].partition(":")
    if not sep or device.member_filesystem(prefix) is None:
        raise InvalidInput(len("install add file "))
    return prefix, name.lstrip("/"), [a.lower() for a in args[2:]]


def _check_add(device: DeviceState, op: str, prefix: str, name: str) -> tuple[str, int] | str:
    """Return (version, image size) for an add that may go ahead, or the FAILED output."""
    fs = device.member_filesystem(prefix)
    item = fs.files.get(name) if fs else None
    if item is None:
        return f"FAILED: {op} : {prefix}:{name} does not exist. Please check the file path\n"
    version = version_from_image(name)
    if version is None:
        # NOTE: wording assumed; an unreadable image name fails the same way as a bad package.
        return (
            f" [1]  R0 FAILED: Failed to install package {prefix}:/{name}, "
            "error: Invalid package format\n"
            f"FAILED: {op} /{prefix}/{name} {_stamp()}\n"
        )
    faults = device.faults
    added = [p for p in device.install.packages if p.state == "I"]
    if "install_super_package_added" in faults or any(
        p.version == package_version(version) for p in added
    ):
        return (
            f"{op}: Checking whether new add is allowed ....\n"
            f"FAILED: {op} : Super package already added. Add operation not allowed. "
            "'install remove inactive' can be used to discard added packages\n"
        )
    if "install_failed" in faults:
        return f"FAILED: {op} : {faults['install_failed']['message']}\n"
    short = [m for m in device.members if m.filesystem.free_bytes < item.size]
    if "install_no_space" in faults or short:
        member = short[0] if short else device.active_member
        # NOTE: the layout of this line is assumed; the "requires N KB of free space" part
        # is what IOS-XE 17.x prints.
        return (
            f"FAILED: {op} : Insufficient free space on {member.filesystem.name} "
            f"requires {item.size // 1024} KB of free space, "
            f"{member.filesystem.free_bytes // 1024} KB available\n"
        )
    return version, item.size


def _add_lines(device: DeviceState, op: str, prefix: str, name: str, version: str) -> list[str]:
    source = "R0" if device.device_kind == "router" else "Switch 1"
    lines = [
        f"{op}: START {_stamp()}",
        "install_add: Adding IMG",
        "--- Starting initial file syncing ---",
        f"Copying {prefix}:{name} from {source} to {source}",
        "Info: Finished copying to the selected ",
        "Finished initial file syncing",
        "",
    ]
    lines += _phase(device, "Add", "Add")
    lines += ["Finished Add", "", f"Image added. Version: {package_version(version)}", ""]
    return lines


def install_add(vty: Vty, args: list[str]) -> str:
    """Run `install add file FS:FILE [activate [auto-abort-timer N]] [commit] [prompt-level ..]`."""
    device = vty.device
    with device.lock:
        prefix, name, rest = _parse_file_argument(device, args)
        one_shot = "activate" in rest
        op = "install_add_activate_commit" if "commit" in rest else "install_add_activate"
        op = op if one_shot else "install_add"
        if not one_shot and device.mode == "BUNDLE":
            return (
                f"install_add: START {_stamp()}\ninstall_add: Adding IMG\n"
                " [1]  R0 FAILED: Booted in bundle mode. For Bundle-to-Install mode conversion, "
                "please use one-shot CLI - install add file <> activate commit\n"
                f"FAILED: install_add /{prefix}/{name} {_stamp()}\n"
            )
        checked = _check_add(device, op, prefix, name)
        if isinstance(checked, str):
            return f"{op}: START {_stamp()}\n" + checked
        version, size = checked
        install_new_version(device, version, size)
        device.install.packages.append(InstallPackage(package_version(version), "I", name))
        lines = _add_lines(device, op, prefix, name, version)
    vty.write("\n".join(lines) + "\n")
    if not one_shot:
        return f"SUCCESS: install_add {_stamp()}\n"
    minutes = _abort_minutes(rest) if "commit" not in rest else None
    return _activate(vty, op, version, prompt="none" not in rest, abort_minutes=minutes)


def _abort_minutes(words: list[str]) -> int:
    if "auto-abort-timer" in words:
        index = words.index("auto-abort-timer")
        if index + 1 < len(words) and words[index + 1].isdigit():
            return int(words[index + 1])
    return _DEFAULT_ABORT_MINUTES


def _activate(vty: Vty, op: str, version: str, prompt: bool, abort_minutes: int | None) -> str:
    """Activate `version`, commit unless `abort_minutes` is given, then reload the device."""
    device = vty.device
    with device.lock:
        fs_path = device.fs_prefix
        base = package_base(device.image_name)
    long = package_version(version).rsplit(".0.", 1)[0]
    vty.write(
        "install_activate: Activating IMG\nFollowing packages shall be activated:\n"
        f"/{fs_path}/{base}-rpbase.{long}.SPA.pkg\n\n"
    )
    if prompt and not vty.ask_yes_no(_PROCEED):
        return f"FAILED: {op} : User aborted the operation\n"
    with device.lock:
        activate = ["", *_phase(device, "Activate", "Activate")]
    half = len(activate) // 2
    vty.write("\n".join(activate[:half]) + "\n")
    vty.reset_point()
    with device.lock:
        lines = [*activate[half:], "Finished Activate", ""]
        if abort_minutes is None:
            lines += [*_phase(device, "Commit", "Commit"), "Finished Commit operation", ""]
        _mark_activated(device, version, committed=abort_minutes is None)
        if abort_minutes is not None:
            _start_abort_timer(vty, abort_minutes)
    vty.write("\n".join(lines) + f"\nSUCCESS: {op} {_stamp()}\n")
    _reload_after(vty, "Install", version)
    return ""


def _mark_activated(device: DeviceState, version: str, committed: bool) -> None:
    target = package_version(version)
    for package in device.install.packages:
        if package.version == target:
            package.state = "C" if committed else "U"
        elif package.state == "C":
            package.state = "I" if committed else "D"
    if not any(p.version == package_version(device.version) for p in device.install.packages):
        old_state = "I" if committed else "D"
        device.install.packages.insert(
            0, InstallPackage(package_version(device.version), old_state)
        )
    device.install.rollback_version = device.version


def _start_abort_timer(vty: Vty, minutes: int) -> None:
    vty.device.install.auto_abort_deadline = time.monotonic() + minutes * 60


def expire_auto_abort(device: DeviceState) -> bool:
    """Roll back an uncommitted activation whose auto-abort timer has run out.

    The lab's accept loop calls this on every tick, so no timer thread outlives the lab. The
    caller holds `device.lock` and drops the device's sessions when this returns True.
    """
    deadline = device.install.auto_abort_deadline
    if deadline is None or time.monotonic() < deadline:
        return False
    log.info("%s: auto-abort timer expired, rolling back", device.hostname)
    _abort(device)
    return True


def _reload_after(vty: Vty, reason: str, version: str | None) -> None:
    time.sleep(_RELOAD_GRACE)
    with vty.device.lock:
        reload_device(vty.device, reason, version)
    vty.drop_sessions()
    from xeapp.lab.vty import SessionDropped

    raise SessionDropped


def install_activate(vty: Vty, args: list[str]) -> str:
    """Run `install activate [auto-abort-timer N] [prompt-level none]` on the added image."""
    words = [a.lower() for a in args]
    with vty.device.lock:
        added = [p for p in vty.device.install.packages if p.state == "I" and p.filename]
        if not added:
            return (
                f"install_activate: START {_stamp()}\n"
                "FAILED: install_activate : No package is added. Please add a package first\n"
            )
        version = version_from_image(added[-1].filename) or vty.device.version
    vty.write(f"install_activate: START {_stamp()}\n")
    minutes = _abort_minutes(words) if "auto-abort-timer" in words else _DEFAULT_ABORT_MINUTES
    return _activate(vty, "install_activate", version, "none" not in words, minutes)


def install_commit(vty: Vty, args: list[str]) -> str:
    """Run `install commit`: the activated packages become committed and the timer stops."""
    device = vty.device
    with device.lock:
        for package in device.install.packages:
            if package.state == "U":
                package.state = "C"
            elif package.state == "D":
                package.state = "I"
        device.install.auto_abort_deadline = None
        lines = [f"install_commit: START {_stamp()}", *_phase(device, "Commit", "Commit")]
    return "\n".join(
        [*lines, "Finished Commit operation", "", f"SUCCESS: install_commit {_stamp()}", ""]
    )


def _abort(device: DeviceState) -> None:
    old = device.install.rollback_version
    for package in device.install.packages:
        if package.state == "U":
            package.state = "I"
        elif package.state == "D":
            package.state = "C"
    device.install.auto_abort_deadline = None
    if old is not None:
        reload_device(device, "Install", None)
        from xeapp.lab.reload import _boot_into

        _boot_into(device, old)


def install_abort(vty: Vty, args: list[str]) -> str:
    """Run `install abort`: roll an uncommitted activation back, reloading the device."""
    device = vty.device
    with device.lock:
        pending = any(p.state == "U" for p in device.install.packages)
    if not pending:
        return (
            f"install_abort: START {_stamp()}\n"
            "FAILED: install_abort : No Install operation in progress. Nothing to abort\n"
        )
    vty.write(f"install_abort: START {_stamp()}\n")
    with device.lock:
        lines = [*_phase(device, "Abort", "Abort"), "Finished Abort", ""]
    vty.write("\n".join(lines) + f"\nSUCCESS: install_abort {_stamp()}\n")
    time.sleep(_RELOAD_GRACE)
    with device.lock:
        _abort(device)
    vty.drop_sessions()
    from xeapp.lab.vty import SessionDropped

    raise SessionDropped


def install_remove_inactive(vty: Vty, args: list[str]) -> str:
    """Run `install remove inactive`: list unused images and packages, ask, then delete them."""
    device = vty.device
    with device.lock:
        running = package_version(device.version).rsplit(".0.", 1)[0]
        keep_versions = {
            p.version.rsplit(".0.", 1)[0] for p in device.install.packages if p.state in "UCD"
        }
        keep_versions.add(running)
        doomed: list[tuple[str, str]] = []
        for member in device.members:
            for name in member.filesystem.files:
                if _is_inactive(device, name, keep_versions):
                    doomed.append((member.filesystem.name, name))
    vty.write(
        f"install_remove: START {_stamp()}\ninstall_remove: Removing IMG\n"
        "Cleaning up unnecessary package files\n"
        f"No path specified, will use booted path /{device.fs_prefix}/packages.conf\n\n"
        f"Cleaning /{device.fs_prefix}\n"
        "  Scanning boot directory for packages ... done.\n"
        "  Preparing packages list to delete ...\n"
    )
    if not doomed:
        return f"SUCCESS: install_remove {_stamp()}\n"
    listed = "\n".join(f"    [{fs.rstrip(':')}]: /{fs.rstrip(':')}/{name}" for fs, name in doomed)
    if not vty.ask_yes_no(
        f"\nThe following files will be deleted:\n{listed}\n\n"
        "Do you want to remove the above files? [y/n]"
    ):
        return "FAILED: install_remove : User aborted the operation\n"
    with device.lock:
        for fs_name, name in doomed:
            fs = device.member_filesystem(fs_name)
            if fs is not None:
                fs.files.pop(name, None)
        device.install.packages = [p for p in device.install.packages if p.state != "I"]
    deleted = "\n".join(f"Deleting file /{device.fs_prefix}/{name} ... done." for _, name in doomed)
    return (
        f"\n\n{deleted}\nSUCCESS: Files deleted.\n\n--- Starting Post_Remove_Cleanup ---\n"
        "Performing REMOVE_POSTCHECK on all members\nFinished Post_Remove_Cleanup\n"
        f"SUCCESS: install_remove {_stamp()}\n"
    )


def _is_inactive(device: DeviceState, name: str, keep_versions: set[str]) -> bool:
    if name == "packages.conf":
        return False
    if device.mode == "BUNDLE" and name == device.image_name:
        return False
    if not name.endswith((".bin", ".pkg", ".conf")):
        return False
    return not any(f".{version}." in name for version in keep_versions) or name.endswith(".bin")


def reload_command(vty: Vty, args: list[str]) -> str:
    """Run `reload`: offer to save changed configuration, ask `[confirm]`, then reload."""
    device = vty.device
    with device.lock:
        unsaved = not device.config_saved
    if unsaved:
        answer = vty.ask("\nSystem configuration has been modified. Save? [yes/no]: ").strip()
        if answer.lower().startswith("y"):
            with device.lock:
                save_config(device)
            vty.write("Building configuration...\n[OK]\n")
    if not vty.confirm("Proceed with reload? [confirm]"):
        return ""
    _reload_after(vty, "Reload Command", None)
    return ""
