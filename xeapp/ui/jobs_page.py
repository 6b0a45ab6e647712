"""The Jobs page: jobs with state chips, a step timeline, progress and the live log of one job."""

from __future__ import annotations

from typing import Any

from nicegui import events as ui_events
from nicegui import ui

from xeapp.errors import XeappError
from xeapp.events import JOB_LOG_LINE, JOBS_CHANGED
from xeapp.services import AppServices
from xeapp.ui.bridge import PageEvents
from xeapp.ui.frame import STATUS_COLORS, local_time
from xeapp.upgrade.topics import JOB_PROGRESS

COLUMNS: list[dict[str, Any]] = [
    {"name": "status", "label": "State", "field": "status", "sortable": True},
    {"name": "job_id", "label": "Job", "field": "job_id", "align": "left"},
    {"name": "target_ip", "label": "Device", "field": "target_ip", "sortable": True},
    {"name": "image", "label": "Image", "field": "image"},
    {"name": "schedule_time", "label": "Scheduled", "field": "schedule_time"},
    {"name": "started_at", "label": "Started", "field": "started_at"},
    {"name": "finished_at", "label": "Finished", "field": "finished_at"},
    {"name": "from_version", "label": "From", "field": "from_version"},
    {"name": "to_version", "label": "To", "field": "to_version"},
    {"name": "current_step", "label": "Step", "field": "current_step"},
    {"name": "reason", "label": "Reason", "field": "reason", "align": "left"},
]
TIME_FIELDS = ("schedule_time", "started_at", "finished_at")
STEP_ICONS = {
    "done": ("check_circle", "green"),
    "failed": ("cancel", "red"),
    "running": ("autorenew", "blue"),
    "skipped": ("remove_circle_outline", "grey"),
}
_CHIP_SLOT = (
    '<q-td :props="props"><q-badge :color="{colors}[props.value] || \'grey\'" '
    ':label="props.value" :data-testid="\'state-\' + props.row.job_id" /></q-td>'
)


class LogFollower:
    """The log of one job in a ui.log: replayed from the file, then continued from events.

    Lines carry their 1-based number. A line numbered at or below what is shown is a
    duplicate and is dropped; a gap is filled from the file, so no line is lost.
    """

    def __init__(self, services: AppServices, log_view: ui.log) -> None:
        self.services = services
        self.view = log_view
        self.job_id: str | None = None
        self.shown = 0

    def follow(self, job_id: str) -> None:
        self.job_id = job_id
        self.view.clear()
        lines = self.services.job_logs.read(job_id)
        for line in lines:
            self.view.push(line)
        self.shown = len(lines)

    def on_line(self, payload: dict[str, Any]) -> None:
        if payload.get("job_id") != self.job_id or self.job_id is None:
            return
        number = int(payload["line_number"])
        if number <= self.shown:
            return
        if number > self.shown + 1:
            missing = self.services.job_logs.read(self.job_id)[self.shown : number - 1]
            for line in missing:
                self.view.push(line)
        self.view.push(payload["line"])
        self.shown = number


