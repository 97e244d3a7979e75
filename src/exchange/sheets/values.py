"""Cell values as people type them → the values the API takes (and back, for exports).

Each parser takes a cell (text, number, date … as the reader gives it) and returns the API's value or raises
:class:`CellError` with a stable code and a Chinese message. Nothing here decides what is *valid*: the API's
schemas and services do that; this only reads what was meant (``1,200.50`` yuan is 120050 fen, ``2026年3月5日``
is a date, ``养老服务`` is ``elderly_care``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving: a fixed offset is exact
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
LIST_SEPARATORS = re.compile(r"[、,，;；/|\n]+")


@dataclass
class CellError(Exception):
    code: str
    message: str


def normalize(text: str) -> str:
    """Full-width to half-width, trimmed, case-folded: how labels and headers are compared."""
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "")


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).strip()


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("invalid_number", f"「{value}」不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("invalid_number", f"「{value}」不是整数")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    text = re.sub(r"(人|个|家|次|天|级|分)$", "", text)
    try:
        return int(text)
    except ValueError:
        raise CellError("invalid_number", f"「{value}」不是整数") from None


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("invalid_number", f"「{value}」不是数字")
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    text = re.sub(r"^[¥￥]|元$|天$", "", text).strip()
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise CellError("invalid_number", f"「{value}」不是数字") from None
    if not result.is_finite():
        raise CellError("invalid_number", f"「{value}」不是数字")
    return result


def parse_yuan(value: Any) -> int:
    """Yuan as typed (``1,200.50``, ``¥1200``, ``1200元``) → integer fen; more than 2 decimals is an error."""
    fen = parse_decimal(value) * 100
    if fen != fen.to_integral_value():
        raise CellError("invalid_amount", f"金额「{value}」最多两位小数（分）")
    return int(fen)


_DATE_FORMS = [re.compile(p) for p in (
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?)?$",
    r"^(\d{4})(\d{2})(\d{2})$",
)]


def _from_text(value: str) -> tuple[dt.date, dt.time | None] | dt.datetime:
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            return parsed
    except ValueError:
        pass
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            parts = [int(p) if p else 0 for p in m.groups()] + [0, 0, 0]
            try:
                day = dt.date(parts[0], parts[1], parts[2])
                time = dt.time(parts[3], parts[4], parts[5]) if len(m.groups()) > 3 and m.group(4) else None
            except ValueError:
                break
            return day, time
    raise CellError("invalid_date", f"「{value}」不是可识别的日期（例：2026-03-05、2026/3/5、2026年3月5日）")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return (EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
    parsed = _from_text(str(value))
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed[0]


def parse_datetime(value: Any) -> dt.datetime:
    """A moment; without a zone it is China time (UTC+8), without a time the end of that day."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=CHINA)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(23, 59, 59), CHINA)
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        moment = EXCEL_EPOCH + dt.timedelta(days=float(value))
        return moment.replace(microsecond=0, tzinfo=CHINA)
    parsed = _from_text(str(value))
    if isinstance(parsed, dt.datetime):
        return parsed
    day, time = parsed
    return dt.datetime.combine(day, time or dt.time(23, 59, 59), CHINA)


TRUE_WORDS = {"是", "true", "yes", "y", "1", "需要", "要求", "√", "✓"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "不需要", "不要求", "×", "无"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = normalize(as_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("invalid_boolean", f"「{value}」应为「是」或「否」")


def split_list(value: Any) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(as_text(value)) if part.strip()]


def excel_text(value: str) -> str:
    """Text for a CSV cell: a leading ``= + - @`` gets ``'`` so that no spreadsheet runs it as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
