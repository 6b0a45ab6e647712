"""Jobs page: the live log replays from the start, then continues as lines arrive."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from ui_helpers import register, wait_for

from xeapp.services import AppServices


def log_lines(user: User) -> list[str]:
    view = next(iter(user.find(marker="job-log").elements))
    return [child.text for child in view.default_slot.children if isinstance(child, ui.label)]


async def test_job_log_replays_then_follows(user: User, services: AppServices) -> None:
    job = services.store.add_job(
        {"target_ip": "10.5.0.1", "image": "cat9k_iosxe.17.12.04.SPA.bin", "status": "Failed"}
    )
    job_id = job["job_id"]
    services.job_logs.append(job_id, "step precheck: started\nstep precheck: done")
    register(services)
    await user.open(f"/jobs?job={job_id}")

    lines = await wait_for(lambda: log_lines(user))
    assert len(lines) == 2
    assert lines[0].endswith("step precheck: started")
    services.job_logs.append(job_id, "step backup: started")
    await wait_for(lambda: len(log_lines(user)) == 3)
    assert log_lines(user)[2].endswith("step backup: started")


async def test_job_log_ignores_other_jobs(user: User, services: AppServices) -> None:
    shown = services.store.add_job({"target_ip": "10.5.0.2", "status": "Failed"})
    other = services.store.add_job({"target_ip": "10.5.0.3", "status": "Failed"})
    services.job_logs.append(shown["job_id"], "first line")
    register(services)
    await user.open(f"/jobs?job={shown['job_id']}")
    await wait_for(lambda: log_lines(user))

    services.job_logs.append(other["job_id"], "line of another job")
    services.job_logs.append(shown["job_id"], "second line")
    await wait_for(lambda: len(log_lines(user)) == 2)
    assert not any("another job" in line for line in log_lines(user))


async def test_clear_all_keeps_running_jobs(user: User, services: AppServices) -> None:
    services.store.add_job({"target_ip": "10.5.0.4", "status": "Success"})
    running = services.store.add_job({"target_ip": "10.5.0.5", "status": "Running"})
    register(services)
    await user.open("/jobs")
    user.find("Clear All").click()

    await wait_for(lambda: len(services.store.list_jobs()) == 1)
    assert services.store.list_jobs()[0]["job_id"] == running["job_id"]
