"""`show file systems` and `dir` in the layouts of real IOS-XE output."""

from __future__ import annotations

from xeapp.lab.state import DeviceState, Filesystem, LabFile

_FIXED_BEFORE = [("opaque", "rw", "system:"), ("opaque", "rw", "tmpsys:")]
_FIXED_AFTER = [
    ("opaque", "rw", "null:"),
    ("opaque", "ro", "tar:"),
    ("network", "rw", "tftp:"),
    ("opaque", "wo", "syslog:"),
    ("network", "rw", "rcp:"),
    ("network", "rw", "http:"),
    ("network", "rw", "ftp:"),
    ("network", "rw", "scp:"),
    ("network", "rw", "sftp:"),
    ("network", "rw", "https:"),
    ("opaque", "ro", "cns:"),
]


def _row(mark: str, size: str, free: str, kind: str, flags: str, prefixes: str) -> str:
    return f"{mark}{size:>13}{free:>14}{kind:>10}{flags:>7}   {prefixes}"


def render_show_file_systems(device: DeviceState) -> str:
    """Render `show file systems` with one disk row per stack member or the router's bootflash."""
    lines = ["File Systems:", "", _row(" ", "Size(b)", "Free(b)", "Type", "Flags", "Prefixes")]
    lines += [_row(" ", "-", "-", *fixed) for fixed in _FIXED_BEFORE]
    active = device.active_member
    for member in device.members:
        if member.state in ("Removed", "Provisioned"):
            continue
        fs = member.filesystem
        if device.device_kind == "router":
            prefixes = "bootflash: flash:"
        elif member is active:
            prefixes = f"flash: bootflash: {fs.name}"
        elif member.role == "Standby":
            prefixes = f"{fs.name} stby-flash:"
        else:
            prefixes = fs.name
        mark = "*" if member is active else " "
        lines.append(_row(mark, str(fs.total_bytes), str(fs.free_bytes), "disk", "rw", prefixes))
    lines.append(_row(" ", "2097152", "2056462", "nvram", "rw", "nvram:"))
    lines += [_row(" ", "-", "-", *fixed) for fixed in _FIXED_AFTER]
    return "\n".join(lines) + "\n\n"


def _file_line(inode: int, item: LabFile) -> str:
    moment = item.mtime
    stamp = moment.strftime("%b ") + f"{moment.day:>2} " + moment.strftime("%Y %H:%M:%S +00:00")
    return f"{inode:>6}  -rw-  {item.size:>15}  {stamp}  {item.name}"


def render_dir(device: DeviceState, target: str) -> str:
    """Render `dir <fs>:` or `dir <fs>:<file>`; a missing file gets the IOS-XE error line."""
    prefix, _, path = target.partition(":")
    fs = device.member_filesystem(prefix)
    if fs is None:
        return f"%Error opening {target} (No such device)\n"
    name = path.lstrip("/")
    if name and name not in fs.files:
        return f"%Error opening {prefix}:/{name} (No such file or directory)\n"
    files = [fs.files[name]] if name else sorted(fs.files.values(), key=lambda f: f.name)
    lines = [f"Directory of {prefix}:/{name}", ""]
    lines += [_file_line(_inode(fs, item), item) for item in files]
    lines += ["", f"{fs.total_bytes} bytes total ({fs.free_bytes} bytes free)"]
    return "\n".join(lines) + "\n"


def _inode(fs: Filesystem, item: LabFile) -> int:
    return 16 + sorted(fs.files).index(item.name) * 3
