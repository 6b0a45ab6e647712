"""The frame around every page: header, navigation, dark mode and job result notifications."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from nicegui import app, ui

from xeapp.events import JOBS_CHANGED
from xeapp.services import AppServices
from xeapp.ui.bridge import PageEvents

APP_NAME = "xeapp"
NAVIGATION = (
    ("Dashboard", "/", "dashboard"),
    ("Inventory", "/inventory", "dns"),
    ("Repository", "/repository", "inventory_2"),
    ("Jobs", "/jobs", "pending_actions"),
    ("Settings", "/settings", "settings"),
)
_NOTIFY_TYPES: dict[str, Literal["positive", "negative", "warning"]] = {
    "Success": "positive",
    "Failed": "negative",
    "Missed": "warning",
}


@contextmanager
def frame(services: AppServices, title: str) -> Iterator[PageEvents]:
    """Build the header and navigation, then yield the page's event subscriptions."""
    ui.page_title(f"{title} - {APP_NAME}")
    dark = ui.dark_mode(app.storage.user.get("dark_mode", False) if _has_user_storage() else False)
    events = PageEvents(services.events)

    with ui.header(elevated=True).classes("items-center gap-4 py-2 px-4 bg-slate-800"):
        ui.label(APP_NAME).classes("text-xl font-bold tracking-wide")
        if services.demo:
            ui.badge("Demo lab", color="orange").props("data-testid=demo-badge").classes("text-sm")
        for label, path, icon in NAVIGATION:
            ui.button(label, icon=icon, on_click=lambda p=path: ui.navigate.to(p)).props(
                "flat color=white no-caps"
            )
        ui.space()
        _image_server_label(services)
        running = ui.label().props("data-testid=running-jobs")
        _show_running(services, running)
        ui.button(icon="dark_mode", on_click=lambda: _toggle_dark(dark)).props(
            'flat round color=white aria-label="Light or dark mode"'
        ).tooltip("Light or dark mode")

    known = {job["job_id"]: job.get("status") for job in services.store.list_jobs()}

    def on_jobs(_topic: str, payload: dict[str, Any]) -> None:
        _show_running(services, running)
        job_id = payload.get("job_id")
        job = services.store.get_job(job_id) if job_id else None
        if job is None:
            return
        status = job.get("status")
        if known.get(job_id) != status and status in _NOTIFY_TYPES:
            reason = f": {job['reason']}" if job.get("reason") else ""
            ui.notify(
                f"Job {job_id} on {job.get('target_ip')}: {status}{reason}",
                type=_NOTIFY_TYPES[status],
            )
        known[job_id] = status

    events.on(JOBS_CHANGED, on_jobs)
    with ui.column().classes("w-full p-4 gap-4"):
        yield events


def _image_server_label(services: AppServices) -> None:
    status = services.image_server_status()
    with ui.row().classes("items-center gap-1").props("data-testid=image-server"):
        if not status.running:
            ui.icon("error", color="red")
            ui.label("Image server stopped")
            return
        if status.fallback_reason:
            ui.icon("warning", color="amber").tooltip(status.fallback_reason)
        ui.label(f"Image server {status.url}").tooltip(
            f"bound to {status.bind} port {status.port}"
            + (f"; fallback: {status.fallback_reason}" if status.fallback_reason else "")
        )


def _show_running(services: AppServices, label: ui.label) -> None:
    count = services.running_job_count()
    label.set_text(f"{count} running job" + ("" if count == 1 else "s"))


def _toggle_dark(dark: ui.dark_mode) -> None:
    dark.toggle()
    if _has_user_storage():
        app.storage.user["dark_mode"] = dark.value


def _has_user_storage() -> bool:
    try:
        app.storage.user  # noqa: B018 - raises without a storage secret
    except (AssertionError, RuntimeError):
        return False
    return True


def chip(text: str | None, color: str) -> ui.badge:
    """Show a status as a coloured chip."""
    return ui.badge(text or "-", color=color).classes("px-2")


STATUS_COLORS = {
    "Online": "green",
    "Offline": "red",
    "Pass": "green",
    "Warn": "amber",
    "Fail": "red",
    "Pending": "grey",
    "Running": "blue",
    "Success": "green",
    "Failed": "red",
    "Cancelled": "grey-7",
    "Missed": "orange",
}


def status_color(status: str | None) -> str:
    return STATUS_COLORS.get(status or "", "grey")


def local_time(stamp: str | None) -> str:
    """Show a stored ISO 8601 time in this computer's time zone, to the second.

    A time without an offset is read as UTC, the zone the store writes.
    """
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
