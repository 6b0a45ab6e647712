"""The main flow in headless Chromium against `xeapp demo`: discover, pre-check, upgrade, log.

The demo runs as a subprocess with its UI, image server and lab devices on loopback only. The
test saves a screenshot of each main page to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IMAGE = "cat9k_iosxe.17.12.04.SPA.bin"
NOW_DEVICE = "127.0.0.10"  # demo-stack-healthy: every check passes
LATER_DEVICE = "127.0.0.12"  # demo-c9500-under2g: disk_space warns
STARTUP_TIMEOUT_S = 90.0
JOB_TIMEOUT_MS = 120_000
SCHEDULE_AHEAD_S = 8

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """Start `xeapp demo` on loopback and return the UI's URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XEAPP_", "PYTEST_"))}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    command = [sys.executable, "-m", "xeapp", "--data-dir", str(tmp_path / "data"), "demo"]
    command += ["--browser", "--no-show", "--port", str(port), "--image-port", "0"]
    command += ["--reload-seconds", "2"]
    log_file = open(tmp_path / "demo.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert process.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "xeapp demo did not start serving"
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


# Notifications would cover the pages in the screenshots, so the screenshots hide them.
HIDE_NOTIFICATIONS = ".q-notifications { display: none !important; }"


def select_row(page: Page, address: str) -> None:
    page.locator(f'.ag-row[row-id="{address}"] .ag-selection-checkbox input').first.click()


def selected_rows(page: Page) -> Locator:
    """The rows the grid shows as selected."""
    return page.locator(".ag-center-cols-container .ag-row-selected")


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), style=HIDE_NOTIFICATIONS)


def test_main_flow(demo: str, tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as playwright:
        # A persistent context on a new, empty profile directory is Playwright's form of
        # --user-data-dir.
        browser = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": 1000},
        )
        page = browser.new_page()
        page.set_default_timeout(60_000)
        expect.set_options(timeout=30_000)
        discover_and_precheck(page, demo)
        upgrade_now_and_later(page)
        watch_jobs(page, demo)
        for name, path in (
            ("dashboard", "/"),
            ("repository", "/repository"),
            ("settings", "/settings"),
        ):
            page.goto(f"{demo}{path}")
            page.wait_for_load_state("networkidle")
            shoot(page, name)
        page.get_by_role("button", name="Light or dark mode").click()
        page.goto(f"{demo}/")
        expect(page.locator("body.body--dark")).to_have_count(1)
        page.wait_for_load_state("networkidle")
        shoot(page, "dashboard-dark")
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


def discover_and_precheck(page: Page, demo: str) -> None:
    """Discover the fleet, pre-check two devices, keep their selection, accept the warning."""
    page.goto(f"{demo}/inventory")
    expect(page.get_by_test_id("demo-badge")).to_be_visible()
    row = page.locator(f'.ag-center-cols-container .ag-row[row-id="{NOW_DEVICE}"]')
    expect(row).to_contain_text("demo-stack-healthy")
    expect(row).to_contain_text("Online")
    page.get_by_role("button", name="Discover").click()
    expect(page.get_by_text("Discovered 12 of 12")).to_be_visible()

    select_row(page, NOW_DEVICE)
    select_row(page, LATER_DEVICE)
    expect(page.get_by_text("2 selected", exact=True)).to_be_visible()
    page.get_by_test_id("precheck-image").click()
    page.get_by_role("option", name=IMAGE, exact=True).click()
    page.get_by_role("button", name="Run pre-checks").click()
    acknowledge = page.get_by_test_id(f"ack-{LATER_DEVICE}")
    expect(acknowledge).to_be_visible(timeout=90_000)

    # The pre-check results updated both rows in place: they stay selected in the grid.
    expect(row.locator(".ag-cell", has_text="Pass")).to_be_visible()
    expect(selected_rows(page)).to_have_count(2)
    expect(page.get_by_text("2 selected", exact=True)).to_be_visible()
    acknowledge.scroll_into_view_if_needed()
    shoot(page, "prechecks")
    acknowledge.click()
    expect(page.get_by_test_id("upgrade")).to_be_enabled()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "inventory")


def upgrade_now_and_later(page: Page) -> None:
    """Upgrade the healthy stack now and the warned device a few seconds ahead."""
    select_row(page, LATER_DEVICE)
    expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
    expect(selected_rows(page)).to_have_count(1)
    page.get_by_test_id("upgrade").click()
    expect(page.get_by_text("Upgrade 1 devices")).to_be_visible()
    page.get_by_test_id("upgrade-start").click()
    expect(page.get_by_text("Upgrade 1 devices")).to_be_hidden()

    select_row(page, NOW_DEVICE)
    expect(page.get_by_text("0 selected", exact=True)).to_be_visible()
    expect(selected_rows(page)).to_have_count(0)
    select_row(page, LATER_DEVICE)
    expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
    expect(selected_rows(page)).to_have_count(1)
    page.get_by_test_id("upgrade").click()
    expect(page.get_by_text("Upgrade 1 devices")).to_be_visible()
    page.get_by_text("At a date and time").click()
    later = datetime.now() + timedelta(seconds=SCHEDULE_AHEAD_S)
    page.get_by_test_id("upgrade-date").fill(later.strftime("%Y-%m-%d"))
    page.get_by_test_id("upgrade-time").fill(later.strftime("%H:%M:%S"))
    page.get_by_test_id("upgrade-start").click()
    expect(page.get_by_text("Upgrade 1 devices")).to_be_hidden()


def watch_jobs(page: Page, demo: str) -> None:
    """Follow the first job's live log until both jobs end in Success."""
    page.goto(f"{demo}/jobs")
    page.get_by_role("cell", name=NOW_DEVICE, exact=True).click()
    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("step precheck")
    scheduled = page.get_by_role("row").filter(has_text=LATER_DEVICE)
    expect(scheduled).to_contain_text("Pending")
    expect(log).to_contain_text("step install", timeout=JOB_TIMEOUT_MS)
    shoot(page, "jobs-running")
    states = page.locator('[data-testid^="state-"]')
    expect(states).to_have_count(2)
    for index in range(2):
        expect(states.nth(index)).to_have_text("Success", timeout=JOB_TIMEOUT_MS)
    expect(log).to_contain_text("step confirm: done")
    expect(log).to_contain_text("job Success")
    shoot(page, "jobs")
