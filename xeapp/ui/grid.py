"""Inventory grid rows: one flat row per device, updated in place with AG Grid transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import events as ui_events
from nicegui import ui

from xeapp.ui.frame import local_time

ROW_ID = "ip_address"
_STATUS_RENDERER = """(params) => {
  const colors = {Online: '#16a34a', Offline: '#dc2626', Pass: '#16a34a', Warn: '#d97706',
                  Fail: '#dc2626'};
  const value = params.value || '-';
  const color = colors[value] || '#6b7280';
  return `<span style="background:${color};color:white;border-radius:9999px;`
       + `padding:1px 10px;font-size:12px">${value}</span>`;
}"""

COLUMNS: list[dict[str, Any]] = [
    {"field": "ip_address", "headerName": "Address", "pinned": "left"},
    {"field": "hostname", "headerName": "Hostname"},
    {"field": "status", "headerName": "Status", ":cellRenderer": _STATUS_RENDERER},
    {"field": "precheck", "headerName": "Pre-check", ":cellRenderer": _STATUS_RENDERER},
    {"field": "device_role", "headerName": "Role"},
    {"field": "pid", "headerName": "PID"},
    {"field": "current_version", "headerName": "Version"},
    {"field": "rommon_version", "headerName": "ROMMON"},
    {"field": "install_mode", "headerName": "Mode"},
    {"field": "netconf_state", "headerName": "NETCONF"},
    {"field": "members", "headerName": "Members", "type": "numericColumn"},
    {"field": "min_free_gb", "headerName": "Min free GB", "type": "numericColumn"},
    {"field": "last_seen", "headerName": "Last seen"},
    {"field": "last_error", "headerName": "Last error"},
]


def device_row(record: dict[str, Any], precheck: str | None = None) -> dict[str, Any]:
    """Return the grid row of an Inventory record; `precheck` is the worst pre-check result."""
    members = record.get("members") or []
    free = [m.get("free_bytes") for m in members if m.get("free_bytes") is not None]
    return {
        "ip_address": record["ip_address"],
        "hostname": record.get("hostname") or "",
        "status": record.get("status") or "Offline",
        "device_role": record.get("device_role") or "",
        "pid": record.get("pid") or "",
        "current_version": record.get("current_version") or "",
        "rommon_version": record.get("rommon_version") or "",
        "install_mode": record.get("install_mode") or "",
        "netconf_state": record.get("netconf_state") or "",
        "members": len(members),
        "min_free_gb": round(min(free) / 1e9, 2) if free else None,
        "precheck": precheck,
        "last_seen": local_time(record.get("last_seen")),
        "last_error": record.get("last_error") or "",
    }


class DeviceGrid:
    """An AG Grid of devices whose rows change by transaction, never by resending the table.

    Any update of the element's props makes NiceGUI 3's aggrid component destroy and recreate
    the grid in the browser, which drops the selection, the sort and the scroll position. So
    the server changes its copy of `rowData` with updates suspended: that copy only serves a
    page built again from the options, while the browser gets the transactions.
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows: dict[str, dict[str, Any]] = {row[ROW_ID]: row for row in rows}
        self.grid = ui.aggrid(
            {
                "columnDefs": COLUMNS,
                "defaultColDef": {"sortable": True, "filter": True, "resizable": True},
                "rowData": list(self.rows.values()),
                "rowSelection": {"mode": "multiRow", "headerCheckbox": True},
                "selectionColumnDef": {"pinned": "left"},
                ":getRowId": f"(params) => params.data.{ROW_ID}",
                "animateRows": False,
                "autoSizeStrategy": {"type": "fitCellContents"},
                # 14 columns render cheaply, and every cell in the DOM keeps the browser's
                # find-in-page working on the columns scrolled out of view.
                "suppressColumnVirtualisation": True,
            },
            auto_size_columns=False,
        ).classes("w-full h-[60vh]")
        self.grid.props("data-testid=inventory-grid")

    @property
    def row_data(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.grid.options["rowData"]
        return rows

    def on_selection(self, handler: Callable[[list[str]], None]) -> None:
        """Call `handler` with the selected row ids each time the grid's selection changes.

        The browser reads the selection from the grid on each selectionChanged and sends it
        with the event. The websocket delivers events in order, so the last call always
        carries the grid's latest selection. A grid created anew in the browser has nothing
        selected, so gridReady reports an empty selection.
        """
        read_selection = (
            f"() => emit((getElement({self.grid.id}).api?.getSelectedRows() ?? [])"
            f".map((row) => row.{ROW_ID}))"
        )

        def forward(event: ui_events.GenericEventArguments) -> None:
            ids = event.args if isinstance(event.args, list) else []
            handler([str(row_id) for row_id in ids])

        self.grid.on("selectionChanged", forward, js_handler=read_selection)
        self.grid.on("gridReady", forward, js_handler="() => emit([])")

    def apply(self, upserts: list[dict[str, Any]], removed: list[str]) -> tuple[int, int, int]:
        """Add, update and remove rows on the client with one transaction.

        AG Grid keeps updated rows, found by their id, selected. Returns how many rows were
        added, updated and removed.
        """
        added = [row for row in upserts if row[ROW_ID] not in self.rows]
        updated = [row for row in upserts if row[ROW_ID] in self.rows]
        gone = [self.rows[key] for key in removed if key in self.rows]
        for row in upserts:
            self.rows[row[ROW_ID]] = row
        for row in gone:
            del self.rows[row[ROW_ID]]
        with self.grid.props.suspend_updates():
            self.row_data[:] = list(self.rows.values())
        transaction: dict[str, Any] = {}
        if added:
            transaction["add"] = added
        if updated:
            transaction["update"] = updated
        if gone:
            transaction["remove"] = [{ROW_ID: row[ROW_ID]} for row in gone]
        if transaction:
            self.grid.run_grid_method("applyTransaction", transaction)
        return len(added), len(updated), len(gone)

    def clear(self) -> None:
        self.rows.clear()
        with self.grid.props.suspend_updates():
            self.row_data.clear()
        self.grid.run_grid_method("setGridOption", "rowData", [])
