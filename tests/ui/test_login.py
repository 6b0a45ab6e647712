"""The login page that guards the UI when it listens beyond loopback."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from xeapp.services import AppServices, hash_password
from xeapp.ui.pages import register_pages

UI_PASSWORD = "Correct-Horse-9"


def enter_password(user: User, text: str) -> None:
    field = next(iter(user.find(marker="ui-password").elements))
    assert isinstance(field, ui.input)
    field.set_value(text)
    user.find(marker="log-in").click()


async def test_wrong_password_stays_on_login(user: User, services: AppServices) -> None:
    services.update_settings({"ui_password_hash": hash_password(UI_PASSWORD)})
    register_pages(services)
    await user.open("/login")

    enter_password(user, "not-the-password")

    await user.should_see("Wrong password")
    await user.should_not_see("Dashboard")


async def test_right_password_opens_target(user: User, services: AppServices) -> None:
    services.update_settings({"ui_password_hash": hash_password(UI_PASSWORD)})
    register_pages(services)
    await user.open("/login?redirect_to=/settings")

    enter_password(user, UI_PASSWORD)

    await user.should_see("Save settings")


async def test_redirect_to_other_site_ignored(user: User, services: AppServices) -> None:
    services.update_settings({"ui_password_hash": hash_password(UI_PASSWORD)})
    register_pages(services)
    await user.open("/login?redirect_to=//example.invalid/x")

    enter_password(user, UI_PASSWORD)

    await user.should_see("Last results")
