"""Follow a job's log: replay it from line 1, then deliver new lines live, each exactly once.

Every line of a job log has a number: its 1-based position in the log file, which is also the
`line_number` of its `job.log.line` event. A follower subscribes before it reads the file, so
no line can fall between the two. While it replays, live events are held back; afterwards it
delivers only numbers above the last one delivered, in order, holding back any number that
arrives before its predecessor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from xeapp.events import JOB_LOG_LINE, EventBus
from xeapp.logs import JobLogs

# Called with (job_id, line_number, line) for every line, in line-number order.
LineCallback = Callable[[str, int, str], None]


class LogFollower:
    """Delivers one job's log lines to `callback`: the replay, then live lines, none twice.

    `callback` runs in the caller's thread during `start` and in the publishing job's thread
    afterwards; a UI callback hands the line to its event loop.
    """

    def __init__(
        self, job_logs: JobLogs, events: EventBus, job_id: str, callback: LineCallback
    ) -> None:
        self.job_logs = job_logs
        self.events = events
        self.job_id = job_id
        self.callback = callback
        self.delivered = 0
        self._lock = threading.Lock()
        self._replaying = True
        self._held: dict[int, str] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> LogFollower:
        """Subscribe, replay the log file, then switch to live lines; returns self."""
        self._unsubscribe = self.events.subscribe(JOB_LOG_LINE, self._on_event)
        with self._lock:
            for line in self.job_logs.read(self.job_id):
                self._deliver(self.delivered + 1, line)
            self._replaying = False
            self._release_held()
        return self

    def close(self) -> None:
        """Stop receiving live lines."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_event(self, _topic: str, payload: dict[str, Any]) -> None:
        if payload.get("job_id") != self.job_id:
            return
        with self._lock:
            number = int(payload["line_number"])
            if number > self.delivered:
                self._held[number] = str(payload["line"])
            if not self._replaying:
                self._release_held()

    def _release_held(self) -> None:
        for number in [n for n in self._held if n <= self.delivered]:
            del self._held[number]
        while self.delivered + 1 in self._held:
            self._deliver(self.delivered + 1, self._held.pop(self.delivered + 1))

    def _deliver(self, number: int, line: str) -> None:
        self.delivered = number
        self.callback(self.job_id, number, line)
