"""edit-config, lock and save-config on lab devices, and the device state they change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ncclient.operations import RPCError
from netconf_server import NetconfTestServer, c9300_stack, running_server

from xeapp.lab.yangdata import NS_NATIVE, NS_SELF_MGMT

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def _boot_config(filename: str, operation: str = "merge") -> str:
    return f"""
<config xmlns="{NC}">
  <native xmlns="{NS_NATIVE}">
    <boot><system><bootfile>
      <filename-list-ordered-by-user xmlns:nc="{NC}" nc:operation="{operation}">
        <filename>{filename}</filename>
      </filename-list-ordered-by-user>
    </bootfile></system></boot>
  </native>
</config>"""


@pytest.fixture
def server() -> Iterator[NetconfTestServer]:
    with running_server(c9300_stack()) as server:
        yield server


def test_boot_system_merge_adds_entry(server: NetconfTestServer) -> None:
    with server.connect() as session:
        session.edit_config(target="running", config=_boot_config("flash:cat9k.bin"))
    assert server.device.boot_next == ["flash:packages.conf", "flash:cat9k.bin"]
    assert server.device.config_saved is False


def test_boot_system_delete_removes_entry(server: NetconfTestServer) -> None:
    with server.connect() as session:
        session.edit_config(target="running", config=_boot_config("flash:packages.conf", "delete"))
    assert server.device.boot_next == []


def test_boot_system_delete_missing_entry(server: NetconfTestServer) -> None:
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="running", config=_boot_config("flash:none.bin", "delete"))
    assert raised.value.tag == "data-missing"
    assert server.device.config_saved is True


def test_boot_system_create_existing_entry(server: NetconfTestServer) -> None:
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="running", config=_boot_config("flash:packages.conf", "create"))
    assert raised.value.tag == "data-exists"


def test_boot_system_replace_sets_entries(server: NetconfTestServer) -> None:
    with server.connect() as session:
        session.edit_config(target="running", config=_boot_config("flash:new.bin", "replace"))
    assert server.device.boot_next == ["flash:packages.conf", "flash:new.bin"]


def test_hostname_change(server: NetconfTestServer) -> None:
    config = (
        f'<config xmlns="{NC}"><native xmlns="{NS_NATIVE}">'
        "<hostname>sw-2</hostname></native></config>"
    )
    with server.connect() as session:
        session.edit_config(target="running", config=config)
    assert server.device.hostname == "sw-2"


def test_netconf_yang_delete_disables_netconf(server: NetconfTestServer) -> None:
    config = (
        f'<config xmlns="{NC}"><netconf-yang xmlns="{NS_SELF_MGMT}" '
        f'xmlns:nc="{NC}" nc:operation="delete"/></config>'
    )
    session = server.connect()
    session.edit_config(target="running", config=config)
    assert server.device.netconf_enabled is False
    assert server.wait_sessions_ended()


def test_netconf_yang_merge_keeps_netconf_on(server: NetconfTestServer) -> None:
    config = f'<config xmlns="{NC}"><netconf-yang xmlns="{NS_SELF_MGMT}"/></config>'
    with server.connect() as session:
        session.edit_config(target="running", config=config)
    assert server.device.netconf_enabled is True
    assert server.device.config_saved is True


def test_unmodelled_native_config_is_rejected(server: NetconfTestServer) -> None:
    config = (
        f'<config xmlns="{NC}"><native xmlns="{NS_NATIVE}"><hostname>sw-9</hostname>'
        "<interface/></native></config>"
    )
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="running", config=config)
    assert raised.value.tag == "operation-not-supported"
    assert raised.value.path == "/nc:rpc/nc:edit-config/nc:config/ios:native/ios:interface"
    assert server.device.hostname == "LAB-9300-Stack-1"


def test_unknown_namespace_is_rejected(server: NetconfTestServer) -> None:
    config = f'<config xmlns="{NC}"><system xmlns="urn:example:system"/></config>'
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="running", config=config)
    assert raised.value.tag == "unknown-namespace"


def test_candidate_target_is_rejected(server: NetconfTestServer) -> None:
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="candidate", config=_boot_config("flash:x.bin"))
    assert raised.value.tag == "invalid-value"
    assert raised.value.path == "/nc:rpc/nc:edit-config/nc:target/nc:candidate"


def test_invalid_operation_attribute(server: NetconfTestServer) -> None:
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.edit_config(target="running", config=_boot_config("flash:x.bin", "append"))
    assert raised.value.tag == "bad-attribute"
    assert "<bad-attribute>operation</bad-attribute>" in raised.value.info


def test_save_config_marks_config_saved(server: NetconfTestServer) -> None:
    with server.connect() as session:
        session.edit_config(target="running", config=_boot_config("flash:cat9k.bin"))
        reply = session.save_config()
    assert "Save running-config successful" in reply.xml
    assert server.device.config_saved is True
    assert "boot system flash:cat9k.bin" in server.device.startup_config


def test_lock_denied_to_second_session(server: NetconfTestServer) -> None:
    with server.connect() as first, server.connect() as second:
        first.lock("running")
        with pytest.raises(RPCError) as raised:
            second.lock("running")
        assert raised.value.tag == "lock-denied"
        first.unlock("running")
        second.lock("running")
