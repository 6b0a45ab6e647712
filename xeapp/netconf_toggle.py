"""Turn NETCONF on or off on many devices over SSH, then confirm the new state.

IOS-XE needs some seconds after `netconf-yang` before the first NETCONF session succeeds, and
a moment after `no netconf-yang` before the port closes, so the confirmation polls NETCONF
until the expected state shows or `wait_s` (settings.netconf_start_wait_s) has passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from xeapp.devicefacts import NETCONF_DISABLED, NETCONF_ENABLED
from xeapp.drivers.connection import DeviceLogin
from xeapp.drivers.netconf import NetconfDriver
from xeapp.drivers.ssh import SshDriver
from xeapp.errors import AuthenticationError, DeviceError, XeappError

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0


@dataclass
class ToggleResult:
    """The outcome on one device: `netconf_state` is what the confirmation saw, if anything."""

    ip_address: str
    enable: bool
    confirmed: bool
    netconf_state: str | None
    saved: bool
    message: str
    elapsed_s: float = 0.0


ToggleProgress = Callable[[ToggleResult, int, int], None]


def netconf_answers(login: DeviceLogin) -> bool:
    """Return True when a NETCONF session opens, False when the port refuses or closes it.

    Raises AuthenticationError when the device rejects the credentials.
    """
    try:
        with NetconfDriver(login):
            return True
    except AuthenticationError:
        raise
    except DeviceError as exc:
        log.debug("%s: NETCONF not answering: %s", login.host, exc.reason)
        return False


def wait_for_netconf(
    login: DeviceLogin, enabled: bool, wait_s: float, poll_interval_s: float = POLL_INTERVAL_S
) -> bool:
    """Poll NETCONF until it answers (`enabled`) or stops answering; return True when it did.

    Returns False when `wait_s` seconds passed first. Each attempt is bounded by the connect
    timeout, so the total stays below `wait_s` plus one attempt.
    """
    deadline = time.monotonic() + wait_s
    while True:
        if netconf_answers(login) == enabled:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(poll_interval_s, remaining))


def set_netconf(
    login: DeviceLogin,
    enable: bool,
    *,
    save: bool = False,
    wait_s: float,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> ToggleResult:
    """Configure `netconf-yang` (or `no netconf-yang`) on one device and confirm it.

    Saves the configuration only when `save` is True. Returns a ToggleResult; never raises
    for a device error, which becomes the result's message.
    """
    started = time.monotonic()
    command = "netconf-yang" if enable else "no netconf-yang"
    saved = False
    try:
        with SshDriver(login) as ssh:
            ssh.send_config([command], step=command)
            if save:
                ssh.save_config()
                saved = True
        confirmed = wait_for_netconf(login, enable, wait_s, poll_interval_s)
    except XeappError as exc:
        log.error("%s: %s failed: %s", login.host, command, exc)
        return ToggleResult(
            login.host, enable, False, None, saved, str(exc), time.monotonic() - started
        )

    elapsed = time.monotonic() - started
    if confirmed:
        state = NETCONF_ENABLED if enable else NETCONF_DISABLED
        message = f"NETCONF {state.lower()} after {elapsed:.1f} s"
        log.info("%s: %s", login.host, message)
        return ToggleResult(login.host, enable, True, state, saved, message, elapsed)

    expected = "answer" if enable else "stop answering"
    message = (
        f"configured {command!r}, but NETCONF did not {expected} within {wait_s:g} s; "
        "check `show netconf-yang status` on the device"
    )
    log.warning("%s: %s", login.host, message)
    state = NETCONF_DISABLED if enable else NETCONF_ENABLED
    return ToggleResult(login.host, enable, False, state, saved, message, elapsed)


def set_netconf_many(
    logins: Iterable[DeviceLogin],
    enable: bool,
    *,
    save: bool = False,
    wait_s: float,
    workers: int,
    progress: ToggleProgress | None = None,
    poll_interval_s: float = POLL_INTERVAL_S,
) -> list[ToggleResult]:
    """Run `set_netconf` on every login concurrently; return the results in finishing order.

    `progress(result, finished_count, total)` is called from the calling thread as each
    device finishes.
    """
    login_list = list(logins)
    if not login_list:
        return []
    results: list[ToggleResult] = []
    with ThreadPoolExecutor(max_workers=min(workers, len(login_list))) as executor:
        futures = [
            executor.submit(
                set_netconf,
                login,
                enable,
                save=save,
                wait_s=wait_s,
                poll_interval_s=poll_interval_s,
            )
            for login in login_list
        ]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if progress is not None:
                progress(result, len(results), len(login_list))
    return results
