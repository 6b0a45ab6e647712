"""The Repository page: upload or add images, verify and remove them, image server status."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from nicegui import events as ui_events
from nicegui import run, ui
from nicegui.elements.upload_files import LargeFileUpload

from xeapp.errors import XeappError
from xeapp.events import REPOSITORY_CHANGED
from xeapp.services import AppServices
from xeapp.ui.bridge import PageEvents
from xeapp.ui.frame import local_time

COLUMNS: list[dict[str, Any]] = [
    {"name": "filename", "label": "File", "field": "filename", "sortable": True, "align": "left"},
    {"name": "version", "label": "Version", "field": "version", "sortable": True},
    {"name": "family", "label": "Family", "field": "family"},
    {"name": "size", "label": "Size (MB)", "field": "size_mb"},
    {"name": "md5_expected", "label": "MD5 expected", "field": "md5_expected"},
    {"name": "md5", "label": "MD5 computed", "field": "md5"},
    {"name": "verified", "label": "Verified", "field": "verified"},
    {"name": "upload_date", "label": "Added", "field": "upload_date"},
    {"name": "devices", "label": "Used by", "field": "devices_text"},
]


class Progress:
    """Bytes done of a total, written by a worker thread and read by a ui.timer."""

    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None
        self.label = ""

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class RepositoryPage:
    def __init__(self, services: AppServices, events: PageEvents) -> None:
        self.services = services
        self.progress = Progress()
        self.busy = False

        with ui.row().classes("w-full gap-4 items-start"):
            with ui.card().classes("w-[28rem]"):
                ui.label("Upload images").classes("text-lg")
                self.md5 = ui.input(
                    "Expected MD5 (from Cisco's download page)",
                    placeholder="paste it before dropping the file",
                ).classes("w-full")
                self.md5.mark("upload-md5")
                ui.upload(
                    label="Drop .bin files here or click",
                    multiple=True,
                    auto_upload=True,
                    on_upload=self.upload,
                ).props("accept=.bin").classes("w-full").mark("upload")
                self.upload_error = ui.label("").classes("text-negative text-sm break-all")
                self.upload_error.mark("upload-error")
            with ui.card().classes("w-[28rem]"):
                ui.label("Add a local file").classes("text-lg")
                self.path = ui.input("Path of the image on this computer").classes("w-full")
                self.mode = ui.select(
                    {"copy": "Copy", "hardlink": "Hard link", "symlink": "Symbolic link"},
                    value="copy",
                    label="How",
                )
                self.local_md5 = ui.input("Expected MD5").classes("w-full")
                ui.button("Add file", on_click=self.add_local)
            with ui.card().classes("grow"):
                ui.label("Image server").classes("text-lg")
                self.server_status = ui.column().mark("server-status")
                self.transfers = ui.column()
        with ui.row().classes("items-center w-full"):
            self.bar = ui.linear_progress(value=0, show_value=False).classes("w-96")
            self.bar_label = ui.label("")
        self.bar.set_visibility(False)

        self.table = ui.table(columns=COLUMNS, rows=self._rows(), row_key="filename")
        self.table.mark("images")
        self.table.props("dense flat").classes("w-full")
        self.table.set_selection("single")
        with ui.row():
            ui.button("Verify again", icon="verified", on_click=self.verify)
            ui.button("Remove", icon="delete", on_click=self.remove).props("color=negative").mark(
                "remove-image"
            )
        ui.label(
            "Devices copy images from the image server over HTTP. Port 80 needs privilege: on "
            "Linux run `sudo setcap cap_net_bind_service=+ep $(readlink -f $(which python3))` "
            "or lower net.ipv4.ip_unprivileged_port_start; on Windows allow the app in the "
            "firewall; on macOS 10.14 and later any user may bind port 80."
        ).classes("text-sm text-gray-500")

        events.on(REPOSITORY_CHANGED, lambda _t, _p: self.refresh())
        ui.timer(0.5, self.tick)
        self.show_server()

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for image in self.services.repository.list_images():
            rows.append(
                {
                    **image,
                    "size_mb": round((image.get("size") or 0) / 1e6, 1),
                    "devices_text": ", ".join(image.get("devices") or []) or "-",
                    "upload_date": local_time(image.get("upload_date")),
                }
            )
        return rows

    def refresh(self) -> None:
        self.table.rows = self._rows()
        self.table.update()

    def tick(self) -> None:
        if self.busy:
            self.bar.set_visibility(True)
            self.bar.set_value(self.progress.fraction)
            total = (self.progress.total or 0) / 1e6
            self.bar_label.set_text(
                f"{self.progress.label}: {self.progress.done / 1e6:.1f} of {total:.1f} MB"
            )
        self.show_transfers()

    def show_server(self) -> None:
        status = self.services.image_server_status()
        self.server_status.clear()
        with self.server_status:
            ui.label(f"{'Running' if status.running else 'Stopped'}: {status.url}")
            ui.label(f"Bound to {status.bind}, port {status.port}")
            if status.fallback_reason:
                with ui.row().classes("items-center"):
                    ui.icon("warning", color="amber")
                    ui.label(f"Fallback port: {status.fallback_reason}").classes("text-amber-700")

    def show_transfers(self) -> None:
        active = self.services.image_server.transfers(active_only=True)
        self.transfers.clear()
        with self.transfers:
            if not active:
                ui.label("No active transfers").classes("text-sm text-gray-500")
            for transfer in active:
                fraction = transfer.sent / transfer.length if transfer.length else 0
                ui.label(
                    f"{transfer.client} {transfer.filename}: {transfer.sent / 1e6:.1f} of "
                    f"{transfer.length / 1e6:.1f} MB, {transfer.rate / 1e6:.1f} MB/s"
                )
                ui.linear_progress(value=fraction, show_value=False)

    # Adding

    async def upload(self, event: ui_events.UploadEventArguments) -> None:
        name = event.file.name
        md5 = self.md5.value or None
        self._begin(f"hashing {name}")
        try:
            if isinstance(event.file, LargeFileUpload):
                # NiceGUI spooled the upload to a temporary file, so it is copied in chunks.
                path = event.file._path
                await run.io_bound(
                    self.services.repository.add_file,
                    path,
                    md5=md5,
                    filename=name,
                    progress=self.progress.update,
                )
            else:
                data = await event.file.read()
                await run.io_bound(
                    self.services.repository.add_stream,
                    io.BytesIO(data),
                    name,
                    size=len(data),
                    md5=md5,
                    progress=self.progress.update,
                )
        except XeappError as exc:
            self.upload_error.set_text(f"{name} not added: {exc}")
            ui.notify(str(exc), type="negative")
        else:
            self.upload_error.set_text("")
            ui.notify(f"Added {name}", type="positive")
        finally:
            self._end()

    async def add_local(self) -> None:
        path = Path((self.path.value or "").strip()).expanduser()
        self._begin(f"adding {path.name}")
        try:
            await run.io_bound(
                self.services.repository.add_file,
                path,
                mode=self.mode.value,
                md5=self.local_md5.value or None,
                progress=self.progress.update,
            )
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
        else:
            ui.notify(f"Added {path.name}", type="positive")
        finally:
            self._end()

    def _begin(self, label: str) -> None:
        self.progress = Progress()
        self.progress.label = label
        self.busy = True

    def _end(self) -> None:
        self.busy = False
        self.bar.set_visibility(False)
        self.bar_label.set_text("")

    # Verify and remove

    def _selected(self) -> str | None:
        if not self.table.selected:
            ui.notify("Select an image in the table", type="warning")
            return None
        return str(self.table.selected[0]["filename"])

    async def verify(self) -> None:
        filename = self._selected()
        if filename is None:
            return
        self._begin(f"verifying {filename}")
        try:
            record = await run.io_bound(
                self.services.repository.verify, filename, self.progress.update
            )
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
        else:
            ui.notify(f"{filename}: {(record or {}).get('verified')}", type="positive")
        finally:
            self._end()

    def remove(self) -> None:
        filename = self._selected()
        if filename is None:
            return
        try:
            self.services.repository.remove(filename)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.table.selected.clear()
        ui.notify(f"Removed {filename}")
