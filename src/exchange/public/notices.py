"""The public notice board (公示) gathered from every domain that publishes notices: awards (in standstill
and open to objections — ``on_notice`` —, then final or cancelled: they stay on the board), evaluations and
closed deals (tenders and deals), and publicized community proposals. Newest first and paged by a keyset
(at, kind, id) across all of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.deals import transparency
from exchange.kit.pagination import Page, decode_cursor, encode_cursor
from exchange.proposals import notices as proposals

KINDS = (*transparency.NOTICE_KINDS, proposals.NOTICE_KIND)


async def notices(session: AsyncSession, *, kinds: Sequence[str] | None = None, limit: int = 20,
                  cursor: str | None = None) -> Page[dict[str, Any]]:
    """One page of the notices of ``kinds`` (None: every kind), newest first."""
    wanted = list(dict.fromkeys(kinds)) if kinds else list(KINDS)
    after = decode_cursor(cursor, "notices", 3) if cursor else None
    keys = []
    tender_kinds = [k for k in wanted if k in transparency.NOTICE_KINDS]
    if tender_kinds:
        keys += await transparency.notice_keys(session, tender_kinds, after, limit + 1)
    if proposals.NOTICE_KIND in wanted:
        keys += await proposals.notice_keys(session, after, limit + 1)
    keys.sort(key=lambda k: (k[2], k[0], k[1]), reverse=True)
    more, keys = len(keys) > limit, keys[:limit]
    found = {**await transparency.notice_items(session, [k for k in keys if k[0] != proposals.NOTICE_KIND]),
             **await proposals.notice_items(session, [i for k, i, _ in keys if k == proposals.NOTICE_KIND])}
    items = [found[k, i] for k, i, _ in keys if (k, i) in found]
    next_cursor = encode_cursor([keys[-1][2], keys[-1][0], keys[-1][1]], "notices") if more and keys else None
    return Page(items=items, next_cursor=next_cursor)
