"""The Inventory page: the device grid, its toolbar and the detail panel of one device."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import events as ui_events
from nicegui import run, ui

from xeapp.errors import InvalidInputError, XeappError
from xeapp.events import INVENTORY_CHANGED, PRECHECKS_CHANGED
from xeapp.services import DISCOVERY_PROGRESS, NETCONF_PROGRESS, AppServices
from xeapp.targets import LargeTargetBlockError, TargetList, parse_csv_text, parse_targets
from xeapp.ui.bridge import PageEvents
from xeapp.ui.grid import COLUMNS, DeviceGrid, device_row
from xeapp.ui.precheck_view import PrecheckPanel

EXPORT_COLUMNS = [column["field"] for column in COLUMNS]


class InventoryPage:
    """Builds the page; handlers run on the event loop, fed by PageEvents."""

    def __init__(self, services: AppServices, events: PageEvents) -> None:
        self.services = services
        self.selected: set[str] = set()
        self._pending: set[str] = set()
        self._cleared = False

        with ui.row().classes("items-center gap-2 w-full"):
            ui.button("Add devices", icon="add", on_click=self.open_add_dialog).mark("add-devices")
            ui.button("Import CSV", icon="upload_file", on_click=self.open_import_dialog).props(
                "outline"
            ).mark("import-csv")
            self.discover_button = ui.button("Discover", icon="radar", on_click=self.discover)
            self.discover_button.mark("discover")
            ui.button("NETCONF on", on_click=lambda: self.toggle_netconf(True)).props(
                "outline"
            ).mark("netconf-on")
            ui.button("NETCONF off", on_click=lambda: self.toggle_netconf(False)).props("outline")
            ui.button("Export CSV", icon="download", on_click=self.export_csv).props("outline")
            ui.button("Remove", icon="delete", on_click=self.remove_selected).props(
                "outline color=negative"
            )
            ui.button("Clear All", icon="delete_forever", on_click=self.confirm_clear).props(
                "color=negative"
            ).mark("clear-all")
            ui.space()
            self.filter = ui.input(placeholder="Filter", on_change=self._filter).props(
                "dense clearable"
            )
            self.selection_label = ui.label("0 selected")

        self._build_import_dialog()

        with ui.row().classes("w-full items-center gap-2"):
            self.progress = ui.linear_progress(value=0, show_value=False).classes("w-96")
            self.progress_label = ui.label("")
            self.cancel_button = ui.button("Cancel", on_click=self.cancel_discovery).props(
                "flat dense"
            )
        self.progress.set_visibility(False)
        self.cancel_button.set_visibility(False)
        self.sweep: Any = None

        with ui.row().classes("w-full no-wrap gap-4"):
            with ui.column().classes("grow"):
                self.grid = DeviceGrid(self._all_rows())
                self.grid.on_selection(self._set_selection)
                self.grid.grid.on("cellClicked", self._on_cell_clicked)
            with ui.column().classes("w-96"):
                self.detail = ui.column().classes("w-full")
                with self.detail:
                    ui.label("Click a row to see its stack members and free space").classes(
                        "text-sm text-gray-500"
                    )
                ui.label("Discovery and NETCONF results").classes("text-sm text-gray-500")
                self.results_log = ui.log(max_lines=200).classes("w-full h-40 text-xs")
        self.prechecks = PrecheckPanel(services, self)

        events.on(INVENTORY_CHANGED, self._on_inventory)
        events.on(PRECHECKS_CHANGED, self._on_prechecks)
        events.on(DISCOVERY_PROGRESS, self._on_discovery)
        events.on(NETCONF_PROGRESS, self._on_netconf)
        ui.timer(0.3, self.flush)

    # Rows

    def _all_rows(self) -> list[dict[str, Any]]:
        return [
            device_row(record, self.services.worst_precheck(record["ip_address"]))
            for record in self.services.store.list_devices()
        ]

    def _on_inventory(self, _topic: str, payload: dict[str, Any]) -> None:
        if payload.get("action") == "clear":
            self._cleared = True
            self._pending.clear()
        elif payload.get("ip_address"):
            self._pending.add(payload["ip_address"])

    def _on_prechecks(self, _topic: str, payload: dict[str, Any]) -> None:
        if payload.get("ip_address"):
            self._pending.add(payload["ip_address"])

    def flush(self) -> None:
        """Send the rows changed since the last flush as one transaction."""
        if self._cleared:
            self._cleared = False
            self.grid.clear()
            self.selected.clear()
            self._show_selection()
        if not self._pending:
            return
        upserts, removed = [], []
        for address in sorted(self._pending):
            record = self.services.store.get_device(address)
            if record is None:
                removed.append(address)
                self.selected.discard(address)
            else:
                upserts.append(device_row(record, self.services.worst_precheck(address)))
        self._pending.clear()
        self.grid.apply(upserts, removed)
        self._show_selection()

    # Selection and detail

    def _set_selection(self, addresses: list[str]) -> None:
        # The grid's own report is the only source of the selection, so the selection equals
        # what the grid shows. flush() drops removed rows before the grid reports them.
        self.selected = set(addresses)
        self._show_selection()

    def _show_selection(self) -> None:
        self.selection_label.set_text(f"{len(self.selected)} selected")
        self.prechecks.refresh_gating()

    def _on_cell_clicked(self, event: ui_events.GenericEventArguments) -> None:
        if event.args.get("rowId"):
            self.show_detail(event.args["rowId"])

    def show_detail(self, address: str) -> None:
        """Show a device's stack members and free space in the side panel."""
        record = self.services.store.get_device(address)
        self.detail.clear()
        if record is None:
            return
        with self.detail:
            ui.label(f"{record.get('hostname') or address} ({address})").classes("text-lg")
            ui.label(
                f"{record.get('pid') or '-'}  {record.get('current_version') or '-'}  "
                f"boot mode {record.get('install_mode') or '-'}"
            )
            ui.label(f"{len(record.get('members') or [])} members")
            rows = [
                {
                    "member": m.get("number"),
                    "role": m.get("role"),
                    "state": m.get("state"),
                    "filesystem": m.get("filesystem"),
                    "free": _gigabytes(m.get("free_bytes")),
                    "total": _gigabytes(m.get("total_bytes")),
                }
                for m in record.get("members") or []
            ]
            columns = (
                [{"name": k, "label": k.capitalize(), "field": k} for k in rows[0]] if rows else []
            )
            ui.table(columns=columns, rows=rows).props("dense flat").classes("w-full overflow-auto")
            if record.get("last_error"):
                ui.label(record["last_error"]).classes("text-red-600 text-sm")

    def _filter(self) -> None:
        self.grid.grid.run_grid_method("setGridOption", "quickFilterText", self.filter.value or "")

    def addresses(self) -> list[str]:
        """The selected devices, or every device when none is selected."""
        if self.selected:
            return sorted(self.selected)
        return [row["ip_address"] for row in self.grid.row_data]

    # Adding and importing

    def open_add_dialog(self) -> None:
        with ui.dialog() as dialog, ui.card().classes("w-[32rem]"):
            ui.label("Add devices").classes("text-lg")
            text = (
                ui.textarea(
                    "Addresses, ranges or CIDR blocks",
                    placeholder="10.1.1.10, 10.1.1.20-10.1.1.50, 10.1.2.0/24",
                )
                .classes("w-full")
                .mark("add-text")
            )
            discover_now = ui.checkbox("Discover now", value=True).mark("add-discover")
            with ui.row():
                ui.button(
                    "Add",
                    on_click=lambda: self.add_devices(text.value or "", discover_now.value, dialog),
                ).mark("add-submit")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    async def add_devices(
        self, text: str, discover: bool, dialog: ui.dialog | None = None, confirmed: bool = False
    ) -> None:
        try:
            targets = parse_targets([text], confirmed=confirmed)
        except LargeTargetBlockError as exc:
            self._confirm_large(str(exc), lambda: self.add_devices(text, discover, dialog, True))
            return
        if dialog is not None:
            dialog.close()
        await self._add_targets(targets, discover)

    def _confirm_large(self, message: str, proceed: Callable[[], Awaitable[None]]) -> None:
        with ui.dialog() as confirm, ui.card():
            ui.label(message)
            ui.label("Continue with every address of the block?")

            async def on_continue() -> None:
                confirm.close()
                await proceed()

            with ui.row():
                ui.button("Continue", on_click=on_continue).mark("confirm-large")
                ui.button("Cancel", on_click=confirm.close).props("flat")
        confirm.open()

    async def _add_targets(self, targets: TargetList, discover: bool) -> None:
        for problem in targets.problems:
            ui.notify(f"Invalid entry {problem}", type="warning")
        if not targets.targets:
            ui.notify("No valid address to add", type="warning")
            return
        added = await run.io_bound(self.services.add_devices, targets.targets) or []
        ui.notify(f"Added {len(added)} devices ({len(targets.targets)} given)")
        if discover:
            self._start_discovery(targets.targets)

    def _build_import_dialog(self) -> None:
        with ui.dialog() as self.import_dialog, ui.card().classes("w-[32rem]"):
            ui.label("Import devices from CSV").classes("text-lg")
            ui.label(
                "Columns ip, ssh_port, netconf_port and optionally username, with a header "
                "line; the lab's --inventory-out file works as is. The devices are discovered "
                "after the import."
            ).classes("text-sm text-gray-500")
            self.upload = (
                ui.upload(
                    label="Drop a .csv file here or click",
                    auto_upload=True,
                    on_upload=self.import_csv,
                )
                .props("accept=.csv")
                .classes("w-full")
            )
            ui.button("Close", on_click=self.import_dialog.close).props("flat")

    def open_import_dialog(self) -> None:
        self.import_dialog.open()

    async def import_csv(self, event: ui_events.UploadEventArguments) -> None:
        text = await event.file.text()
        self.upload.reset()
        self.import_dialog.close()
        try:
            targets = parse_csv_text(text, source=event.file.name, confirmed=True)
        except InvalidInputError as exc:
            ui.notify(str(exc), type="negative")
            return
        await self._add_targets(targets, discover=True)

    # Discovery and NETCONF

    def discover(self) -> None:
        try:
            targets = self.services.targets_for(self.addresses())
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        if not targets:
            ui.notify("The inventory is empty: add devices first", type="warning")
            return
        self._start_discovery(targets)

    def _start_discovery(self, targets: list[Any]) -> None:
        self.sweep = self.services.discover(targets)
        self.progress.set_value(0)
        self.progress.set_visibility(True)
        self.cancel_button.set_visibility(True)
        self.progress_label.set_text(f"Discovering 0 of {len(targets)}")
        self.results_log.push(f"discovery of {len(targets)} devices started")

    def _on_discovery(self, _topic: str, payload: dict[str, Any]) -> None:
        done, total = payload["done"], payload["total"]
        self.progress.set_value(done / total if total else 1)
        self.progress_label.set_text(f"Discovered {done} of {total}")
        state = "Online" if payload["online"] else f"Offline: {payload.get('error')}"
        self.results_log.push(f"{payload['ip_address']} {state}")
        if done >= total:
            self.cancel_button.set_visibility(False)
            ui.notify(f"Discovery finished: {done} devices read")

    def cancel_discovery(self) -> None:
        if self.sweep is not None:
            self.sweep.cancel()
            self.progress_label.set_text("Discovery cancelled")
            self.cancel_button.set_visibility(False)

    def toggle_netconf(self, enable: bool) -> None:
        if not self.selected:
            ui.notify("Select the devices first", type="warning")
            return
        word = "on" if enable else "off"
        with ui.dialog() as dialog, ui.card():
            ui.label(f"Turn NETCONF {word} on {len(self.selected)} devices")
            save = ui.checkbox("Save the configuration (write memory)", value=False)
            with ui.row():
                ui.button(
                    f"NETCONF {word}",
                    on_click=lambda: self._toggle(dialog, enable, save.value),
                ).mark("netconf-submit")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    def _toggle(self, dialog: ui.dialog, enable: bool, save: bool) -> None:
        dialog.close()
        try:
            self.services.set_netconf(sorted(self.selected), enable, save=save)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.results_log.push(f"NETCONF {'on' if enable else 'off'}: {len(self.selected)} devices")

    def _on_netconf(self, _topic: str, payload: dict[str, Any]) -> None:
        message = f"{payload['ip_address']}: {payload['message']}"
        ui.notify(message, type="positive" if payload.get("confirmed") else "warning")
        self.results_log.push(f"{payload['ip_address']} {payload['message']}")

    # Export, remove, clear

    def export_csv(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in self._all_rows():
            writer.writerow(row)
        ui.download.content(buffer.getvalue().encode("utf-8"), "xeapp-inventory.csv", "text/csv")

    def remove_selected(self) -> None:
        if not self.selected:
            ui.notify("Select the devices to remove", type="warning")
            return
        count = len(self.selected)
        for address in sorted(self.selected):
            self.services.store.remove_device(address)
        ui.notify(f"Removed {count} devices")

    def confirm_clear(self) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label("Remove every device and every pre-check result?")
            with ui.row():
                ui.button(
                    "Clear All",
                    on_click=lambda: self.clear_all(dialog),
                ).props("color=negative").mark("confirm-clear")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    def clear_all(self, dialog: ui.dialog | None = None) -> None:
        if dialog is not None:
            dialog.close()
        self.services.store.clear_inventory()
        ui.notify("Inventory and pre-check results cleared")


def _gigabytes(value: int | None) -> str:
    return "-" if value is None else f"{value / 1e9:.2f} GB"
