"""The volunteer activity's lifecycle as data: ``(state, action) → Step(next, who may, guard)``.

Parties: ``organizer`` (the user who published it, or a user of its organization), ``resident``
(any resident), ``manager``, ``admin``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exchange.activities.models import ActivityStatus
from exchange.errors import ExchangeError
from exchange.kit.lifecycle import Lifecycle, Step, may

PUBLISHED, CANCELLED = ActivityStatus.published.value, ActivityStatus.cancelled.value


@dataclass
class Facts:
    now: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    signup_count: int
    signed_up: bool = False
    attended: bool = False
    minutes: int = 0


def _place_left(f: Facts) -> ExchangeError | None:
    if f.signed_up:
        return ExchangeError("already_signed_up", 409, "您已报名该活动", "You have already signed up for this activity")
    if f.now >= f.starts_at:
        return ExchangeError("activity_started", 409, "活动已开始，不能再报名", "The activity has started; sign-up is over")
    if f.signup_count >= f.capacity:
        return ExchangeError("activity_full", 409, "活动名额已满", "The activity is full",
                             extra={"capacity": f.capacity})
    return None


def _attendable(f: Facts) -> ExchangeError | None:
    if f.now < f.starts_at:
        return ExchangeError("activity_not_started", 409, "活动尚未开始，不能登记时长",
                             "The activity has not started; attendance is recorded afterwards")
    if f.attended:
        return ExchangeError("attendance_recorded", 409, "该志愿者的时长已登记", "This volunteer's hours are already recorded")
    if f.minutes > (f.ends_at - f.starts_at).total_seconds() / 60:
        return ExchangeError("hours_exceed_activity", 422, "登记时长超过活动时长",
                             "The hours exceed the activity's length",
                             errors=[{"loc": ["body", "hours"], "msg": "more than the activity lasted",
                                      "msg_zh": "超过活动时长"}])
    return None


def _not_started(f: Facts) -> ExchangeError | None:
    if f.now >= f.starts_at:
        return ExchangeError("activity_started", 409, "活动已开始，不能取消",
                             "The activity has started; it can no longer be cancelled")
    return None


LIFECYCLE: Lifecycle[Facts] = Lifecycle("activity", {
    (PUBLISHED, "signup"): Step(PUBLISHED, may("resident"), _place_left),
    (PUBLISHED, "attendance"): Step(PUBLISHED, may("organizer", "manager", "admin"), _attendable),
    (PUBLISHED, "cancel"): Step(CANCELLED, may("organizer", "manager", "admin"), _not_started),
})
