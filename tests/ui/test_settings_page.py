"""Settings page: saving a timeout, rejecting an out-of-range value, write-only passwords."""

from __future__ import annotations

import json

from nicegui import ui
from nicegui.testing import User
from ui_helpers import register, wait_for

from xeapp.credentials import Credentials
from xeapp.services import AppServices

STORED_PASSWORD = "Stored-Secret-4711"
NEW_PASSWORD = "New-Secret-0815"


def set_number(user: User, key: str, value: float | None) -> None:
    field = next(iter(user.find(marker=f"setting-{key}").elements))
    assert isinstance(field, ui.number)
    field.set_value(value)


def saved_settings(services: AppServices) -> dict[str, object]:
    data: dict[str, object] = json.loads(services.data_dir.settings_file.read_text())
    return data


def page_strings(user: User) -> list[str]:
    """Every text and prop value of every element on the page, as the browser gets them."""
    strings = []
    for element in user.client.elements.values():
        strings.append(json.dumps(element._to_dict(), default=str))
    return strings


async def test_timeout_change_is_saved(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/settings")
    set_number(user, "connect_timeout_s", 25)
    user.find(marker="save-settings").click()

    await user.should_see("Settings saved")
    assert services.settings.connect_timeout_s == 25
    assert saved_settings(services)["connect_timeout_s"] == 25


async def test_out_of_range_value_is_rejected(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/settings")
    before = services.settings.connect_timeout_s
    set_number(user, "command_timeout_s", 99)
    set_number(user, "connect_timeout_s", 0)
    user.find(marker="save-settings").click()

    await user.should_see("invalid value 0 for setting connect_timeout_s")
    await user.should_see("expected an integer from 1 to 600")
    assert services.settings.connect_timeout_s == before
    assert services.settings.command_timeout_s != 99
    assert not services.data_dir.settings_file.exists() or (
        saved_settings(services).get("command_timeout_s") != 99
    )


async def test_empty_value_is_rejected(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/settings")
    set_number(user, "reload_timeout_s", None)
    user.find(marker="save-settings").click()

    await user.should_see("missing value for setting reload_timeout_s")
    assert services.settings.reload_timeout_s == 2700


async def test_fraction_is_rejected(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/settings")
    set_number(user, "ssh_port", 2222.7)
    user.find(marker="save-settings").click()

    await user.should_see("expected a whole number")
    assert services.settings.ssh_port == 22


async def test_image_server_bind_is_saved(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/settings")
    field = next(iter(user.find(marker="setting-image_server_bind").elements))
    assert isinstance(field, ui.input)
    field.set_value("127.0.0.1")
    user.find(marker="save-settings").click()

    await user.should_see("Settings saved")
    assert saved_settings(services)["image_server_bind"] == "127.0.0.1"


async def test_password_is_write_only(user: User, services: AppServices) -> None:
    services.credentials.set(Credentials("netops", STORED_PASSWORD))
    register(services)
    await user.open("/settings")
    await user.should_see("Password set")
    assert not any(STORED_PASSWORD in text for text in page_strings(user))

    user.find(marker="password").type(NEW_PASSWORD)
    user.find(marker="save-credentials").click()
    await user.should_see("Credentials saved")
    stored = services.credentials.get()
    assert stored is not None
    assert stored.password == NEW_PASSWORD
    assert stored.username == "netops"
    await wait_for(lambda: not any(NEW_PASSWORD in text for text in page_strings(user)))

    await user.open("/settings")
    assert not any(NEW_PASSWORD in text for text in page_strings(user))
    assert not any(STORED_PASSWORD in text for text in page_strings(user))
