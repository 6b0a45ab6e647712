"""The Settings page: credentials (write-only passwords), ports, timeouts, limits, UI password."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from xeapp.credentials import Credentials
from xeapp.errors import XeappError
from xeapp.services import AppServices, hash_password

# Settings shown as numbers, with their labels; units are in the label.
NUMBER_FIELDS = (
    ("ui_port", "UI port (next start)"),
    ("image_server_port", "Image server port (next start)"),
    ("image_server_fallback_port", "Image server fallback port (next start)"),
    ("ssh_port", "SSH port"),
    ("netconf_port", "NETCONF port"),
    ("connect_timeout_s", "Connect timeout (s)"),
    ("command_timeout_s", "Command timeout (s)"),
    ("reload_timeout_s", "Reload timeout (s)"),
    ("netconf_start_wait_s", "NETCONF start wait (s)"),
    ("missed_job_grace_s", "Missed job grace period (s)"),
    ("discovery_workers", "Discovery workers"),
    ("max_parallel_upgrades", "Parallel upgrades"),
)


class SettingsPage:
    def __init__(self, services: AppServices) -> None:
        self.services = services
        described = services.credentials.describe()
        with ui.card().classes("w-[36rem]"):
            ui.label("Device credentials (app-wide)").classes("text-lg")
            ui.label(
                f"Password {'set' if described['password_set'] else 'not set'}, stored in "
                f"{services.credentials.backend_name}"
            ).classes("text-sm text-gray-600")
            self.username = ui.input("Username", value=described.get("username") or "")
            self.password = ui.input("Password", password=True).props("autocomplete=new-password")
            self.enable = ui.input("Enable secret (optional)", password=True).props(
                "autocomplete=new-password"
            )
            ui.button("Save credentials", on_click=self.save_credentials)

        with ui.card().classes("w-[36rem]"):
            ui.label("Ports, timeouts and limits").classes("text-lg")
            values = services.settings.to_dict()
            self.numbers: dict[str, ui.number] = {}
            with ui.grid(columns=2).classes("w-full"):
                for key, label in NUMBER_FIELDS:
                    self.numbers[key] = ui.number(label, value=values[key], precision=0)
            self.address = ui.input(
                "Image server address in copy URLs (empty: interface facing the device)",
                value=values.get("image_server_address") or "",
            ).classes("w-full")
            ui.button("Save settings", on_click=self.save_settings)

        with ui.card().classes("w-[36rem]"):
            ui.label("UI password").classes("text-lg")
            state = "set" if services.settings.ui_password_hash else "not set"
            ui.label(
                f"The UI password is {state}; it is required to serve the UI on a "
                "non-loopback address (--host 0.0.0.0)."
            ).classes("text-sm text-gray-600")
            self.ui_password = ui.input("New UI password", password=True).props(
                "autocomplete=new-password"
            )
            with ui.row():
                ui.button("Set UI password", on_click=self.set_ui_password)
                ui.button("Remove UI password", on_click=self.remove_ui_password).props("flat")

    def save_credentials(self) -> None:
        current = self.services.credentials.get()
        password = self.password.value or (current.password if current else "")
        enable = self.enable.value or (current.enable_secret if current else None)
        try:
            self.services.credentials.set(Credentials(self.username.value, password, enable))
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.password.set_value("")
        self.enable.set_value("")
        ui.notify("Credentials saved", type="positive")

    def save_settings(self) -> None:
        changes: dict[str, Any] = {
            key: int(field.value) for key, field in self.numbers.items() if field.value is not None
        }
        changes["image_server_address"] = self.address.value.strip() or None
        try:
            self.services.update_settings(changes)
        except XeappError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Settings saved", type="positive")

    def set_ui_password(self) -> None:
        if len(self.ui_password.value or "") < 8:
            ui.notify("The UI password needs at least 8 characters", type="warning")
            return
        self.services.update_settings({"ui_password_hash": hash_password(self.ui_password.value)})
        self.ui_password.set_value("")
        ui.notify("UI password set", type="positive")

    def remove_ui_password(self) -> None:
        self.services.update_settings({"ui_password_hash": None})
        ui.notify("UI password removed")
