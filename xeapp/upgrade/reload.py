"""Reload tracking: wait for the device to go down, then for SSH and NETCONF to respond again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from xeapp.devicefacts import NETCONF_ENABLED, SOURCE_NETCONF, DeviceFacts
from xeapp.drivers.connection import DeviceLogin, open_socket
from xeapp.drivers.facts import read_device
from xeapp.errors import DeviceError
from xeapp.upgrade.context import JobContext
from xeapp.upgrade.record import STEP_RELOAD, JobFailed

DeviceReader = Callable[[DeviceLogin], DeviceFacts]


class NotReloaded(Exception):
    """The device kept responding with its old boot time past the down timeout."""

    def __init__(self, facts: DeviceFacts) -> None:
        super().__init__(f"{facts.ip_address} did not reload")
        self.facts = facts


def wait_for_reload(
    context: JobContext,
    before: DeviceFacts,
    reader: DeviceReader = read_device,
    *,
    step: str = STEP_RELOAD,
) -> DeviceFacts:
    """Wait for the reload and return the device's facts once SSH and NETCONF respond again.

    A reload is seen when the device stops responding or its boot time (read over NETCONF)
    changes. NETCONF must respond again only when it responded before. Raises NotReloaded when
    the device keeps answering without a reload past `down_timeout_s`, and JobFailed when it
    went down and did not come back within the reload timeout. The wait is recorded as `step`,
    which it starts unless it is already the running step, and finishes.
    """
    options = context.options
    recorder = context.recorder
    if recorder.current_step != step:
        recorder.start_step(step, f"waiting up to {options.reload_timeout_s:g} s")
    probe_login = replace(
        context.login,
        connect_timeout_s=min(context.login.connect_timeout_s, max(options.poll_interval_s, 2.0)),
    )
    started = time.monotonic()
    went_down = False
    last_error = ""

    while True:
        try:
            # A refused TCP connect costs far less than a full read while the device is down.
            open_socket(probe_login.host, probe_login.ssh_port, 2.0, "reload probe").close()
            facts: DeviceFacts | None = reader(probe_login)
        except DeviceError as exc:
            # Logins can fail while a device boots (AAA not yet up), so they count as down.
            facts, last_error = None, exc.reason
        elapsed = time.monotonic() - started

        if facts is None and not went_down:
            went_down = True
            recorder.line(f"device is down after {elapsed:.1f} s ({last_error})")
        elif facts is not None and not went_down and _netconf_stopped(before, facts):
            # A reload shorter than one probe shows only as one protocol failing mid-read.
            went_down = True
            recorder.line(f"device stopped responding on one protocol after {elapsed:.1f} s")
        elif facts is not None:
            rebooted = went_down or _boot_time_changed(before, facts)
            if rebooted and _answers_fully(before, facts):
                recorder.finish_step(step, message=f"device responds after {elapsed:.1f} s")
                return facts
            if not rebooted and elapsed > options.down_timeout_s:
                raise NotReloaded(facts)

        if elapsed > options.reload_timeout_s:
            raise JobFailed(
                f"the device did not come back within {options.reload_timeout_s:g} s after "
                f"the reload; last error: {last_error or 'none'}"
            )
        time.sleep(options.poll_interval_s)


def _boot_time_changed(before: DeviceFacts, after: DeviceFacts) -> bool:
    # Boot time read over the CLI comes from the uptime, in whole minutes, so only NETCONF
    # values are exact enough to compare.
    if before.source != SOURCE_NETCONF or after.source != SOURCE_NETCONF:
        return False
    return bool(before.boot_time and after.boot_time and before.boot_time != after.boot_time)


def _netconf_stopped(before: DeviceFacts, after: DeviceFacts) -> bool:
    if any(error.startswith("SSH") for error in after.read_errors):
        return True
    return before.source == SOURCE_NETCONF and after.source != SOURCE_NETCONF


def _answers_fully(before: DeviceFacts, after: DeviceFacts) -> bool:
    if before.netconf_state == NETCONF_ENABLED and after.source != SOURCE_NETCONF:
        return False
    return not any(error.startswith("SSH") for error in after.read_errors)
