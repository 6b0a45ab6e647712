"""A lab fleet: devices built from profiles, their loopback addresses, and the Python test API."""

from __future__ import annotations

import csv
import ipaddress
import logging
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import paramiko

from xeapp.lab.faults import apply_fault
from xeapp.lab.profiles import build_device, load_profile, profile_names
from xeapp.lab.runconfig import record_startup
from xeapp.lab.ssh_server import Endpoint, LabServer
from xeapp.lab.state import DeviceState

log = logging.getLogger(__name__)

LabDevice = Endpoint
DEMO_TARGET_VERSION = "17.12.4"

# The demo fleet: one device per pre-check outcome. Each entry is a profile and its overrides.
# The 3850 and the NETCONF-off C9200L get 1.2 and 1.4 GB free (their profiles keep the real
# 0.88 and 0.90 GB) so that, once NETCONF is on, the demo can upgrade them after a Warn.
DEMO_FLEET: list[dict[str, Any]] = [
    {"profile": "c9300-stack3", "hostname": "demo-stack-healthy"},
    {"profile": "c9300-stack3", "hostname": "demo-stack-lowflash", "flash_free": {2: 800_000_000}},
    {"profile": "c9500", "hostname": "demo-c9500-under2g", "flash_free": {1: 1_500_000_000}},
    {
        "profile": "c3850-stack",
        "hostname": "demo-3850-bundle",
        "flash_free": {1: 1_200_000_000, 2: 1_200_000_000},
    },
    {
        "profile": "c9500",
        "hostname": "demo-c9500-ignorecfg",
        "romvars": {"SWITCH_IGNORE_STARTUP_CFG": "1"},
    },
    {
        "profile": "c9200l",
        "hostname": "demo-c9200l-noconf",
        "flash_free": {1: 1_400_000_000},
        "faults": {"netconf_disabled": {}},
    },
    {"profile": "c9300-stack3", "hostname": "demo-stack-ontarget", "version": "17.12.4"},
    {"profile": "isr4451-x", "hostname": "demo-isr4451"},
    {"profile": "c8300", "hostname": "demo-c8300"},
    {"profile": "asr1001-x", "hostname": "demo-asr1001x"},
    {"profile": "c8000v", "hostname": "demo-c8000v"},
    {"profile": "c9200l", "hostname": "demo-c9200l-badcreds", "faults": {"wrong_credentials": {}}},
]


def make_device(spec: dict[str, Any], index: int = 0) -> DeviceState:
    """Build a device from `{"profile": name-or-path, ...overrides}`.

    Overrides: hostname, version, username, password, romvars (merged), flash_free (member
    number to free bytes), netconf_enabled, faults (name to parameters), serial_suffix.
    """
    data = load_profile(spec["profile"])
    for key in ("hostname", "version", "netconf_enabled", "config_saved", "file_prompt_quiet"):
        if key in spec:
            data[key] = spec[key]
    data["romvars"] = {**(data.get("romvars") or {}), **spec.get("romvars", {})}
    for number, free in (spec.get("flash_free") or {}).items():
        for position, member in enumerate(data["members"], 1):
            if int(member.get("number", position)) == int(number):
                member["flash_free"] = int(free)
    if index:
        for member in data["members"]:
            member["serial"] = f"{member['serial'][:-4]}{index:04d}"
            number = int(member.get("number", 1)) % 256
            member["mac"] = f"0000.5e{index // 256 % 256:02x}.{index % 256:02x}{number:02x}"
    device = build_device(data)
    device.username = spec.get("username", data.get("username", device.username))
    device.password = spec.get("password", data.get("password", device.password))
    faults = {**(data.get("faults") or {}), **(spec.get("faults") or {})}
    for name, params in faults.items():
        apply_fault(device, name, dict(params or {}))
    return device


def mixed_specs(count: int) -> list[dict[str, Any]]:
    """Return `count` device specs cycling through every shipped profile."""
    names = profile_names()
    specs = []
    for index in range(count):
        profile = names[index % len(names)]
        specs.append({"profile": profile, "hostname": f"lab-{profile}-{index + 1:03d}"})
    return specs


def aliases_available(base: str) -> bool:
    """Return True when loopback addresses other than 127.0.0.1 can be bound (not on macOS)."""
    probe = str(ipaddress.IPv4Address(base) + 1)
    if probe == "127.0.0.1":
        probe = "127.0.0.2"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((probe, 0))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def raise_open_file_limit(device_count: int) -> None:
    """Raise the soft RLIMIT_NOFILE to what `device_count` devices with sessions need."""
    try:
        import resource
    except ImportError:  # Windows has no RLIMIT_NOFILE
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Two listeners, two client sockets and two server sockets per device, plus headroom.
    wanted = device_count * 8 + 512
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < limit:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
        log.info("raised the open-file limit from %d to %d", soft, limit)


_host_keys: list[paramiko.PKey] = []


def _host_key() -> paramiko.PKey:
    """Return the RSA host key every lab in this process presents, generated on first use."""
    if not _host_keys:
        _host_keys.append(paramiko.RSAKey.generate(2048))
    return _host_keys[0]


