"""Carries bus events from worker threads to a page: a queue the page's ui.timer drains.

Worker threads publish on the EventBus and must never touch widgets. A PageEvents object
subscribes for one page, puts each event in a thread-safe queue, and a ui.timer on the page
drains the queue on the event loop and calls the page's handlers there.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from typing import Any

from nicegui import ui

from xeapp.events import EventBus

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], None]
# Events handled per timer tick, so a burst (a 2,000-device sweep) never blocks the loop long.
MAX_EVENTS_PER_TICK = 2000


class PageEvents:
    """Subscriptions of one page; unsubscribed when the page's client is deleted."""

    def __init__(self, events: EventBus, interval_s: float = 0.2) -> None:
        self.events = events
        self._queue: queue.SimpleQueue[tuple[str, dict[str, Any]]] = queue.SimpleQueue()
        self._handlers: dict[str, list[Handler]] = {}
        self._unsubscribers: list[Callable[[], None]] = []
        self.timer = ui.timer(interval_s, self.drain)
        ui.context.client.on_delete(self.close)

    def on(self, topic: str, handler: Handler) -> None:
        """Call `handler(topic, payload)` on the event loop for each event on `topic`."""
        if topic not in self._handlers:
            self._handlers[topic] = []
            self._unsubscribers.append(self.events.subscribe(topic, self._enqueue))
        self._handlers[topic].append(handler)

    def _enqueue(self, topic: str, payload: dict[str, Any]) -> None:
        self._queue.put((topic, payload))

    def drain(self) -> None:
        """Handle the queued events; runs on the event loop."""
        for _ in range(MAX_EVENTS_PER_TICK):
            try:
                topic, payload = self._queue.get_nowait()
            except queue.Empty:
                return
            for handler in self._handlers.get(topic, ()):
                try:
                    handler(topic, payload)
                except Exception:
                    log.exception("page handler of event %s failed", topic)

    def close(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
