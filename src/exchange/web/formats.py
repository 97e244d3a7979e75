"""How the portal writes money, dates and durations: Chinese first.

Money is integer fen shown in yuan with two decimals and thousands separators (``1,234.56 元``).
Times are stored in UTC and shown in China Standard Time (UTC+8, no daylight saving): ``2026年12月2日 08:30``."""

from __future__ import annotations

import datetime as dt

from exchange.kit.money import yuan as _plain_yuan

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def yuan(fen: int | None, lang: str = "zh") -> str:
    """``123456`` → ``1,234.56 元`` (``¥1,234.56`` in English)."""
    if fen is None:
        return "—"
    whole, _, cents = _plain_yuan(fen).partition(".")
    sign = "-" if whole.startswith("-") else ""
    figure = f"{sign}{int(whole.lstrip('-')):,}.{cents}"
    return f"¥{figure}" if lang == "en" else f"{figure} 元"


def yuan_number(fen: int) -> float:
    """Fen as a number of yuan for charts (display only; sums are done in fen)."""
    return round(fen / 100, 2)


def local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA)


def date(value: dt.date | dt.datetime | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.isoformat()


def datetime(value: dt.datetime | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    moment = local(value)
    return f"{date(moment.date(), lang)} {moment:%H:%M}" + ("" if lang == "zh" else " CST")


def iso(value: dt.datetime | dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def time_left(until: dt.datetime | None, at: dt.datetime, lang: str = "zh") -> str:
    """What is left of a period, to the minute: ``2天3小时15分`` / ``2 d 3 h 15 min``; empty once over."""
    if until is None:
        return ""
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    seconds = int((until - at).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(rest // 60, 0 if days or hours else 1)
    parts = [(days, "天", " d"), (hours, "小时", " h"), (minutes, "分", " min")]
    shown = [(n, zh, en) for n, zh, en in parts if n]
    if lang == "zh":
        return "".join(f"{n}{zh}" for n, zh, _ in shown)
    return " ".join(f"{n}{en}" for n, _, en in shown)


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
