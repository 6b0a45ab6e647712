"""The exec and configuration mode command trees of a lab device, with the simple handlers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import xeapp.lab.file_commands as file_commands
import xeapp.lab.install_commands as install_commands
from xeapp.lab.clierror import IncompleteCommand, InvalidInput
from xeapp.lab.commandtree import Handler, Tree
from xeapp.lab.runconfig import render_running_config, render_startup_config, save_config
from xeapp.lab.show_boot import render_show_boot, render_show_install_summary, render_show_romvar
from xeapp.lab.show_files import render_dir, render_show_file_systems
from xeapp.lab.show_system import render_show_inventory, render_show_switch, render_show_version
from xeapp.lab.state import DeviceState

if TYPE_CHECKING:
    from xeapp.lab.vty import Vty


class SessionEnd(Exception):
    """The user typed `exit` or `logout` in exec mode."""


def _verbatim(device: DeviceState, command: str) -> str | None:
    """Return the profile's verbatim output of `command`, ending in a newline, or None.

    Captures often lose the last newline; the device always sends one before its prompt.
    """
    text = device.verbatim_cli.get(command)
    if text is None or text.endswith("\n"):
        return text
    return text + "\n"


def _show(command: str, render: Callable[[DeviceState], str]) -> Handler:
    def handler(vty: Vty, args: list[str]) -> str:
        if args:
            raise InvalidInput(len(command) + 1)
        with vty.device.lock:
            verbatim = _verbatim(vty.device, command)
            return verbatim if verbatim is not None else render(vty.device)

    return handler


def _dir(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        target = args[0] if args else f"{vty.device.fs_prefix}:"
        verbatim = _verbatim(vty.device, f"dir {target}")
        return verbatim if verbatim is not None else render_dir(vty.device, target)


def _terminal_setting(attribute: str, low: int, high: int) -> Handler:
    def handler(vty: Vty, args: list[str]) -> str:
        if not args:
            raise IncompleteCommand
        if not args[0].isdigit() or not low <= int(args[0]) <= high:
            raise InvalidInput(len("terminal ") + len(attribute) + 1)
        setattr(vty.terminal, attribute, int(args[0]))
        return ""

    return handler


def _configure(vty: Vty, args: list[str]) -> str:
    vty.config_mode = True
    return "Enter configuration commands, one per line.  End with CNTL/Z.\n"


def _end(vty: Vty, args: list[str]) -> str:
    vty.config_mode = False
    return ""


def _exit(vty: Vty, args: list[str]) -> str:
    raise SessionEnd


def _write_memory(vty: Vty, args: list[str]) -> str:
    if args and not "memory".startswith(args[0].lower()):
        raise InvalidInput(6)
    with vty.device.lock:
        save_config(vty.device)
    return "Building configuration...\n[OK]\n"


def _enable(vty: Vty, args: list[str]) -> str:
    return ""


def _do(vty: Vty, args: list[str]) -> str:
    vty.config_mode = False
    try:
        vty.execute(" ".join(args))
    finally:
        vty.config_mode = True
    return ""


def _mark_changed(device: DeviceState) -> None:
    device.config_saved = False


def _netconf_yang(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        device = vty.device
        if not device.netconf_enabled:
            device.netconf_enabled = True
            device.netconf_ready_at = time.monotonic() + device.netconf_start_seconds
            _mark_changed(device)
    return ""


def _no_netconf_yang(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        vty.device.netconf_enabled = False
        _mark_changed(vty.device)
    return ""


def _http_source(vty: Vty, args: list[str]) -> str:
    if not args:
        raise IncompleteCommand
    with vty.device.lock:
        vty.device.http_client_source_interface = "".join(args)
        _mark_changed(vty.device)
    return ""


def _no_http_source(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        vty.device.http_client_source_interface = None
        _mark_changed(vty.device)
    return ""


def _file_prompt(vty: Vty, args: list[str]) -> str:
    if args and not "quiet".startswith(args[0].lower()):
        raise InvalidInput(len("file prompt "))
    with vty.device.lock:
        vty.device.file_prompt_quiet = bool(args)
        _mark_changed(vty.device)
    return ""


def _no_file_prompt(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        vty.device.file_prompt_quiet = False
        _mark_changed(vty.device)
    return ""


def _hostname(vty: Vty, args: list[str]) -> str:
    if len(args) != 1:
        raise IncompleteCommand
    with vty.device.lock:
        vty.device.hostname = args[0]
        _mark_changed(vty.device)
    return ""


def _boot_system(vty: Vty, args: list[str]) -> str:
    if not args:
        raise IncompleteCommand
    with vty.device.lock:
        vty.device.boot_next = [args[-1]]
        _mark_changed(vty.device)
    return ""


def _no_boot_system(vty: Vty, args: list[str]) -> str:
    with vty.device.lock:
        vty.device.boot_next = []
        _mark_changed(vty.device)
    return ""


EXEC_TREE: Tree = {
    "show": {
        "version": _show("show version", render_show_version),
        "romvar": _show("show romvar", render_show_romvar),
        "boot": _show("show boot", render_show_boot),
        "bootvar": _show("show bootvar", render_show_boot),
        "install": {"summary": _show("show install summary", render_show_install_summary)},
        "switch": _show("show switch", render_show_switch),
        "inventory": _show("show inventory", render_show_inventory),
        "file": {"systems": _show("show file systems", render_show_file_systems)},
        "running-config": _show("show running-config", render_running_config),
        "startup-config": _show("show startup-config", render_startup_config),
    },
    "dir": _dir,
    "terminal": {
        "length": _terminal_setting("length", 0, 512),
        "width": _terminal_setting("width", 0, 512),
    },
    "configure": {"terminal": _configure},
    "write": _write_memory,
    "copy": file_commands.copy,
    "verify": file_commands.verify,
    "delete": file_commands.delete,
    "install": {
        "add": install_commands.install_add,
        "activate": install_commands.install_activate,
        "commit": install_commands.install_commit,
        "abort": install_commands.install_abort,
        "remove": {"inactive": install_commands.install_remove_inactive},
    },
    "reload": install_commands.reload_command,
    "enable": _enable,
    "exit": _exit,
    "logout": _exit,
    "quit": _exit,
}

CONFIG_TREE: Tree = {
    "netconf-yang": _netconf_yang,
    "ip": {"http": {"client": {"source-interface": _http_source}}},
    "file": {"prompt": _file_prompt},
    "hostname": _hostname,
    "boot": {"system": _boot_system},
    "no": {
        "netconf-yang": _no_netconf_yang,
        "ip": {"http": {"client": {"source-interface": _no_http_source}}},
        "file": {"prompt": _no_file_prompt},
        "boot": {"system": _no_boot_system},
    },
    "do": _do,
    "end": _end,
    "exit": _end,
}
