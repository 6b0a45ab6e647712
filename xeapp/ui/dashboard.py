"""The Dashboard: devices by status, role and version, pre-check outcomes and jobs at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nicegui import ui

from xeapp.events import INVENTORY_CHANGED, JOBS_CHANGED, PRECHECKS_CHANGED
from xeapp.services import AppServices
from xeapp.ui.bridge import PageEvents
from xeapp.ui.frame import status_color

LAST_RESULTS = 8


def summarize(services: AppServices) -> dict[str, Counter[str]]:
    """Count devices by status, role and version, pre-check results, and jobs by state."""
    devices = services.store.list_devices()
    prechecks = services.store.list_prechecks()
    jobs = services.store.list_jobs()
    worst: dict[str, str] = {}
    order = {"Pass": 0, "Warn": 1, "Fail": 2}
    for record in prechecks:
        address, result = record["ip_address"], record.get("result", "")
        if order.get(result, -1) > order.get(worst.get(address, ""), -1):
            worst[address] = result
    return {
        "status": Counter(d.get("status") or "Offline" for d in devices),
        "role": Counter(d.get("device_role") or "Unknown" for d in devices),
        "version": Counter(d.get("current_version") or "Unknown" for d in devices),
        "prechecks": Counter(worst.values()),
        "jobs": Counter(j.get("status") or "Pending" for j in jobs),
    }


def _pie(title: str, counts: Counter[str]) -> dict[str, Any]:
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "70%"],
                "data": [{"name": k, "value": v} for k, v in sorted(counts.items())],
            }
        ],
    }


def _bars(title: str, counts: Counter[str]) -> dict[str, Any]:
    names = sorted(counts)
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": [counts[n] for n in names]}],
    }


class DashboardPage:
    def __init__(self, services: AppServices, events: PageEvents) -> None:
        self.services = services
        self._dirty = False
        summary = summarize(services)
        with ui.row().classes("w-full gap-4"):
            self.charts = {
                "status": ui.echart(_pie("Devices by status", summary["status"])),
                "role": ui.echart(_pie("Devices by role", summary["role"])),
                "version": ui.echart(_bars("Devices by version", summary["version"])),
                "prechecks": ui.echart(_pie("Pre-check outcomes", summary["prechecks"])),
                "jobs": ui.echart(_pie("Jobs by state", summary["jobs"])),
            }
            for chart in self.charts.values():
                chart.classes("w-80 h-64 border rounded")
        with ui.row().classes("gap-4"):
            ui.link("Inventory", "/inventory")
            ui.link("Repository", "/repository")
            ui.link("Jobs", "/jobs")
        ui.label("Last results").classes("text-lg")
        self.last = ui.column().classes("w-full gap-1")
        self._show_last()
        for topic in (INVENTORY_CHANGED, PRECHECKS_CHANGED, JOBS_CHANGED):
            events.on(topic, self._mark)
        ui.timer(1.0, self.refresh)

    def _mark(self, _topic: str, _payload: dict[str, Any]) -> None:
        self._dirty = True

    def refresh(self) -> None:
        """Redraw the charts once a second at most, and only after a change."""
        if not self._dirty:
            return
        self._dirty = False
        summary = summarize(self.services)
        builders = {"version": _bars}
        titles = {
            "status": "Devices by status",
            "role": "Devices by role",
            "version": "Devices by version",
            "prechecks": "Pre-check outcomes",
            "jobs": "Jobs by state",
        }
        for key, chart in self.charts.items():
            chart.options.clear()
            chart.options.update(builders.get(key, _pie)(titles[key], summary[key]))
            chart.update()
        self._show_last()

    def _show_last(self) -> None:
        finished = [j for j in self.services.finished_jobs() if j.get("finished_at")]
        finished.sort(key=lambda j: j.get("finished_at") or "", reverse=True)
        self.last.clear()
        with self.last:
            if not finished:
                ui.label("No finished jobs yet").classes("text-gray-500")
            for job in finished[:LAST_RESULTS]:
                with ui.row().classes("items-center gap-2"):
                    ui.badge(str(job.get("status")), color=status_color(job.get("status")))
                    ui.link(
                        f"{job.get('target_ip')} {job.get('from_version') or '?'} to "
                        f"{job.get('to_version') or '?'}",
                        f"/jobs?job={job['job_id']}",
                    )
                    ui.label(job.get("reason") or "").classes("text-sm text-gray-600")
