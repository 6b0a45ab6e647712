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
JOB_TIMEOUT_MS = 240_000

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


def select_row(page: object, address: str) -> None:
    page.locator(f'.ag-row[row-id="{address}"] .ag-selection-checkbox input').first.click()  # type: ignore[attr-defined]


def test_main_flow(demo: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

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

        # Discover: the demo loads the fleet; every healthy device turns Online.
        page.goto(f"{demo}/inventory")
        expect(page.get_by_test_id("demo-badge")).to_be_visible()
        row = page.locator(f'.ag-center-cols-container .ag-row[row-id="{NOW_DEVICE}"]')
        expect(row).to_contain_text("demo-stack-healthy", timeout=30_000)
        expect(row).to_contain_text("Online")
        page.get_by_role("button", name="Discover").click()
        expect(page.get_by_text("Discovered 12 of 12")).to_be_visible(timeout=60_000)

        # Pre-check both devices against the Catalyst 9000 image; accept the warning.
        select_row(page, NOW_DEVICE)
        select_row(page, LATER_DEVICE)
        expect(page.get_by_text("2 selected", exact=True)).to_be_visible()
        page.get_by_test_id("precheck-image").click()
        page.get_by_role("option", name=IMAGE, exact=True).click()
        page.get_by_role("button", name="Run pre-checks").click()
        page.get_by_test_id(f"ack-{LATER_DEVICE}").click(timeout=90_000)
        expect(page.get_by_test_id("upgrade")).to_be_enabled()
        page.screenshot(path=str(SCREENSHOTS / "inventory.png"), full_page=True)

        # Upgrade one device now.
        select_row(page, LATER_DEVICE)  # unselect: the first batch is NOW_DEVICE alone
        expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
        page.get_by_test_id("upgrade").click()
        expect(page.get_by_text("Upgrade 1 devices")).to_be_visible()
        page.get_by_test_id("upgrade-start").click()
        expect(page.get_by_text("Upgrade 1 devices")).to_be_hidden()
        page.wait_for_timeout(1000)  # the dialog's closing transition still covers the grid

        # Upgrade the other a few seconds ahead.
        select_row(page, NOW_DEVICE)
        expect(page.get_by_text("0 selected", exact=True)).to_be_visible()
        select_row(page, LATER_DEVICE)
        expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
        page.get_by_test_id("upgrade").click()
        expect(page.get_by_text("Upgrade 1 devices")).to_be_visible()
        page.get_by_text("At a date and time").click()
        later = datetime.now() + timedelta(seconds=8)
        page.get_by_test_id("upgrade-date").fill(later.strftime("%Y-%m-%d"))
        page.get_by_test_id("upgrade-time").fill(later.strftime("%H:%M:%S"))
        page.get_by_test_id("upgrade-start").click()
        expect(page.get_by_text("Upgrade 1 devices")).to_be_hidden()

        # Watch the live log of the first job until both jobs succeed.
        page.goto(f"{demo}/jobs")
        page.locator("tbody tr").last.click()
        expect(page.get_by_test_id("job-log")).to_contain_text("step precheck")
        states = page.locator('[data-testid^="state-"]')
        expect(states).to_have_count(2)
        for index in range(2):
            expect(states.nth(index)).to_have_text("Success", timeout=JOB_TIMEOUT_MS)
        expect(page.get_by_test_id("job-log")).to_contain_text("confirm")
        page.screenshot(path=str(SCREENSHOTS / "jobs.png"), full_page=True)

        for name, path in (
            ("dashboard", "/"),
            ("repository", "/repository"),
            ("settings", "/settings"),
        ):
            page.goto(f"{demo}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)
