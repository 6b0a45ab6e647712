"""The disk_space remedy, warning acknowledgements, the bounded pool and the report export."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable

import pytest
from precheck_helpers import IMAGES, UNVERIFIED_IMAGE, device_target

from xeapp.drivers.connection import DeviceLogin
from xeapp.errors import NotFoundError
from xeapp.lab import Lab
from xeapp.lab.state import LabFile
from xeapp.prechecks import CheckResult, DevicePrechecks, PrecheckService, Result
from xeapp.prechecks.live import LiveState, read_live
from xeapp.prechecks.remedies import remedy_disk_space
from xeapp.prechecks.report import to_csv, to_html
from xeapp.store import Store
from xeapp.targets import Target

CAT9K = IMAGES["cat9k"]
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"


def test_remove_inactive_frees_flash(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab({"profile": "c9300-stack3", "flash_free": {2: 2_300_000_000}})
    member = lab.devices[0].device.members[1]
    with lab.devices[0].device.lock:
        member.filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_500_000_000, "")
    target = device_target(lab.devices[0])
    before = service.run([target], CAT9K)[0].result_of("disk_space")
    assert before.result is Result.FAIL
    assert before.message.startswith("flash-2: 0.80 GB free")

    remedy = remedy_disk_space(service, target, CAT9K)

    assert OLD_IMAGE not in member.filesystem.files
    assert remedy.files_deleted >= 1
    assert "SUCCESS: install_remove" in remedy.output
    assert remedy.recheck.result is Result.PASS
    stored = service.load(target.ip_address)
    assert stored is not None
    assert stored.result_of("disk_space").result is Result.PASS
    assert stored.ready


def test_acknowledgement_clears_upgrade(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab({"profile": "c9500"})
    target = device_target(lab.devices[0])
    outcome = service.run([target], UNVERIFIED_IMAGE)[0]
    assert outcome.needs_acknowledgement
    assert not outcome.cleared_for_upgrade

    service.acknowledge(target.ip_address, UNVERIFIED_IMAGE)

    stored = service.load(target.ip_address)
    assert stored is not None
    assert stored.acknowledged
    assert stored.acknowledged_at is not None
    assert stored.cleared_for_upgrade


def test_new_run_resets_acknowledgement(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab({"profile": "c9500"})
    target = device_target(lab.devices[0])
    service.run([target], UNVERIFIED_IMAGE)
    service.acknowledge(target.ip_address)
    rerun = service.run([target], UNVERIFIED_IMAGE)[0]
    assert not rerun.acknowledged
    assert rerun.needs_acknowledgement


def test_acknowledge_without_results_raises(service: PrecheckService) -> None:
    with pytest.raises(NotFoundError):
        service.acknowledge("127.0.6.251")


def test_acknowledge_keeps_fail_not_ready(
    single_lab: Callable[..., Lab], service: PrecheckService
) -> None:
    lab = single_lab({"profile": "c9500", "version": "17.12.4"})
    target = device_target(lab.devices[0])
    service.run([target], CAT9K)
    acknowledged = service.acknowledge(target.ip_address, CAT9K)
    assert not acknowledged.ready
    assert not acknowledged.cleared_for_upgrade


def test_unknown_image_raises(service: PrecheckService) -> None:
    with pytest.raises(NotFoundError):
        service.run([Target("127.0.6.252", 9, 9)], "cat9k_iosxe.99.99.99.SPA.bin")


def test_pool_bounded_by_workers(store: Store, service: PrecheckService) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def reader(login: DeviceLogin) -> LiveState:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        # Nothing listens on port 9: a real read that fails at once.
        return read_live(login)

    bounded = PrecheckService(service.logins, store, workers=3, reader=reader)
    targets = [Target(f"127.0.6.{n}", 9, 9) for n in range(200, 209)]
    results = bounded.run(targets, CAT9K)
    assert peak == 3
    assert [r.ip_address for r in results] == [t.ip_address for t in targets]


def _report_device() -> DevicePrechecks:
    return DevicePrechecks(
        "127.0.6.10",
        CAT9K,
        [
            CheckResult("version", Result.PASS, "upgrade from 17.9.4a to 17.12.4", "t0", "r"),
            CheckResult("disk_space", Result.FAIL, '<script>alert("x")</script> & more', "t1"),
            CheckResult("config_saved", Result.WARN, '=HYPERLINK("http://x")', "t2", "-1"),
        ],
    )


def test_csv_rows_and_formula_escape() -> None:
    rows = list(csv.reader(io.StringIO(to_csv([_report_device()]))))
    assert rows[0][:3] == ["ip_address", "image", "ready"]
    assert len(rows) == 4
    assert rows[3][6] == '\'=HYPERLINK("http://x")'
    assert rows[3][8] == "'-1"
    assert rows[2][6] == '<script>alert("x")</script> & more'


def test_html_escapes_device_text() -> None:
    page = to_html([_report_device()])
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "1 Pass, 1 Warn, 1 Fail" in page
    assert "not ready (a check failed)" in page
