"""Inventory page: adding, importing, discovering, the NETCONF toggle, Clear All."""

from __future__ import annotations

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from ui_helpers import add_lab_devices, grid_rows, register, select_rows, wait_for

from xeapp.lab import Lab
from xeapp.services import AppServices


async def test_add_devices_shows_rows(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/inventory")
    user.find(marker="add-devices").click()
    user.find(marker="add-text").type("10.9.0.1, 10.9.0.5-10.9.0.6")
    user.find(marker="add-discover").click()
    user.find(marker="add-submit").click()

    await wait_for(lambda: len(grid_rows(user)) == 3)
    assert [row["ip_address"] for row in grid_rows(user)] == ["10.9.0.1", "10.9.0.5", "10.9.0.6"]
    assert services.store.get_device("10.9.0.5") is not None


async def test_add_large_block_asks_confirmation(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/inventory")
    user.find(marker="add-devices").click()
    user.find(marker="add-text").type("10.8.0.0/21")
    user.find(marker="add-discover").click()
    user.find(marker="add-submit").click()

    await user.should_see("Continue with every address of the block?")
    assert services.store.list_devices() == []
    user.find(marker="confirm-large").click()
    await wait_for(lambda: len(grid_rows(user)) == 2046, timeout_s=30)
    assert len(services.store.list_devices()) == 2046


async def test_invalid_entry_is_reported(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/inventory")
    user.find(marker="add-devices").click()
    user.find(marker="add-text").type("10.7.0.1 not-an-address")
    user.find(marker="add-discover").click()
    user.find(marker="add-submit").click()

    await user.should_see("Invalid entry")
    assert [d["ip_address"] for d in services.store.list_devices()] == ["10.7.0.1"]


async def test_import_csv_discovers_lab(user: User, services: AppServices, lab: Lab) -> None:
    register(services)
    await user.open("/inventory")
    rows = ["ip,ssh_port,netconf_port"]
    rows += [f"{d.ip},{d.ssh_port},{d.netconf_port}" for d in lab.devices]
    upload = next(iter(user.find(ui.upload).elements))
    csv_file = SmallFileUpload(
        name="lab.csv", content_type="text/csv", _data="\n".join(rows).encode()
    )
    with user:
        await upload.handle_uploads([csv_file])

    stack = lab.device("ui-stack").ip
    await wait_for(lambda: (services.store.get_device(stack) or {}).get("status") == "Online")
    await wait_for(lambda: any(r["hostname"] == "ui-stack" for r in grid_rows(user)))
    row = next(r for r in grid_rows(user) if r["ip_address"] == stack)
    assert row["members"] == 3
    assert row["status"] == "Online"


async def test_discover_selected_shows_progress(
    user: User, services: AppServices, lab: Lab
) -> None:
    add_lab_devices(services, lab)
    register(services)
    await user.open("/inventory")
    stack = lab.device("ui-stack").ip
    select_rows(user, stack)
    await user.should_see("1 selected")
    user.find(marker="discover").click()

    await user.should_see("Discovered 1 of 1", retries=100)
    await wait_for(lambda: next(r for r in grid_rows(user) if r["ip_address"] == stack)["hostname"])
    other = lab.device("ui-noconf").ip
    assert services.store.get_device(other)["status"] == "Offline"


async def test_detail_panel_lists_members(user: User, services: AppServices, lab: Lab) -> None:
    stack = lab.device("ui-stack")
    services.discovery.discover(add_lab_devices(services, lab)[:1])
    register(services)
    await user.open("/inventory")
    user.find(ui.aggrid).trigger("cellClicked", {"rowId": stack.ip})

    await user.should_see("ui-stack (")
    await user.should_see("3 members")


async def test_netconf_on_enables_device(user: User, services: AppServices, lab: Lab) -> None:
    noconf = lab.device("ui-noconf").ip
    services.discovery.discover(
        [t for t in add_lab_devices(services, lab) if t.ip_address == noconf]
    )
    assert services.store.get_device(noconf)["netconf_state"] == "Disabled"
    register(services)
    await user.open("/inventory")
    select_rows(user, noconf)
    user.find(marker="netconf-on").click()
    await user.should_see("Save the configuration (write memory)")
    user.find(marker="netconf-submit").click()

    await wait_for(lambda: services.store.get_device(noconf)["netconf_state"] == "Enabled", 60)
    await user.should_see("NETCONF enabled", retries=100)


async def test_clear_all_empties_inventory(user: User, services: AppServices) -> None:
    services.store.upsert_device({"ip_address": "10.6.0.1", "status": "Offline"})
    services.store.replace_prechecks("10.6.0.1", [{"check_name": "version", "result": "Pass"}])
    register(services)
    await user.open("/inventory")
    assert len(grid_rows(user)) == 1
    user.find(marker="clear-all").click()
    await user.should_see("Remove every device and every pre-check result?")
    user.find(marker="confirm-clear").click()

    await wait_for(lambda: grid_rows(user) == [])
    assert services.store.list_devices() == []
    assert services.store.list_prechecks() == []
