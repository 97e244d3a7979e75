"""The booking's lifecycle as data: ``(state, action) → Step(next, who may, guard)``.

Parties: ``booker`` (users of the organization that booked), ``owner`` (users of the community that
lists the space), ``admin``. Confirming checks, on the space's locked row, that no other booking
holds any part of the slot (409 ``space_booked``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exchange.errors import ExchangeError
from exchange.kit.lifecycle import Lifecycle, Step, may
from exchange.spaces.models import BookingStatus as S


@dataclass
class Facts:
    now: dt.datetime
    starts_at: dt.datetime
    overlaps: bool = False


def space_booked() -> ExchangeError:
    return ExchangeError("space_booked", 409, "该时段空间已被预约", "The space is already booked for part of this time")


def _free(f: Facts) -> ExchangeError | None:
    return space_booked() if f.overlaps else None


def _started(f: Facts) -> ExchangeError | None:
    if f.now < f.starts_at:
        return ExchangeError("booking_not_started", 409, "服务尚未开始，不能报告", "The booking has not started yet")
    return None


def _not_started(f: Facts) -> ExchangeError | None:
    if f.now >= f.starts_at:
        return ExchangeError("booking_started", 409, "预约已开始，不能取消", "The booking has started; it cannot be cancelled")
    return None


LIFECYCLE: Lifecycle[Facts] = Lifecycle("booking", {
    (S.requested.value, "confirm"): Step(S.confirmed.value, may("owner", "admin"), _free),
    (S.requested.value, "cancel"): Step(S.cancelled.value, may("booker", "owner", "admin")),
    (S.confirmed.value, "cancel"): Step(S.cancelled.value, may("booker", "owner", "admin"), _not_started),
    (S.confirmed.value, "report"): Step(S.reported.value, may("booker"), _started),
})
