"""How the portal writes money, dates and time left."""

from __future__ import annotations

import datetime as dt

from exchange.web import formats


def test_money_in_yuan_with_two_decimals() -> None:
    assert formats.yuan(123456) == "1,234.56 元"
    assert formats.yuan(5) == "0.05 元"
    assert formats.yuan(-100_000_00) == "-100,000.00 元"
    assert formats.yuan(123456, "en") == "¥1,234.56"
    assert formats.yuan(None) == "—"


def test_dates_in_china_time() -> None:
    moment = dt.datetime(2026, 12, 1, 17, 5, tzinfo=dt.UTC)  # 01:05 the next day in Beijing
    assert formats.datetime(moment) == "2026年12月2日 01:05"
    assert formats.date(moment) == "2026年12月2日"
    assert formats.date(moment, "en") == "2026-12-02"


def test_time_left() -> None:
    at = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    assert formats.time_left(at + dt.timedelta(days=2, hours=3, minutes=15, seconds=20), at) == "2天3小时15分"
    assert formats.time_left(at + dt.timedelta(hours=5), at, "en") == "5 h"
    assert formats.time_left(at + dt.timedelta(seconds=20), at) == "1分"
    assert formats.time_left(at - dt.timedelta(seconds=1), at) == ""
