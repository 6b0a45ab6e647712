"""Pre-checks of lab devices whose state a test changed: each Fail and Warn, and read errors."""

from __future__ import annotations

import time
from collections.abc import Callable

from precheck_helpers import IMAGES, device_target

from xeapp.lab import Lab
from xeapp.lab.runconfig import save_config
from xeapp.lab.state import InstallPackage
from xeapp.prechecks import CHECK_NAMES, PrecheckService, Result
from xeapp.store import Store

STACK = {"profile": "c9300-stack3", "hostname": "stack-under-test"}
CAT9K = IMAGES["cat9k"]


def test_uncommitted_activation_fails(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.install.packages.append(InstallPackage("17.12.04.0.5678", "U"))
        state.install.auto_abort_deadline = time.monotonic() + 3600
    check = service.run([device_target(lab.devices[0])], CAT9K)[0].result_of("install_state")
    assert check.result is Result.FAIL
    assert "uncommitted activation on Switch 1, Switch 2, Switch 3" in check.message
    assert "auto-abort timer running" in check.message


def test_install_in_progress_fails(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.install.operation_in_progress = "install_add_activate_commit"
    check = service.run([device_target(lab.devices[0])], CAT9K)[0].result_of("install_state")
    assert check.result is Result.FAIL
    assert "install operation in progress on switch 1" in check.message


def test_version_mismatch_member_fails(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.members[2].state = "V-Mismatch"
        state.members[2].version = "17.6.1"
    check = service.run([device_target(lab.devices[0])], CAT9K)[0].result_of("stack_health")
    assert check.result is Result.FAIL
    assert "switch 3 is V-Mismatch" in check.message


def test_missing_member_fails(single_lab: Callable[..., Lab], service: PrecheckService) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.members[1].state = "Provisioned"
    outcome = service.run([device_target(lab.devices[0])], CAT9K)[0]
    assert outcome.result_of("stack_health").result is Result.FAIL
    assert "switch 2 is missing (Provisioned)" in outcome.result_of("stack_health").message
    assert outcome.result_of("disk_space").result is Result.PASS


def test_boot_variable_elsewhere_fails(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.boot_next = ["usbflash0:packages.conf"]
    check = service.run([device_target(lab.devices[0])], CAT9K)[0].result_of("boot_variable")
    assert check.result is Result.FAIL
    assert "switch 2: boots usbflash0:packages.conf on the next reload" in check.message


def test_unsaved_config_warns(single_lab: Callable[..., Lab], service: PrecheckService) -> None:
    lab = single_lab({**STACK, "config_saved": False})
    outcome = service.run([device_target(lab.devices[0])], CAT9K)[0]
    assert outcome.result_of("config_saved").result is Result.WARN
    assert outcome.ready
    assert outcome.needs_acknowledgement


def test_unsaved_config_over_ssh_warns(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab({"profile": "c9500", "faults": {"netconf_disabled": {}}})
    state = lab.devices[0].device
    with state.lock:
        save_config(state)
        state.hostname = "renamed-not-saved"
    check = service.run([device_target(lab.devices[0])], CAT9K)[0].result_of("config_saved")
    assert check.result is Result.WARN
    assert check.read == "running vs startup: unsaved"


def test_rejected_romvar_fails_alone(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    state = lab.devices[0].device
    with state.lock:
        state.verbatim_cli["show romvar"] = (
            "show romvar\n         ^\n% Invalid input detected at '^' marker.\n"
        )
    outcome = service.run([device_target(lab.devices[0])], CAT9K)[0]
    check = outcome.result_of("rommon_flags")
    assert check.result is Result.FAIL
    assert check.message.startswith("could not read the ROMMON variables:")
    assert "Invalid input detected" in check.message
    others = [c for c in outcome.checks if c.check_name != "rommon_flags"]
    assert all(c.result is Result.PASS for c in others), [c.message for c in others]


def test_session_reset_fails_unread(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab(STACK)
    lab.set_fault(lab.devices[0].ip, "connection_reset", command="show install")
    outcome = service.run([device_target(lab.devices[0])], CAT9K)[0]
    assert outcome.result_of("install_state").result is Result.FAIL
    assert outcome.result_of("install_state").message.startswith("could not read the install")
    assert outcome.result_of("reachability").result is Result.FAIL
    assert outcome.result_of("boot_variable").result is Result.PASS
    assert not outcome.ready


def test_nothing_listening_fails_every_device_check(service: PrecheckService, store: Store) -> None:
    from xeapp.targets import Target

    # Nothing listens on this address and port: the connection is refused at once.
    outcome = service.run([Target("127.0.6.250", 9, 9)], CAT9K)[0]
    device_checks = [name for name in CHECK_NAMES if name != "image_verified"]
    for name in device_checks:
        assert outcome.result_of(name).result is Result.FAIL, name
    assert "refused" in outcome.result_of("reachability").message
    assert len(store.list_prechecks("127.0.6.250")) == len(CHECK_NAMES)


def test_image_need_rule_fails(single_lab: Callable[..., Lab], store: Store) -> None:
    # A record of a 1.2 GB image, so the free space lies above both floors but below the
    # 2.4 GB the copy and its expansion need.
    store.add_image(
        {
            "filename": "cat9k_iosxe.17.15.01.SPA.bin",
            "version": "17.15.01",
            "family": "cat9k_iosxe",
            "size": 1_200_000_000,
            "verified": "Verified",
            "md5": "0" * 32,
        }
    )
    lab = single_lab(
        {"profile": "c9500", "hostname": "short", "flash_free": {1: 2_300_000_000}},
        {"profile": "c9500", "hostname": "roomy", "flash_free": {1: 2_500_000_000}},
    )
    from precheck_helpers import make_service

    service = make_service(store.db_dir.parent, store)
    short, roomy = service.run(
        [device_target(d) for d in lab.devices], "cat9k_iosxe.17.15.01.SPA.bin"
    )
    check = short.result_of("disk_space")
    assert check.result is Result.FAIL
    assert check.message.startswith(
        "flash: 2.30 GB free, needs 2.40 GB (image 1.20 GB copied plus about as much to expand)"
    )
    assert roomy.result_of("disk_space").result is Result.PASS
