"""A small in-process sliding-window limiter (per server process)."""

from __future__ import annotations

import time
from collections import deque


class SlidingWindow:
    """Counts events per key over the last ``window`` seconds."""

    def __init__(self, limit: int, window: float, max_keys: int = 100_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._events: dict[str, deque[float]] = {}

    def _fresh(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._events.clear()  # bounded memory under a flood of distinct keys
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def blocked_for(self, key: str) -> float:
        """Seconds until ``key`` may act again (0 when it may act now)."""
        now = time.monotonic()
        events = self._fresh(key, now)
        if len(events) < self.limit:
            return 0.0
        return max(0.0, events[0] + self.window - now)

    def hit(self, key: str) -> None:
        self._fresh(key, time.monotonic()).append(time.monotonic())

    def reset(self, key: str) -> None:
        self._events.pop(key, None)
