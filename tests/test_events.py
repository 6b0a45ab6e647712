"""Tests of the event bus."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from xeapp.events import EventBus


def test_subscribers_get_their_topic() -> None:
    bus = EventBus()
    seen: list[tuple[str, dict[str, Any]]] = []
    bus.subscribe("jobs.changed", lambda topic, payload: seen.append((topic, payload)))

    bus.publish("jobs.changed", {"job_id": "j1"})
    bus.publish("inventory.changed", {"ip_address": "10.0.0.1"})

    assert seen == [("jobs.changed", {"job_id": "j1"})]


def test_wildcard_gets_every_topic() -> None:
    bus = EventBus()
    topics: list[str] = []
    bus.subscribe("*", lambda topic, payload: topics.append(topic))

    bus.publish("a")
    bus.publish("b")

    assert topics == ["a", "b"]


def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    seen: list[str] = []
    unsubscribe = bus.subscribe("a", lambda topic, payload: seen.append(topic))

    unsubscribe()
    bus.publish("a")

    assert seen == []


def test_failing_callback_does_not_break_publish(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[str] = []

    def broken(topic: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("widget gone")

    bus.subscribe("a", broken)
    bus.subscribe("a", lambda topic, payload: seen.append(topic))
    with caplog.at_level(logging.ERROR):
        bus.publish("a")

    assert seen == ["a"]
    assert "widget gone" in caplog.text


def test_publish_from_many_threads() -> None:
    bus = EventBus()
    counts: list[int] = []
    lock = threading.Lock()

    def count(topic: str, payload: dict[str, Any]) -> None:
        with lock:
            counts.append(payload["n"])

    bus.subscribe("tick", count)
    threads = [
        threading.Thread(target=lambda: [bus.publish("tick", {"n": n}) for n in range(100)])
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(counts) == 2000
