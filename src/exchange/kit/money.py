"""Money is an integer number of fen (分). These bounds keep every amount sane."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_FEN = 100_000_000_000  # ¥1,000,000,000.00 — above any single district programme
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, strict=True, description="An amount in fen (1/100 yuan)")]
PositiveFen = Annotated[int, Field(gt=0, le=MAX_FEN, strict=True, description="A positive amount in fen")]


def yuan(fen: int) -> str:
    """Format fen as yuan for people: 123456 → '1234.56'."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
