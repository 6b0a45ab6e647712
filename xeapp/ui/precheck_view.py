"""Pre-checks on the Inventory page: run, show results, acknowledge, free flash, upgrade."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from nicegui import ui

from xeapp.errors import XeappError
from xeapp.platforms import UnsupportedPlatformError, image_fits
from xeapp.prechecks import DevicePrechecks
from xeapp.prechecks.model import CheckResult, Result
from xeapp.prechecks.remedies import REMOVE_INACTIVE, RemedyResult
from xeapp.services import AppServices
from xeapp.ui.frame import status_color

if TYPE_CHECKING:
    from xeapp.ui.inventory import InventoryPage


class PrecheckPanel:
    """The Run pre-checks and Upgrade actions and the results view below the grid."""

    def __init__(self, services: AppServices, page: InventoryPage) -> None:
        self.services = services
        self.page = page
        with ui.row().classes("items-center gap-2 w-full"):
            images = [image["filename"] for image in services.store.list_images()]
            self.image = ui.select(images, label="Image", value=self._likely_image())
            self.image.classes("w-96").props("data-testid=precheck-image").mark("precheck-image")
            ui.button("Run pre-checks", icon="fact_check", on_click=self.run).mark("run-prechecks")
            self.upgrade_button = (
                ui.button("Upgrade", icon="system_update", on_click=self.open_upgrade_dialog)
                .props("color=positive data-testid=upgrade")
                .mark("upgrade")
            )
            ui.space()
            ui.button("Report CSV", on_click=lambda: self.export("csv")).props("outline")
            ui.button("Report HTML", on_click=lambda: self.export("html")).props("outline")
        self.gating_label = ui.label("").classes("text-sm text-gray-500")
        self.summary = ui.row().classes("gap-2 items-center")
        self.results = ui.column().classes("w-full")
        # The remedy's confirmation lives outside the results view, which every change rebuilds.
        self.free_flash_dialog = ui.dialog()
        self._freeing: set[str] = set()
        self._freed: dict[str, RemedyResult] = {}
        self.refresh_results()
        self.refresh_gating()

    def addresses(self) -> list[str]:
        return self.page.addresses()

    def _likely_image(self) -> str | None:
        """Return the image that fits the most devices, so the first pre-check makes sense."""
        pids = [d.get("pid") or "" for d in self.services.store.list_devices()]
        best, best_count = None, -1
        for image in self.services.store.list_images():
            count = sum(1 for pid in pids if _fits(image.get("family"), pid))
            if count > best_count:
                best, best_count = image["filename"], count
        return best

    # Running and showing

    def run(self) -> None:
        if not self.image.value:
            ui.notify("Pick an image first (add one on the Repository page)", type="warning")
            return
        addresses = self.addresses()
        if not addresses:
            ui.notify("The inventory is empty", type="warning")
            return
        try:
            self.services.run_prechecks(addresses, self.image.value)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"Pre-checks started on {len(addresses)} devices against {self.image.value}")

    def refresh_results(self) -> None:
        """Rebuild the results view of the devices shown (selected, else all)."""
        outcomes = [self.services.precheck_outcome(a) for a in self.addresses()]
        shown = [o for o in outcomes if o is not None]
        totals = {"Pass": 0, "Warn": 0, "Fail": 0}
        for outcome in shown:
            for result, count in outcome.counts().items():
                totals[result] += count
        self.summary.clear()
        with self.summary:
            for result, count in totals.items():
                ui.badge(f"{result}: {count}", color=status_color(result)).props(
                    f"data-testid=summary-{result.lower()}"
                ).mark(f"summary-{result.lower()}")
            ready = sum(1 for o in shown if o.ready)
            ui.label(f"{ready} of {len(shown)} devices without a Fail")
        self.results.clear()
        with self.results:
            for outcome in shown[:200]:
                self._device_results(outcome)
            if len(shown) > 200:
                ui.label(f"{len(shown) - 200} more devices: select fewer to see them")

    def _device_results(self, outcome: DevicePrechecks) -> None:
        state = "ready" if outcome.ready else "not ready"
        if outcome.needs_acknowledgement:
            state = "warnings need acknowledgement"
        # Devices that need the user (a Fail or a warning to accept) open expanded.
        with ui.expansion(
            f"{outcome.ip_address}  {outcome.image}: {state}",
            icon="fact_check",
            value=outcome.needs_acknowledgement or not outcome.ready,
        ).classes("w-full border rounded"):
            for check in outcome.checks:
                with ui.row().classes("items-start gap-2 no-wrap"):
                    ui.badge(check.result.value, color=status_color(check.result.value))
                    ui.label(check.check_name).classes("w-32 font-mono")
                    ui.label(check.message).classes("text-sm")
            self._free_flash_action(outcome)
            if outcome.needs_acknowledgement:
                ui.button(
                    "Acknowledge warnings",
                    on_click=lambda address=outcome.ip_address: self.acknowledge(address),
                ).props(f"outline color=amber data-testid=ack-{outcome.ip_address}").mark(
                    f"ack-{outcome.ip_address}"
                )
            elif outcome.acknowledged:
                ui.label(f"Warnings acknowledged {outcome.acknowledged_at or ''}").classes(
                    "text-sm text-amber-700"
                )

    def acknowledge(self, address: str) -> None:
        try:
            self.services.acknowledge_prechecks(address)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f"{address}: warnings acknowledged")

    # The disk_space remedy

    def _free_flash_action(self, outcome: DevicePrechecks) -> None:
        """Show the remedy's progress, its last result, or the button that starts it."""
        address = outcome.ip_address
        if address in self._freeing:
            with ui.row().classes("items-center gap-2"):
                ui.spinner(size="sm")
                ui.label(f"Running {REMOVE_INACTIVE}, then rechecking disk_space").mark(
                    f"free-flash-running-{address}"
                )
            return

        disk_space = _disk_space_of(outcome)
        if disk_space is None:
            return
        # The remedy's result shows until another run replaces the disk_space result it stored.
        freed = self._freed.get(address)
        if freed is not None and disk_space.ran_at == freed.recheck.ran_at:
            files = "1 file" if freed.files_deleted == 1 else f"{freed.files_deleted} files"
            result = disk_space.result.value
            ui.label(f"{REMOVE_INACTIVE} deleted {files}, and disk_space is now {result}").classes(
                "text-sm"
            ).mark(f"freed-{address}")
        if disk_space.result is Result.FAIL:
            ui.button(
                f"Free flash ({REMOVE_INACTIVE})",
                icon="delete_sweep",
                on_click=lambda: self.confirm_free_flash(address, outcome.image),
            ).props(f"outline color=negative data-testid=free-flash-{address}").mark(
                f"free-flash-{address}"
            )

    def confirm_free_flash(self, address: str, image: str) -> None:
        dialog = self.free_flash_dialog
        dialog.clear()
        with dialog, ui.card().classes("w-[32rem]"):
            ui.label(f"Free flash on {address}?").classes("text-lg")
            ui.label(
                f"{REMOVE_INACTIVE} deletes the inactive install packages and every .bin image "
                "file not in use from flash on every stack member. Deleted files cannot be "
                "restored, but the image server can copy an image again."
            )
            ui.label(f"The disk_space check then runs again against {image}.").classes(
                "text-sm text-gray-500"
            )
            with ui.row():
                ui.button(
                    "Delete inactive files",
                    on_click=lambda: self.free_flash(address, image),
                ).props("color=negative data-testid=free-flash-confirm").mark("free-flash-confirm")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    async def free_flash(self, address: str, image: str) -> None:
        """Run the remedy on the app's worker pool and show its result when it ends."""
        self.free_flash_dialog.close()
        try:
            future = self.services.free_flash(address, image)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        self._freeing.add(address)
        self.refresh_results()

        remedy: RemedyResult | None = None
        error: XeappError | None = None
        try:
            remedy = await asyncio.wrap_future(future)
        except XeappError as exc:
            error = exc
        finally:
            self._freeing.discard(address)

        # The dialog that started this handler may have been rebuilt for another device
        # meanwhile, so the notifications go through a container that lives as long as the page.
        with self.results:
            if remedy is None:
                ui.notify(f"{address}: {REMOVE_INACTIVE} failed: {error}", type="negative")
            else:
                self._freed[address] = remedy
                result = remedy.recheck.result
                ui.notify(
                    f"{address}: disk_space {result.value} after {REMOVE_INACTIVE}",
                    type="positive" if result is Result.PASS else "warning",
                )
        self.refresh_gating()

    def export(self, report_format: str) -> None:
        try:
            content, filename, media_type = self.services.precheck_report(
                self.addresses(), report_format
            )
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.download.content(content, filename, media_type)

    # Upgrade gating and dialog

    def ready_addresses(self) -> list[str]:
        """The selected devices cleared for an upgrade: no Fail, warnings acknowledged."""
        cleared = []
        for address in sorted(self.page.selected):
            outcome = self.services.precheck_outcome(address)
            if outcome is not None and outcome.cleared_for_upgrade:
                cleared.append(address)
        return cleared

    def refresh_gating(self) -> None:
        """Enable Upgrade only when every selected device is cleared for it."""
        selected = len(self.page.selected)
        ready = self.ready_addresses()
        enabled = selected > 0 and len(ready) == selected
        self.upgrade_button.set_enabled(enabled)
        if selected == 0:
            self.gating_label.set_text("Select devices whose pre-checks passed to upgrade")
        elif not enabled:
            self.gating_label.set_text(
                f"{selected - len(ready)} of {selected} selected devices are not cleared: "
                "run pre-checks, fix failures, acknowledge warnings"
            )
        else:
            self.gating_label.set_text(f"{selected} devices ready to upgrade")
        self.refresh_results()

    def open_upgrade_dialog(self) -> None:
        addresses = self.ready_addresses()
        if not addresses:
            ui.notify("No selected device is cleared for an upgrade", type="warning")
            return
        images = {self.services.precheck_outcome(a).image for a in addresses}  # type: ignore[union-attr]
        with ui.dialog() as dialog, ui.card().classes("w-[30rem]"):
            ui.label(f"Upgrade {len(addresses)} devices").classes("text-lg")
            image = ui.select(sorted(images), label="Image", value=sorted(images)[0])
            when = ui.radio(["Now", "At a date and time"], value="Now").props("inline")
            when.props("data-testid=upgrade-when").mark("upgrade-when")
            now = datetime.now().astimezone()
            with ui.row() as at_row:
                date = ui.input("Date", value=now.strftime("%Y-%m-%d")).props("type=date")
                date.props("data-testid=upgrade-date").mark("upgrade-date")
                time = ui.input("Time (local)", value=now.strftime("%H:%M:%S")).props(
                    "type=time step=1 data-testid=upgrade-time"
                )
                time.mark("upgrade-time")
            at_row.bind_visibility_from(when, "value", value="At a date and time")
            ui.label(f"Time zone: {now.tzname()}").classes("text-sm text-gray-500")
            two_phase = ui.checkbox("Two-phase (auto-abort timer, commit after confirmation)")
            stop_after = ui.number(
                "Stop the batch after this many failures (empty: never)", min=1, precision=0
            ).classes("w-full")
            ui.label(
                f"At most {self.services.jobs.max_parallel} upgrades run at once; the limit "
                "is the Parallel upgrades setting, applied when the app starts."
            ).classes("text-sm text-gray-500")
            with ui.row():
                ui.button(
                    "Start",
                    on_click=lambda: self._submit(
                        dialog,
                        addresses,
                        image.value,
                        None if when.value == "Now" else f"{date.value}T{time.value}",
                        two_phase.value,
                        int(stop_after.value) if stop_after.value else None,
                    ),
                ).props("color=positive data-testid=upgrade-start").mark("upgrade-start")
                ui.button("Cancel", on_click=dialog.close).props("flat")
        dialog.open()

    def _submit(
        self,
        dialog: ui.dialog,
        addresses: list[str],
        image: str,
        at_text: str | None,
        two_phase: bool,
        stop_after_failures: int | None,
    ) -> None:
        at = None
        if at_text:
            try:
                at = datetime.fromisoformat(at_text).astimezone()
            except ValueError:
                ui.notify(f"Invalid date and time {at_text!r}", type="negative")
                return
        try:
            jobs = self.services.schedule_upgrades(
                addresses,
                image,
                at=at,
                two_phase=two_phase,
                stop_after_failures=stop_after_failures,
            )
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        dialog.close()
        when = "now" if at is None else at.strftime("%Y-%m-%d %H:%M:%S %Z")
        ui.notify(f"{len(jobs)} upgrade jobs scheduled {when}", type="positive")


def _disk_space_of(outcome: DevicePrechecks) -> CheckResult | None:
    return next((c for c in outcome.checks if c.check_name == "disk_space"), None)


def _fits(image_family: str | None, pid: str) -> bool:
    try:
        return bool(pid) and image_fits(image_family, pid)
    except UnsupportedPlatformError:
        return False
