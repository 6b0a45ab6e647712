"""Dashboard page: the counts and links follow the store."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from ui_helpers import register, wait_for

from xeapp.services import AppServices


def text_of(user: User, marker: str) -> str:
    element = next(iter(user.find(marker=marker).elements))
    assert isinstance(element, ui.label)
    return element.text


def seed_store(services: AppServices) -> None:
    services.store.upsert_device({"ip_address": "10.4.0.1", "status": "Online"})
    services.store.upsert_device({"ip_address": "10.4.0.2", "status": "Online"})
    services.store.upsert_device({"ip_address": "10.4.0.3", "status": "Offline"})
    services.store.replace_prechecks("10.4.0.1", [{"check_name": "version", "result": "Pass"}])
    services.store.replace_prechecks(
        "10.4.0.2",
        [
            {"check_name": "version", "result": "Pass"},
            {"check_name": "disk_space", "result": "Fail"},
        ],
    )
    services.store.add_job({"target_ip": "10.4.0.1", "status": "Success"})
    services.store.add_job({"target_ip": "10.4.0.2", "status": "Failed", "reason": "rolled back"})


async def test_dashboard_counts_match_store(user: User, services: AppServices) -> None:
    seed_store(services)
    register(services)
    await user.open("/")

    assert text_of(user, "count-devices") == "3 devices"
    assert text_of(user, "detail-devices") == "2 Online, 1 Offline"
    assert text_of(user, "count-prechecked") == "2 devices pre-checked"
    assert text_of(user, "detail-prechecked") == "1 Pass, 0 Warn, 1 Fail"
    assert text_of(user, "count-jobs") == "2 upgrade jobs"
    assert "1 Success, 1 Failed" in text_of(user, "detail-jobs")
    assert text_of(user, "count-images") == "0 images"


async def test_dashboard_follows_store_changes(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/")
    assert text_of(user, "count-devices") == "0 devices"
    charts = list(user.find(ui.echart).elements)
    assert all(chart.options["graphic"]["style"]["text"] == "Nothing yet" for chart in charts)

    services.store.upsert_device({"ip_address": "10.4.0.9", "status": "Online"})
    await wait_for(lambda: text_of(user, "count-devices") == "1 devices")
    assert text_of(user, "detail-devices") == "1 Online, 0 Offline"
    status_chart = next(iter(user.find(marker="chart-status").elements))
    await wait_for(lambda: "series" in status_chart.options)
    assert status_chart.options["series"][0]["data"][0]["name"] == "Online"


async def test_dashboard_lists_last_results(user: User, services: AppServices) -> None:
    job = services.store.add_job({"target_ip": "10.4.0.5", "status": "Running"})
    services.store.update_job(
        job["job_id"],
        {
            "status": "Failed",
            "finished_at": "2026-01-01T00:00:00+00:00",
            "from_version": "17.09.04a",
            "to_version": "17.12.04",
            "reason": "rolled back",
        },
    )
    register(services)
    await user.open("/")

    await user.should_see("10.4.0.5 17.09.04a to 17.12.04")
    await user.should_see("rolled back")
    link = next(iter(user.find("10.4.0.5 17.09.04a to 17.12.04").elements))
    assert link.props["href"] == f"/jobs?job={job['job_id']}"


async def test_dashboard_tiles_link_pages(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/")
    targets = {
        name: next(iter(user.find(marker=f"tile-{name}").elements)).props["href"]
        for name in ("devices", "prechecked", "jobs", "images")
    }
    assert targets["devices"] == "/inventory"
    assert targets["prechecked"] == "/inventory"
    assert targets["jobs"] == "/jobs"
    assert targets["images"] == "/repository"

    user.find(marker="tile-jobs").click()
    await user.should_see("Select a job to see its steps and live log")
