"""The Dashboard: devices by status, role and version, pre-check outcomes and jobs at a glance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nicegui import ui

from xeapp.events import INVENTORY_CHANGED, JOBS_CHANGED, PRECHECKS_CHANGED, REPOSITORY_CHANGED
from xeapp.services import AppServices
from xeapp.ui.bridge import PageEvents
from xeapp.ui.frame import status_color

LAST_RESULTS = 8
# Chart colours of the states, the same hues as the Quasar colours of the status chips.
CHART_COLORS = {
    "Online": "#21ba45",
    "Offline": "#c10015",
    "Pass": "#21ba45",
    "Warn": "#f2c037",
    "Fail": "#c10015",
    "Pending": "#9e9e9e",
    "Running": "#1976d2",
    "Success": "#21ba45",
    "Failed": "#c10015",
    "Cancelled": "#616161",
    "Missed": "#ff9800",
    "Switch": "#5898d4",
    "Router": "#8e44ad",
}
# Chart text that reads on the light and on the dark background.
TEXT_COLOR = "#8a94a6"
GRID_LINE_COLOR = "rgba(138, 148, 166, 0.3)"
CHARTS = (
    ("status", "Devices by status", "/inventory"),
    ("role", "Devices by role", "/inventory"),
    ("version", "Devices by version", "/inventory"),
    ("prechecks", "Pre-check outcomes (worst per device)", "/inventory"),
    ("jobs", "Jobs by state", "/jobs"),
)


def summarize(services: AppServices) -> dict[str, Counter[str]]:
    """Count devices by status, role and version, pre-check results, jobs and images."""
    devices = services.store.list_devices()
    prechecks = services.store.list_prechecks()
    jobs = services.store.list_jobs()
    worst: dict[str, str] = {}
    order = {"Pass": 0, "Warn": 1, "Fail": 2}
    for record in prechecks:
        address, result = record["ip_address"], record.get("result", "")
        if order.get(result, -1) > order.get(worst.get(address, ""), -1):
            worst[address] = result
    images = services.store.list_images()
    return {
        "status": Counter(d.get("status") or "Offline" for d in devices),
        "role": Counter(d.get("device_role") or "Unknown" for d in devices),
        "version": Counter(d.get("current_version") or "Unknown" for d in devices),
        "prechecks": Counter(worst.values()),
        "jobs": Counter(j.get("status") or "Pending" for j in jobs),
        "images": Counter(str(i.get("verified") or "Unverified") for i in images),
    }


def _chart(title: str, counts: Counter[str], bars: bool = False) -> dict[str, Any]:
    names = sorted(counts)
    options: dict[str, Any] = {
        "animation": False,
        "title": {
            "text": title,
            "left": "center",
            "textStyle": {"fontSize": 14, "color": TEXT_COLOR},
        },
        "tooltip": {"trigger": "item"},
        "textStyle": {"color": TEXT_COLOR},
    }
    if not names:
        options["graphic"] = {
            "type": "text",
            "left": "center",
            "top": "middle",
            "style": {"text": "Nothing yet", "fill": TEXT_COLOR, "fontSize": 14},
        }
        return options
    if bars:
        options["grid"] = {"left": 40, "right": 16, "bottom": 48, "top": 48}
        options["xAxis"] = {
            "type": "category",
            "data": names,
            "axisLabel": {"rotate": 20, "color": TEXT_COLOR},
        }
        options["yAxis"] = {
            "type": "value",
            "minInterval": 1,
            "axisLabel": {"color": TEXT_COLOR},
            "splitLine": {"lineStyle": {"color": GRID_LINE_COLOR}},
        }
        options["series"] = [
            {"type": "bar", "data": [counts[n] for n in names], "label": {"show": True}}
        ]
        return options
    options["legend"] = {"bottom": 0, "textStyle": {"color": TEXT_COLOR}}
    options["series"] = [
        {
            "type": "pie",
            "radius": ["35%", "60%"],
            "center": ["50%", "52%"],
            "label": {"formatter": "{c}", "color": TEXT_COLOR},
            "data": [{"name": n, "value": counts[n], "itemStyle": _item_style(n)} for n in names],
        }
    ]
    return options


def _item_style(name: str) -> dict[str, str]:
    return {"color": CHART_COLORS[name]} if name in CHART_COLORS else {}


class DashboardPage:
    """Counts that link into the other pages, the charts and the last job results."""

    def __init__(self, services: AppServices, events: PageEvents) -> None:
        self.services = services
        self._dirty = False
        summary = summarize(services)
        self.tiles = ui.row().classes("w-full gap-4")
        self._show_tiles(summary)
        with ui.grid().classes("w-full gap-4 grid-cols-1 md:grid-cols-2 xl:grid-cols-3"):
            self.charts = {}
            for key, title, _link in CHARTS:
                with ui.card().classes("w-full h-72 p-2"):
                    chart = ui.echart(_chart(title, summary[key], bars=key == "version"))
                self.charts[key] = chart.classes("w-full h-full").mark(f"chart-{key}")
        ui.label("Last results").classes("text-lg")
        self.last = ui.column().classes("w-full gap-1")
        self._show_last()
        for topic in (INVENTORY_CHANGED, PRECHECKS_CHANGED, JOBS_CHANGED, REPOSITORY_CHANGED):
            events.on(topic, self._mark)
        ui.timer(1.0, self.refresh)

    def _mark(self, _topic: str, _payload: dict[str, Any]) -> None:
        self._dirty = True

    def refresh(self) -> None:
        """Redraw the counts and charts once a second at most, and only after a change."""
        if not self._dirty:
            return
        self._dirty = False
        summary = summarize(self.services)
        self._show_tiles(summary)
        for key, title, _link in CHARTS:
            chart = self.charts[key]
            chart.options.clear()
            chart.options.update(_chart(title, summary[key], bars=key == "version"))
            chart.update()
        self._show_last()

    def _show_tiles(self, summary: dict[str, Counter[str]]) -> None:
        status, jobs, prechecks = summary["status"], summary["jobs"], summary["prechecks"]
        images = summary["images"]
        self.tiles.clear()
        with self.tiles:
            _tile(
                "devices",
                sum(status.values()),
                "devices",
                f"{status['Online']} Online, {status['Offline']} Offline",
                "/inventory",
            )
            _tile(
                "prechecked",
                sum(prechecks.values()),
                "devices pre-checked",
                f"{prechecks['Pass']} Pass, {prechecks['Warn']} Warn, {prechecks['Fail']} Fail",
                "/inventory",
            )
            _tile(
                "jobs",
                sum(jobs.values()),
                "upgrade jobs",
                f"{jobs['Running']} Running, {jobs['Pending']} Pending, "
                f"{jobs['Success']} Success, {jobs['Failed']} Failed",
                "/jobs",
            )
            _tile(
                "images",
                sum(images.values()),
                "images",
                f"{images['Verified']} Verified, {images['Unverified']} Unverified"
                + (f", {images['Mismatch']} Mismatch" if images["Mismatch"] else ""),
                "/repository",
            )

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
                    ui.label(job.get("reason") or "").classes("text-sm text-gray-500")


def _tile(name: str, count: int, noun: str, detail: str, target: str) -> None:
    """Show one count as a card that links to the page listing what it counts."""
    link = ui.link(target=target).classes("no-underline text-inherit").mark(f"tile-{name}")
    with link, ui.card().classes("w-72 hover:shadow-lg"):
        ui.label(f"{count} {noun}").classes("text-2xl font-bold").mark(f"count-{name}")
        ui.label(detail).classes("text-sm text-gray-500").mark(f"detail-{name}")
