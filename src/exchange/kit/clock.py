"""The one source of "now". Tests move it; nothing in the application calls datetime.now()."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Wall-clock time in UTC, with an offset (or a fixed instant) that tests can set."""

    def __init__(self) -> None:
        self._offset = dt.timedelta(0)
        self._frozen: dt.datetime | None = None

    def now(self) -> dt.datetime:
        base = self._frozen if self._frozen is not None else dt.datetime.now(dt.UTC)
        return base + self._offset

    def advance(self, **delta: float) -> dt.datetime:
        """Move time forward (``clock.advance(days=6)``) and return the new now."""
        self._offset += dt.timedelta(**delta)
        return self.now()

    def freeze(self, at: dt.datetime) -> None:
        self._frozen, self._offset = at, dt.timedelta(0)

    def reset(self) -> None:
        self._offset, self._frozen = dt.timedelta(0), None


clock = Clock()


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return clock.now()
