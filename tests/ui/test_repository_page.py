"""Repository page: upload with an expected MD5, a mismatch, remove, the image server status."""

from __future__ import annotations

import hashlib

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from ui_helpers import IMAGE, register, wait_for

from xeapp.services import AppServices

CONTENT = b"IOS-XE demo image bytes\n" * 4096


async def upload_image(user: User, content: bytes, md5: str) -> None:
    user.find(marker="upload-md5").type(md5)
    upload = next(iter(user.find(marker="upload").elements))
    assert isinstance(upload, ui.upload)
    image = SmallFileUpload(name=IMAGE, content_type="application/octet-stream", _data=content)
    with user:
        await upload.handle_uploads([image])


def table_rows(user: User) -> list[dict[str, object]]:
    table = next(iter(user.find(marker="images").elements))
    assert isinstance(table, ui.table)
    return list(table.rows)


async def test_upload_with_md5_is_verified(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/repository")
    md5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
    await upload_image(user, CONTENT, f"  {md5.upper()} ")

    rows = await wait_for(lambda: table_rows(user))
    assert rows[0]["filename"] == IMAGE
    assert rows[0]["verified"] == "Verified"
    assert rows[0]["md5"] == md5
    assert (services.data_dir.repo_dir / IMAGE).read_bytes() == CONTENT


async def test_upload_md5_mismatch_stores_nothing(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/repository")
    wrong = "0" * 32
    await upload_image(user, CONTENT, wrong)

    await user.should_see(f"expected {wrong}")
    await user.should_see("MD5 of")
    assert services.store.list_images() == []
    assert table_rows(user) == []
    assert not any(services.data_dir.repo_dir.iterdir())


async def test_remove_image(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/repository")
    await upload_image(user, CONTENT, hashlib.md5(CONTENT, usedforsecurity=False).hexdigest())
    await wait_for(lambda: table_rows(user))

    table = next(iter(user.find(marker="images").elements))
    assert isinstance(table, ui.table)
    table.selected = [table_rows(user)[0]]
    user.find(marker="remove-image").click()

    await wait_for(lambda: table_rows(user) == [])
    assert services.store.list_images() == []
    assert not any(services.data_dir.repo_dir.iterdir())


async def test_server_status_shows_port(user: User, services: AppServices) -> None:
    register(services)
    await user.open("/repository")
    port = services.image_server_status().port

    await user.should_see(f"Bound to 127.0.0.1, port {port}")
    await user.should_see(f"Running: http://127.0.0.1:{port}/")
