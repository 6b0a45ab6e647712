"""NETCONF sessions of the lab: hello, both framings, errors, close, kill and dropped channels."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree
from ncclient.operations import RPCError
from netconf_server import (
    NetconfTestServer,
    c9300_stack,
    client_hello,
    read_message,
    read_messages,
    running_server,
)

from xeapp.lab.netconf import BASE_1_0, BASE_1_1
from xeapp.lab.netconf_errors import NS_BASE
from xeapp.lab.netconf_framing import END_OF_MESSAGE, frame_message

NS = {"nc": NS_BASE}
BOOT_TIME_FILTER = (
    '<device-hardware-data xmlns="http://cisco.com/ns/yang/Cisco-IOS-XE-device-hardware-oper">'
    "<device-hardware><device-system-data><boot-time/></device-system-data></device-hardware>"
    "</device-hardware-data>"
)
GET_RPC = (
    f'<rpc message-id="{{id}}" xmlns="{NS_BASE}"><get><filter type="subtree">'
    f"{BOOT_TIME_FILTER}</filter></get></rpc>"
)


@pytest.fixture
def server() -> Iterator[NetconfTestServer]:
    with running_server(c9300_stack()) as server:
        yield server


def _hello_exchange(server: NetconfTestServer, *capabilities: str):
    channel = server.raw_session()
    hello = etree.fromstring(read_message(channel, chunked=False))
    channel.sendall(client_hello(*capabilities) + END_OF_MESSAGE)
    return channel, hello


def test_hello_capabilities_and_session_id(server: NetconfTestServer) -> None:
    with server.connect() as session:
        capabilities = list(session.server_capabilities)
        assert BASE_1_0 in capabilities
        assert BASE_1_1 in capabilities
        assert any("Cisco-IOS-XE-device-hardware-oper" in c for c in capabilities)
        assert any("Cisco-IOS-XE-platform-software-oper" in c for c in capabilities)
        assert int(session.session_id) > 0


def test_end_of_message_framing_base_1_0(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_0)
    channel.sendall(GET_RPC.format(id=7).encode() + END_OF_MESSAGE)
    reply = etree.fromstring(read_message(channel, chunked=False))
    assert reply.get("message-id") == "7"
    assert reply.find(".//{*}boot-time").text == "2024-03-01T08:30:00+00:00"


def test_chunked_framing_base_1_1(server: NetconfTestServer) -> None:
    channel, hello = _hello_exchange(server, BASE_1_0, BASE_1_1)
    assert hello.findtext("nc:session-id", namespaces=NS)
    channel.sendall(frame_message(GET_RPC.format(id=8).encode(), chunked=True))
    reply = etree.fromstring(read_message(channel, chunked=True))
    assert reply.get("message-id") == "8"


def test_messages_split_and_batched(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_1)
    framed = b"".join(frame_message(GET_RPC.format(id=n).encode(), chunked=True) for n in (1, 2, 3))
    # The first two arrive in one write, the third in pieces that cut through the headers.
    cut = framed.index(b"\n#", len(framed) // 2 + 10)
    channel.sendall(framed[:cut])
    for start in range(cut, len(framed), 7):
        channel.sendall(framed[start : start + 7])
    replies = read_messages(channel, chunked=True, count=3)
    ids = [etree.fromstring(reply).get("message-id") for reply in replies]
    assert ids == ["1", "2", "3"]


def test_large_request_in_many_chunks(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_1)
    padding = "<!--" + "x" * 3_000_000 + "-->"
    request = GET_RPC.format(id=9).replace("</rpc>", padding + "</rpc>").encode()
    channel.sendall(frame_message(request, chunked=True))
    reply = etree.fromstring(read_message(channel, chunked=True, timeout=20))
    assert reply.get("message-id") == "9"


def test_large_reply_reaches_ncclient(server: NetconfTestServer) -> None:
    with server.device.lock:
        server.device.verbatim_netconf["http://cisco.com/yang/cisco-self-mgmt"] = (
            '<netconf-yang xmlns="http://cisco.com/yang/cisco-self-mgmt">'
            + "<!--"
            + "y" * 2_000_000
            + "--></netconf-yang>"
        )
    with server.connect() as session:
        reply = session.get_config(source="running")
    assert len(reply.xml) > 2_000_000


def test_unknown_rpc_raises_rpc_error(server: NetconfTestServer) -> None:
    with server.connect() as session, pytest.raises(RPCError) as raised:
        session.dispatch(etree.fromstring('<reboot xmlns="urn:example:lab"/>'))
    assert raised.value.tag == "operation-not-supported"
    assert raised.value.type == "protocol"
    assert raised.value.path.strip() == "/nc:rpc/ns1:reboot"
    assert "<bad-element>reboot</bad-element>" in raised.value.info


def test_malformed_xml_returns_malformed_message(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_1)
    channel.sendall(frame_message(b'<rpc message-id="1"><get></rpc>', chunked=True))
    reply = etree.fromstring(read_message(channel, chunked=True))
    assert reply.findtext(".//nc:error-tag", namespaces=NS) == "malformed-message"
    assert reply.get("message-id") is None
    channel.sendall(frame_message(GET_RPC.format(id=2).encode(), chunked=True))
    assert etree.fromstring(read_message(channel, chunked=True)).get("message-id") == "2"


def test_rpc_without_message_id(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_1)
    request = GET_RPC.replace(' message-id="{id}"', "").encode()
    channel.sendall(frame_message(request, chunked=True))
    reply = etree.fromstring(read_message(channel, chunked=True))
    assert reply.findtext(".//nc:error-tag", namespaces=NS) == "missing-attribute"
    assert reply.findtext(".//nc:bad-attribute", namespaces=NS) == "message-id"


def test_invalid_chunk_header_ends_session(server: NetconfTestServer) -> None:
    channel, _ = _hello_exchange(server, BASE_1_1)
    channel.sendall(b"\n#abc\n<rpc/>")
    assert server.wait_sessions_ended()


def test_close_session_ends_session(server: NetconfTestServer) -> None:
    session = server.connect()
    session.close_session()
    assert server.wait_sessions_ended()
    assert not session.connected


def test_kill_session_ends_other_session(server: NetconfTestServer) -> None:
    victim = server.connect()
    with server.connect() as killer:
        killer.kill_session(victim.session_id)
        server.sessions[0].join(5)
        assert not server.sessions[0].is_alive()
        with pytest.raises(RPCError) as raised:
            killer.kill_session(killer.session_id)
        assert raised.value.tag == "invalid-value"


def test_channel_closed_mid_session(server: NetconfTestServer) -> None:
    session = server.connect()
    session.get(filter=("subtree", BOOT_TIME_FILTER))
    server.drop_all()
    assert server.wait_sessions_ended()
