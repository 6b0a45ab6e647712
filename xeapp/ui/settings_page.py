"""The Settings page: credentials (write-only passwords), ports, timeouts, limits, UI password."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from xeapp.credentials import Credentials
from xeapp.errors import XeappError
from xeapp.services import AppServices, hash_password
from xeapp.settings import INT_RANGES

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
    ("upgrade_poll_interval_s", "Reload poll interval (s)"),
    ("upgrade_down_timeout_s", "Wait for the reload to start (s)"),
    ("upgrade_install_timeout_s", "Install command timeout (s)"),
    ("auto_abort_minutes", "Two-phase auto-abort timer (min)"),
)


class SettingsPage:
    def __init__(self, services: AppServices) -> None:
        self.services = services
        described = services.credentials.describe()
        with ui.row().classes("w-full gap-4 items-start"):
            self._credentials_card(described)
            self._ui_password_card()
        self._numbers_card()

    def _credentials_card(self, described: dict[str, Any]) -> None:
        with ui.card().classes("w-[36rem]"):
            ui.label("Device credentials (app-wide)").classes("text-lg")
            self.credentials_state = ui.label("").classes("text-sm text-gray-500")
            self._show_credentials_state(bool(described["password_set"]))
            self.username = ui.input("Username", value=described.get("username") or "")
            self.username.classes("w-full").mark("username")
            # Password fields are write-only: the page never loads a stored secret into them.
            self.password = ui.input("Password (empty: keep the stored one)", password=True)
            self.password.props("autocomplete=new-password").classes("w-full").mark("password")
            self.enable = ui.input("Enable secret (optional, empty: keep)", password=True)
            self.enable.props("autocomplete=new-password").classes("w-full")
            ui.button("Save credentials", on_click=self.save_credentials).mark("save-credentials")

    def _show_credentials_state(self, password_set: bool) -> None:
        self.credentials_state.set_text(
            f"Password {'set' if password_set else 'not set'}, stored in "
            f"{self.services.credentials.backend_name}"
        )

    def _numbers_card(self) -> None:
        with ui.card().classes("w-full max-w-[74rem]"):
            ui.label("Ports, timeouts and limits").classes("text-lg")
            values = self.services.settings.to_dict()
            self.numbers: dict[str, ui.number] = {}
            with ui.grid().classes("w-full grid-cols-1 md:grid-cols-2 lg:grid-cols-3 gap-x-6"):
                for key, label in NUMBER_FIELDS:
                    low, high = INT_RANGES[key]
                    number = ui.number(label, value=values[key], precision=0)
                    number.props(f'hint="{low} to {high}"').mark(f"setting-{key}")
                    self.numbers[key] = number
            self.bind = ui.input(
                "Image server listens on (next start; 0.0.0.0: every interface)",
                value=values.get("image_server_bind") or "",
            ).classes("w-full")
            self.bind.mark("setting-image_server_bind")
            self.address = ui.input(
                "Image server address in copy URLs (empty: interface facing the device)",
                value=values.get("image_server_address") or "",
            ).classes("w-full")
            self.settings_error = ui.label("").classes("text-negative").mark("settings-error")
            ui.button("Save settings", on_click=self.save_settings).mark("save-settings")

    def _ui_password_card(self) -> None:
        with ui.card().classes("w-[36rem]"):
            ui.label("UI password").classes("text-lg")
            state = "set" if self.services.settings.ui_password_hash else "not set"
            ui.label(
                f"The UI password is {state}; it is required to serve the UI on a "
                "non-loopback address (--host 0.0.0.0)."
            ).classes("text-sm text-gray-500")
            self.ui_password = ui.input("New UI password (at least 8 characters)", password=True)
            self.ui_password.props("autocomplete=new-password").classes("w-full")
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
        self._show_credentials_state(bool(password))
        ui.notify("Credentials saved", type="positive")

    def save_settings(self) -> None:
        changes: dict[str, Any] = {}
        for key, field in self.numbers.items():
            if field.value is None:
                low, high = INT_RANGES[key]
                self._settings_failed(
                    f"missing value for setting {key}: expected an integer from {low} to {high}"
                )
                return
            if field.value != int(field.value):
                self._settings_failed(
                    f"invalid value {field.value} for setting {key}: expected a whole number"
                )
                return
            changes[key] = int(field.value)
        changes["image_server_bind"] = (self.bind.value or "").strip()
        changes["image_server_address"] = (self.address.value or "").strip() or None
        try:
            self.services.update_settings(changes)
        except XeappError as exc:
            self._settings_failed(str(exc))
            return
        self.settings_error.set_text("")
        ui.notify("Settings saved", type="positive")

    def _settings_failed(self, message: str) -> None:
        self.settings_error.set_text(f"Not saved: {message}")
        ui.notify(f"Settings not saved: {message}", type="negative")

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
