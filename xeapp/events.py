"""A thread-safe publish/subscribe bus through which services tell the UI about changes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Callback = Callable[[str, Payload], None]

ALL_TOPICS = "*"

# Topics the store and the job logs publish.
INVENTORY_CHANGED = "inventory.changed"
REPOSITORY_CHANGED = "repository.changed"
JOBS_CHANGED = "jobs.changed"
PRECHECKS_CHANGED = "prechecks.changed"
JOB_LOG_LINE = "job.log.line"


class EventBus:
    """Delivers each published event to the callbacks subscribed to its topic.

    Callbacks run in the publisher's thread, in subscription order, and must return quickly.
    A UI callback hands the event to its event loop (for example with call_soon_threadsafe)
    rather than touching widgets. A callback that raises is logged and the others still run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[Callback]] = {}

    def subscribe(self, topic: str, callback: Callback) -> Callable[[], None]:
        """Call `callback(topic, payload)` for every event on `topic` (or on every topic for "*").

        Returns a function that cancels the subscription.
        """
        with self._lock:
            self._subscribers.setdefault(topic, []).append(callback)

        def unsubscribe() -> None:
            self.unsubscribe(topic, callback)

        return unsubscribe

    def unsubscribe(self, topic: str, callback: Callback) -> None:
        """Remove a subscription; removing one that does not exist does nothing."""
        with self._lock:
            callbacks = self._subscribers.get(topic, [])
            if callback in callbacks:
                callbacks.remove(callback)

    def publish(self, topic: str, payload: Payload | None = None) -> None:
        """Deliver an event to the subscribers of `topic` and of "*"."""
        event = payload if payload is not None else {}
        with self._lock:
            callbacks = [*self._subscribers.get(topic, ()), *self._subscribers.get(ALL_TOPICS, ())]
        for callback in callbacks:
            try:
                callback(topic, event)
            except Exception:
                log.exception("subscriber %r of event %s failed", callback, topic)
