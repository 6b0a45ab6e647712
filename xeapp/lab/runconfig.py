"""The running and startup configurations of a lab device: rendering, saving and loading."""

from __future__ import annotations

from datetime import UTC, datetime

from xeapp.lab.state import DeviceState, SavedConfig


def config_lines(device: DeviceState) -> list[str]:
    """Return the configuration lines between `!` headers and `end`, state included."""
    major_minor = ".".join(device.version.split(".")[:2])
    lines = [
        f"version {major_minor}",
        "service timestamps debug datetime msec",
        "service timestamps log datetime msec",
        "!",
        f"hostname {device.hostname}",
        "!",
    ]
    lines += [f"boot system {entry}" for entry in device.boot_next]
    lines += ["!", f"username {device.username} privilege 15 secret 9 $9$lab$hash", "!"]
    if device.file_prompt_quiet:
        lines.append("file prompt quiet")
    lines += device.running_config
    if device.http_client_source_interface:
        lines.append(f"ip http client source-interface {device.http_client_source_interface}")
    lines += ["!", "line vty 0 15", " login local", " transport input ssh", "!"]
    if device.netconf_enabled:
        lines += ["netconf-yang", "!"]
    return lines


def render_running_config(device: DeviceState) -> str:
    """Render `show running-config` with its header, as IOS-XE prints it."""
    body = "\n".join(["!", *config_lines(device), "end"]) + "\n"
    stamp = datetime.now(UTC).strftime("%H:%M:%S UTC %a %b %d %Y")
    header = (
        "Building configuration...\n\n"
        f"Current configuration : {len(body)} bytes\n"
        "!\n"
        f"! Last configuration change at {stamp} by {device.username}\n"
    )
    return header + body


def render_startup_config(device: DeviceState) -> str:
    """Render `show startup-config` from what `write memory` saved last."""
    lines = device.startup_config or config_lines(device)
    return f"Using {sum(len(x) + 1 for x in lines)} out of 2097152 bytes\n!\n" + "\n".join(
        [*lines, "end", ""]
    )


def save_config(device: DeviceState) -> None:
    """Copy the running configuration to the startup configuration."""
    record_startup(device)
    device.config_saved = True


def record_startup(device: DeviceState) -> None:
    """Make the running configuration the startup one, leaving `config_saved` as it is."""
    device.startup_config = config_lines(device)
    device.saved_config = SavedConfig(
        hostname=device.hostname,
        boot_system=tuple(device.boot_next),
        file_prompt_quiet=device.file_prompt_quiet,
        http_client_source_interface=device.http_client_source_interface,
        netconf_enabled=device.netconf_enabled,
        extra_lines=tuple(device.running_config),
    )


def load_startup(device: DeviceState) -> None:
    """Replace the running configuration with the startup one, as a boot does.

    Changes made since the last save are lost. A device with no startup configuration recorded
    keeps its running one.
    """
    saved = device.saved_config
    if saved is None:
        return
    device.hostname = saved.hostname
    device.boot_next = list(saved.boot_system)
    device.file_prompt_quiet = saved.file_prompt_quiet
    device.http_client_source_interface = saved.http_client_source_interface
    device.netconf_enabled = saved.netconf_enabled
    device.running_config = list(saved.extra_lines)
    device.config_saved = True
