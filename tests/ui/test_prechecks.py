"""Pre-checks on the Inventory page: results, Upgrade gate, acknowledgement, disk_space remedy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from ui_helpers import IMAGE, add_image, add_lab_devices, register, select_rows, wait_for

from xeapp.lab import Lab, start_lab
from xeapp.lab.state import LabFile
from xeapp.services import AppServices

# A loopback block apart from the shared page-test lab at 127.0.0.80.
CROWDED_BASE = "127.0.0.90"
OLD_IMAGE = "cat9k_iosxe.17.06.01.SPA.bin"


def upgrade_button(user: User) -> ui.button:
    button = next(iter(user.find(marker="upgrade").elements))
    assert isinstance(button, ui.button)
    return button


@pytest.fixture
def crowded_lab() -> Iterator[Lab]:
    """A stack whose member 2 has 0.8 GB free because of an unused 1.5 GB image on flash."""
    fleet = start_lab(
        profiles=[
            {"profile": "c9300-stack3", "hostname": "ui-crowded", "flash_free": {2: 2_300_000_000}}
        ],
        base=CROWDED_BASE,
    )
    device = fleet.devices[0].device
    with device.lock:
        device.members[1].filesystem.files[OLD_IMAGE] = LabFile(OLD_IMAGE, 1_500_000_000, "")
    yield fleet
    fleet.stop()


async def discover_lab(services: AppServices, lab: Lab, tmp_path: Path) -> None:
    services.discovery.discover(add_lab_devices(services, lab))
    add_image(services, tmp_path)


async def test_prechecks_show_results(
    user: User, services: AppServices, lab: Lab, tmp_path: Path
) -> None:
    await discover_lab(services, lab, tmp_path)
    stack = lab.device("ui-stack").ip
    register(services)
    await user.open("/inventory")
    select_rows(user, stack)
    user.find(marker="run-prechecks").click()

    await user.should_see("Pass: 10", retries=200)
    await user.should_see(f"{stack}  {IMAGE}: ready")
    assert services.precheck_outcome(stack).ready


async def test_upgrade_disabled_without_prechecks(
    user: User, services: AppServices, lab: Lab, tmp_path: Path
) -> None:
    await discover_lab(services, lab, tmp_path)
    register(services)
    await user.open("/inventory")
    assert not upgrade_button(user).enabled
    select_rows(user, lab.device("ui-stack").ip)

    await user.should_see("1 of 1 selected devices are not cleared")
    assert not upgrade_button(user).enabled


async def test_upgrade_enabled_after_acknowledgement(
    user: User, services: AppServices, lab: Lab, tmp_path: Path
) -> None:
    await discover_lab(services, lab, tmp_path)
    warned = lab.device("ui-under2g").ip
    services.run_prechecks([warned], IMAGE).result(timeout=60)
    outcome = services.precheck_outcome(warned)
    assert outcome.result_of("disk_space").result.value == "Warn"
    register(services)
    await user.open("/inventory")
    select_rows(user, warned)

    await user.should_see("warnings need acknowledgement")
    assert not upgrade_button(user).enabled
    user.find(marker=f"ack-{warned}").click()
    await wait_for(lambda: upgrade_button(user).enabled)
    assert services.precheck_outcome(warned).acknowledged


async def test_upgrade_dialog_schedules_job(
    user: User, services: AppServices, lab: Lab, tmp_path: Path
) -> None:
    await discover_lab(services, lab, tmp_path)
    stack = lab.device("ui-stack").ip
    services.run_prechecks([stack], IMAGE).result(timeout=60)
    register(services)
    await user.open("/inventory")
    select_rows(user, stack)
    await wait_for(lambda: upgrade_button(user).enabled)
    user.find(marker="upgrade").click()
    await user.should_see("Upgrade 1 devices")
    later = datetime.now() + timedelta(hours=1)
    user.find(marker="upgrade-when").elements.pop().set_value("At a date and time")
    user.find(marker="upgrade-date").elements.pop().set_value(later.strftime("%Y-%m-%d"))
    user.find(marker="upgrade-time").elements.pop().set_value(later.strftime("%H:%M:%S"))
    user.find(marker="upgrade-start").click()

    jobs = await wait_for(lambda: services.store.list_jobs())
    assert len(jobs) == 1
    assert jobs[0]["target_ip"] == stack
    assert jobs[0]["status"] == "Pending"
    assert jobs[0]["schedule_time"] is not None
    services.cancel_job(jobs[0]["job_id"])


async def test_free_flash_turns_disk_space_pass(
    user: User, services: AppServices, crowded_lab: Lab, tmp_path: Path
) -> None:
    await discover_lab(services, crowded_lab, tmp_path)
    crowded = crowded_lab.devices[0]
    services.run_prechecks([crowded.ip], IMAGE).result(timeout=60)
    before = services.precheck_outcome(crowded.ip).result_of("disk_space")
    assert before.result.value == "Fail"
    register(services)
    await user.open("/inventory")
    select_rows(user, crowded.ip)
    assert not upgrade_button(user).enabled

    user.find(marker=f"free-flash-{crowded.ip}").click()
    await user.should_see("deletes the inactive install packages")
    # Holding the lab device's lock keeps the remedy waiting, so the progress stays visible.
    with crowded.device.lock:
        user.find(marker="free-flash-confirm").click()
        await user.should_see(marker=f"free-flash-running-{crowded.ip}")

    await user.should_see(
        "install remove inactive deleted 1 file, and disk_space is now Pass", retries=300
    )
    after = services.precheck_outcome(crowded.ip)
    assert after.result_of("disk_space").result.value == "Pass"
    assert after.ready
    assert OLD_IMAGE not in crowded.device.members[1].filesystem.files
    await user.should_not_see(marker=f"free-flash-{crowded.ip}")
    await wait_for(lambda: upgrade_button(user).enabled)