class JobsPage:
    def __init__(self, services: AppServices, events: PageEvents, job_id: str | None) -> None:
        self.services = services
        self._dirty = False
        with ui.row().classes("gap-2 items-center"):
            ui.button("Cancel job", icon="cancel", on_click=self.cancel)
            ui.button("Clear Job", icon="delete", on_click=self.clear_one).props("outline")
            ui.button("Clear All", icon="delete_sweep", on_click=self.clear_all).props(
                "outline color=negative"
            )
            self.count_label = ui.label("")
        self.table = ui.table(columns=COLUMNS, rows=self._rows(), row_key="job_id")
        self.table.props(
            'dense flat no-data-label="No upgrade jobs yet: run pre-checks on the Inventory '
            'page, then Upgrade"'
        ).classes("w-full")
        self.count_label.set_text(f"{len(self.table.rows)} jobs")
        self.table.set_selection("single")
        colors = str(STATUS_COLORS)
        self.table.add_slot("body-cell-status", _CHIP_SLOT.replace("{colors}", colors))
        self.table.on("row-click", self._on_row_click)
        self.table.on_select(self._on_select)

        with ui.row().classes("w-full no-wrap gap-4"):
            with ui.column().classes("w-96 shrink-0"):
                self.title = ui.label("Select a job to see its steps and live log").classes(
                    "text-lg"
                )
                self.bar = ui.linear_progress(value=0, show_value=False)
                self.bar_label = ui.label("")
                self.timeline = ui.column().classes("w-full")
            self.log_view = ui.log(max_lines=5000).classes("grow h-[50vh]")
            self.log_view.props("data-testid=job-log").mark("job-log")
        self.follower = LogFollower(services, self.log_view)

        events.on(JOBS_CHANGED, self._on_jobs)
        events.on(JOB_LOG_LINE, lambda _t, payload: self.follower.on_line(payload))
        events.on(JOB_PROGRESS, self._on_progress)
        ui.timer(0.5, self.refresh)
        if job_id and services.store.get_job(job_id) is not None:
            self.open_job(job_id)

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for job in reversed(self.services.store.list_jobs()):
            row = {column["field"]: job.get(column["field"]) for column in COLUMNS}
            for field in TIME_FIELDS:
                row[field] = local_time(row[field])
            rows.append(row)
        return rows

    def _on_jobs(self, _topic: str, _payload: dict[str, Any]) -> None:
        self._dirty = True

    def refresh(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.table.rows = self._rows()
        self.table.update()
        self.count_label.set_text(f"{len(self.table.rows)} jobs")
        if self.follower.job_id:
            self._show_steps(self.follower.job_id)

    def _on_row_click(self, event: ui_events.GenericEventArguments) -> None:
        row = event.args[1] if isinstance(event.args, list) and len(event.args) > 1 else {}
        if row.get("job_id"):
            self.open_job(row["job_id"])

    def _on_select(self, event: Any) -> None:
        if self.table.selected:
            self.open_job(self.table.selected[0]["job_id"])

    def open_job(self, job_id: str) -> None:
        """Show a job's steps and its log, replayed from the start and then live."""
        self.title.set_text(f"Job {job_id}")
        self.bar.set_value(0)
        self.bar_label.set_text("")
        self._show_steps(job_id)
        self.follower.follow(job_id)

    def _show_steps(self, job_id: str) -> None:
        job = self.services.store.get_job(job_id) or {}
        self.title.set_text(
            f"Job {job_id}: {job.get('target_ip', '')} {job.get('status', '')}"
            + (f", {job['reason']}" if job.get("reason") else "")
        )
        self.timeline.clear()
        with self.timeline:
            for step in job.get("steps") or []:
                status = step.get("status", "")
                icon, color = STEP_ICONS.get(status, ("radio_button_unchecked", "grey"))
                with ui.row().classes("items-start gap-2 no-wrap w-full"):
                    ui.icon(icon, color=color).classes("text-lg")
                    with ui.column().classes("gap-0 min-w-0"):
                        name = step.get("step", step.get("name", ""))
                        started = local_time(step.get("started_at"))
                        ui.label(f"{name}: {status}").classes("font-medium")
                        ui.label(f"{started}  {step.get('message') or ''}").classes(
                            "text-xs text-gray-500 break-words"
                        )

    def _on_progress(self, _topic: str, payload: dict[str, Any]) -> None:
        if payload.get("job_id") != self.follower.job_id:
            return
        fraction = float(payload.get("fraction") or 0)
        self.bar.set_value(fraction)
        self.bar_label.set_text(
            f"{payload.get('step', '')}: {(payload.get('done_bytes') or 0) / 1e6:.1f} of "
            f"{(payload.get('total_bytes') or 0) / 1e6:.1f} MB"
        )

    # Actions

    def _selected_id(self) -> str | None:
        job_id = self.follower.job_id
        if job_id is None:
            ui.notify("Select a job first", type="warning")
        return job_id

    def cancel(self) -> None:
        job_id = self._selected_id()
        if job_id is None:
            return
        try:
            self.services.cancel_job(job_id)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"Job {job_id} cancelled")

    def clear_one(self) -> None:
        job_id = self._selected_id()
        if job_id is None:
            return
        try:
            self.services.clear_job(job_id)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.follower.job_id = None
        self.log_view.clear()
        ui.notify(f"Job {job_id} cleared")

    def clear_all(self) -> None:
        try:
            count = self.services.clear_finished_jobs()
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"Cleared {count} finished jobs; running jobs stay")
