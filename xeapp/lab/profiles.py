"""Device profiles: YAML or JSON files describing a model, its output shapes and starting state."""

from __future__ import annotations

import copy
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from xeapp.lab.reload import expanded_files
from xeapp.lab.state import DeviceState, Filesystem, LabFile, Member, Platform
from xeapp.lab.versions import image_for_version, package_version, short_version

log = logging.getLogger(__name__)

DEFAULT_IMAGE_SIZE = 1_200_000_000


class ProfileError(ValueError):
    """A profile file that is missing, unreadable or lacks a required key."""


def profile_names() -> list[str]:
    """Return the names of the profiles shipped in xeapp/lab/profiles/."""
    folder = resources.files("xeapp.lab") / "profiles"
    return sorted(
        entry.name.rsplit(".", 1)[0]
        for entry in folder.iterdir()
        if entry.name.endswith((".yaml", ".yml", ".json"))
    )


def load_profile(name_or_path: str | Path) -> dict[str, Any]:
    """Read a shipped profile by name, or a profile file by path.

    Raises:
        ProfileError: the profile is not found or is not valid YAML or JSON.
    """
    path = Path(name_or_path)
    if not path.exists():
        folder = resources.files("xeapp.lab") / "profiles"
        candidate = folder / f"{name_or_path}.yaml"
        if not candidate.is_file():
            known = ", ".join(profile_names())
            raise ProfileError(f"profile {name_or_path!r} not found; shipped profiles: {known}")
        text = candidate.read_text(encoding="utf-8")
        base = Path(str(folder))
    else:
        text = path.read_text(encoding="utf-8")
        base = path.parent
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ProfileError(f"profile {name_or_path}: invalid YAML or JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"profile {name_or_path}: expected a mapping at the top level")
    data = copy.deepcopy(data)
    data.setdefault("name", Path(str(name_or_path)).stem)
    data["_base_dir"] = str(base)
    return data


def _verbatim(data: dict[str, Any], key: str) -> dict[str, str]:
    """Return the verbatim outputs of a profile, reading `{file: path}` entries from disk."""
    result: dict[str, str] = {}
    for command, value in (data.get(key) or {}).items():
        if isinstance(value, dict) and "file" in value:
            path = Path(data["_base_dir"]) / value["file"]
            result[str(command)] = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        else:
            result[str(command)] = str(value)
    return result


def _require(data: dict[str, Any], key: str) -> Any:
    if key not in data:
        raise ProfileError(f"profile {data.get('name')}: missing key {key!r}")
    return data[key]


def build_device(data: dict[str, Any]) -> DeviceState:
    """Build the starting state of one device from a profile mapping.

    Raises:
        ProfileError: a required key is missing.
    """
    kind = _require(data, "kind")
    version = short_version(str(_require(data, "version")))
    image_size = int(data.get("image_size", DEFAULT_IMAGE_SIZE))
    image = image_for_version(str(_require(data, "image")), version)
    mode = str(data.get("mode", "INSTALL")).upper()
    prefix = "flash" if kind == "switch" else "bootflash"
    members = [_member(m, kind, index) for index, m in enumerate(_require(data, "members"), 1)]
    platform = Platform(**(data.get("platform") or {}))
    boot = [f"{prefix}:packages.conf"] if mode == "INSTALL" else [f"{prefix}:{image}"]
    device = DeviceState(
        hostname=str(_require(data, "hostname")),
        profile=str(data["name"]),
        chassis_pid=str(data.get("chassis_pid", members[0].pid)),
        device_kind=kind,
        version=version,
        image_name=image,
        mode=mode,
        rommon_version=str(data.get("rommon_version", "17.6.1r[FC2]")),
        boot_current=list(boot),
        boot_next=list(boot),
        romvars={str(k): str(v) for k, v in (data.get("romvars") or {}).items()},
        members=members,
        platform=platform,
        verbatim_cli=_verbatim(data, "verbatim_cli"),
        verbatim_netconf=_verbatim(data, "verbatim_netconf"),
    )
    device.netconf_enabled = bool(data.get("netconf_enabled", True))
    device.config_saved = bool(data.get("config_saved", True))
    device.file_prompt_quiet = bool(data.get("file_prompt_quiet", False))
    device.running_config = [str(line) for line in data.get("config", [])]
    device.install.packages = []
    _place_files(device, data, image_size)
    from xeapp.lab.state import InstallPackage

    device.install.packages.append(InstallPackage(package_version(version), "C", image))
    return device


def _member(data: dict[str, Any], kind: str, index: int) -> Member:
    number = int(data.get("number", index))
    fs_name = f"flash-{number}:" if kind == "switch" else "bootflash:"
    total = int(data.get("flash_total", 11_353_194_496))
    return Member(
        number=number,
        pid=str(data["pid"]),
        serial=str(data["serial"]),
        role=str(data.get("role", "Active" if index == 1 else "Member")),
        state=str(data.get("state", "Ready")),
        mac=str(data.get("mac", f"0000.5e00.53{index:02x}")),
        hw_version=str(data.get("hw_version", "V01")),
        filesystem=Filesystem(name=fs_name, total_bytes=total),
        priority=int(data.get("priority", 15 if index == 1 else 1)),
        model=str(data.get("model", "")),
    )


def _place_files(device: DeviceState, data: dict[str, Any], image_size: int) -> None:
    """Put the boot files on each member's flash and size the hidden rest to the profile's free."""
    free_by_number = {
        int(m.get("number", i)): m.get("flash_free") for i, m in enumerate(data["members"], 1)
    }
    for member in device.members:
        files = member.filesystem.files
        if device.mode == "INSTALL":
            files["packages.conf"] = LabFile("packages.conf", 8192, "")
            for item in expanded_files(device.image_name, device.version, image_size):
                files[item.name] = item
        else:
            files[device.image_name] = LabFile(device.image_name, image_size, "")
        for extra in data.get("files", []) if member is device.active_member else []:
            files[str(extra["name"])] = LabFile(
                str(extra["name"]), int(extra["size"]), str(extra.get("md5", ""))
            )
        free = free_by_number.get(member.number)
        if free is not None:
            used = sum(f.size for f in files.values())
            member.filesystem.reserved_bytes = max(0, member.filesystem.total_bytes - used - free)