class Lab:
    """Simulated devices on loopback addresses, served by one in-process SSH server.

    Devices get consecutive addresses from `base`, all on `ssh_port` and `netconf_port`. Where
    only 127.0.0.1 can be bound, every device gets 127.0.0.1 and its own pair of ports
    (`ssh_port + i`, `netconf_port + i`, or free ports when the port is 0).
    """

    def __init__(
        self,
        devices: list[DeviceState],
        base: str = "127.0.0.10",
        ssh_port: int = 2222,
        netconf_port: int = 8830,
        reload_behaviour: str = "refuse",
    ) -> None:
        if not ipaddress.IPv4Address(base).is_loopback:
            raise ValueError(f"lab address {base} is not a loopback address (127.0.0.0/8)")
        self.states = devices
        self.base = base
        self.ssh_port = ssh_port
        self.netconf_port = netconf_port
        self.host_key = _host_key()
        self.server = LabServer(self.host_key, reload_behaviour)
        self.devices: list[LabDevice] = []
        self.started = False

    def start(self) -> Lab:
        """Bind every device's ports and start serving.

        Raises:
            OSError: an address or port is already in use (for example by another lab).
        """
        raise_open_file_limit(len(self.states))
        distinct = aliases_available(self.base)
        if not distinct:
            log.warning("loopback aliases unavailable: every device uses 127.0.0.1, own ports")
        first = ipaddress.IPv4Address(self.base)
        try:
            for index, state in enumerate(self.states):
                ip = str(first + index) if distinct else "127.0.0.1"
                if not ipaddress.IPv4Address(ip).is_loopback:
                    raise ValueError(f"address {ip} of device {index + 1} is outside 127.0.0.0/8")
                shift = 0 if distinct else index
                ssh = self.ssh_port + shift if self.ssh_port else 0
                netconf = self.netconf_port + shift if self.netconf_port else 0
                self.devices.append(self.server.add(Endpoint(state, ip, ssh, netconf)))
        except (OSError, ValueError):
            self.server.stop()
            raise
        for state in self.states:
            with state.lock:
                state.netconf_ready_at = max(state.netconf_ready_at, time.monotonic())
                if state.saved_config is None:
                    record_startup(state)
        self.server.start()
        self.started = True
        log.info("lab started with %d devices", len(self.devices))
        return self

    def stop(self) -> None:
        """Close every port and session; safe to call twice."""
        if self.started:
            self.server.stop()
            self.started = False
            log.info("lab stopped")

    def __enter__(self) -> Lab:
        return self if self.started else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def device(self, key: str) -> LabDevice:
        """Return the device with this address or hostname (on 127.0.0.1, use the hostname).

        Raises:
            KeyError: no device has that address or hostname.
        """
        for device in self.devices:
            if key in (device.ip, device.hostname):
                return device
        raise KeyError(f"no lab device with address or hostname {key!r}")

    def set_fault(self, key: str, name: str, **params: object) -> None:
        """Give device `key` (address or hostname) the fault `name`; see faults.FAULTS.

        Raises:
            KeyError: unknown device. ValueError: unknown fault or parameter.
        """
        apply_fault(self.device(key).device, name, params)

    def clear_faults(self, key: str) -> None:
        """Remove every fault of device `key`; state a fault changed (NETCONF off) stays."""
        state = self.device(key).device
        with state.lock:
            state.faults.clear()

    def write_inventory(self, path: str | Path) -> None:
        """Write the CSV the app imports: ip, ssh_port, netconf_port, username, hostname."""
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ip", "ssh_port", "netconf_port", "username", "hostname"])
            for device in self.devices:
                with device.device.lock:
                    row = [device.ip, device.ssh_port, device.netconf_port]
                    row += [device.device.username, device.device.hostname]
                writer.writerow(row)


def start_lab(
    fleet: str | None = "demo",
    profiles: list[str | dict[str, Any]] | None = None,
    count: int | None = None,
    base: str = "127.0.0.10",
    ssh_port: int = 0,
    netconf_port: int = 0,
    reload_seconds: float = 1.0,
    netconf_start_seconds: float = 0.5,
    username: str | None = None,
    password: str | None = None,
    reload_behaviour: str = "refuse",
) -> Lab:
    """Build and start a lab: the demo fleet, given profiles (names, paths or specs), or `count`
    devices mixed from every profile. Ports 0 pick free ports. Returns the started Lab.

    Raises:
        ValueError: `count` is below 1, `base` is not an IPv4 loopback address, or the fleet
            or a fault is unknown.
        ProfileError: a profile is missing or invalid.
        OSError: an address or port is already in use.
    """
    if count is not None and count < 1:
        raise ValueError(f"invalid device count {count}: start 1 or more devices")
    try:
        loopback = ipaddress.IPv4Address(base).is_loopback
    except ValueError as exc:
        raise ValueError(f"invalid base address {base!r}: {exc}") from exc
    if not loopback:
        raise ValueError(f"invalid base address {base}: use a loopback address (127.0.0.0/8)")
    if profiles:
        specs = [p if isinstance(p, dict) else {"profile": p} for p in profiles]
    elif count:
        specs = mixed_specs(count)
    elif fleet == "demo":
        specs = DEMO_FLEET
    else:
        raise ValueError(f"unknown fleet {fleet!r}; use 'demo', profiles or count")
    states = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        if username is not None:
            spec.setdefault("username", username)
        if password is not None:
            spec.setdefault("password", password)
        state = make_device(spec, index + 1 if count else 0)
        state.reload_seconds = reload_seconds
        if "netconf_slow_start" not in state.faults:
            state.netconf_start_seconds = netconf_start_seconds
        states.append(state)
    return Lab(states, base, ssh_port, netconf_port, reload_behaviour).start()
