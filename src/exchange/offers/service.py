"""Offer rules: an organization's service menu (提供菜单)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Collection
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.chinese.analysis import analyse_for_storage
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.kit import offload
from exchange.kit.clock import now
from exchange.kit.ids import time_ordered_uuid
from exchange.kit.pagination import Page
from exchange.listings import validation
from exchange.listings.index import SearchRow
from exchange.listings.permissions import allowed, authorize
from exchange.listings.schemas import ListFilters
from exchange.listings.states import permission_for, transition
from exchange.listings.text import Prepared, prepare
from exchange.offers.models import Offer
from exchange.offers.repository import OfferRepository
from exchange.offers.schemas import OfferList, OfferOut
from exchange.offers.states import DRAFT, PUBLISHED, TRANSITIONS
from exchange.organizations.repository import OrganizationRepository


def owns(user: User | None, offer: Offer) -> bool:
    return user is not None and user.organization_id is not None and user.organization_id == offer.organization_id


def may_read(user: User | None, offer: Offer) -> bool:
    if offer.published_at is not None:
        return True
    return user is not None and allowed(user.role, "offer.read_draft", owns(user, offer))


async def get_visible(session: AsyncSession, user: User | None, offer_id: uuid.UUID, *, lock: bool = False) -> Offer:
    repo = OfferRepository(session)
    offer = await (repo.get_for_update(offer_id) if lock else repo.get(offer_id))
    if offer is None or not may_read(user, offer):
        raise not_found("offer")
    return offer


def _list_scope(user: User | None, f: ListFilters) -> dict[str, Any]:
    """What a list of offers shows ``user`` with filters ``f``: published ones by default, drafts to their owners and staff."""
    return {"status": f.status or "published", "org_id": validation.check_filters(f),
            "sees_all": user is not None and user.is_staff,
            "own_org": user.organization_id if user is not None else None}


async def list_page(session: AsyncSession, user: User | None, f: ListFilters) -> OfferList:
    """One page of offers as ``user`` may see them (published ones by default): the API's list and the portal's."""
    page = await OfferRepository(session).page(f, **_list_scope(user, f))
    return OfferList(items=[OfferOut.model_validate(o) for o in page.items], next_cursor=page.next_cursor)


async def list_rows(session: AsyncSession, user: User | None, f: ListFilters,
                    fields: Collection[str] | None = None) -> Page[Row[Any]]:
    """The page :func:`list_page` answers, as plain rows with OfferOut's fields (those of ``fields``, when given):
    for exports, which read every offer of a list and need neither ORM objects nor validated schemas (building
    them cost most of an export's time)."""
    columns = [getattr(Offer, name) for name in OfferOut.model_fields if fields is None or name in fields]
    return await OfferRepository(session).page_rows(f, columns, **_list_scope(user, f))


async def _offering_org(session: AsyncSession, user: User, requested: uuid.UUID | None) -> uuid.UUID:
    if user.role == Role.org:
        if user.organization_id is None or requested not in (None, user.organization_id):
            raise forbidden("只能为本组织发布服务", "An organization publishes only its own offers",
                            code="not_your_organization")
        return user.organization_id
    if requested is None:
        raise invalid(["body", "organization_id"], "请指定提供服务的组织", "Name the offering organization",
                      code="organization_required")
    if await OrganizationRepository(session).get(requested) is None:
        raise invalid(["body", "organization_id"], "组织不存在", "The organization does not exist",
                      code="unknown_organization")
    return requested


def _check_price(pricing: str, price_fen: int) -> None:
    if pricing == "free" and price_fen != 0:
        raise invalid(["body", "price_fen"], "免费服务的价格应为 0", "A free offer has price_fen 0", code="price_not_free")


async def _index(session: AsyncSession, offer: Offer) -> None:
    offer.search_text = await OfferRepository(session).index.sync(
        offer.id, offer.region_codes, offer.target_groups, offer.title, offer.description)
    offer.match_analysis = analyse_for_storage(offer.title, offer.description)


async def _new_offer(session: AsyncSession, user: User, data: dict[str, Any]) -> Offer:
    """Every rule a new offer must meet; the offer, not yet added."""
    authorize(user, "offer.create", own=user.role != Role.org or user.organization_id is not None)
    data = dict(data)
    data["organization_id"] = await _offering_org(session, user, data.get("organization_id"))
    _check_price(data["pricing"], data["price_fen"])
    await validation.check_codes(session, category=data["category"], target_groups=data["target_groups"],
                                 region_codes=data["region_codes"])
    return Offer(id=time_ordered_uuid(), created_by=user.id, status=DRAFT, **data)


def _audit_created(session: AsyncSession, user: User, offer: Offer) -> None:
    audit.record(session, actor_id=user.id, action="offer.created", entity_type="offer", entity_id=offer.id,
                 summary={"title": offer.title})


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Offer:
    offer = OfferRepository(session).add(await _new_offer(session, user, data))
    await _index(session, offer)
    await session.flush()
    _audit_created(session, user, offer)
    return offer


async def create_many(session: AsyncSession, *, user: User,
                      items: list[tuple[dict[str, Any], bool]]) -> list[Offer | ExchangeError]:
    """Many offers at once (imports), each checked by the rules of :func:`create` (and published by those of
    :func:`act` when asked): one answer per item, the offer or why not. Nothing is written for a refused item;
    the accepted ones are written together, a chunk at a time (one executemany per table, past the session, so
    that the offers are not held in it), which is what makes 100,000 rows feasible. Their audit entries and
    events are queued as :func:`create` and :func:`act` queue them.

    The texts' analyses and index terms are pure work: they are worked out in a helper process, each chunk's
    while the one before it is checked and written, so that both cores are busy."""
    chunks = [items[start:start + CHUNK] for start in range(0, len(items), CHUNK)]
    # Every chunk's texts handed over at once: the helper works through them in order, ahead of the checks.
    texts = [offload.start(prepare, [(data["title"], data["description"]) for data, _ in chunk]) for chunk in chunks]
    out: list[Offer | ExchangeError] = []
    for chunk, prepared in zip(chunks, texts, strict=True):
        out += await _create_chunk(session, user, chunk, prepared)
    return out


CHUNK = 500  # offers checked and written together


async def _create_chunk(session: AsyncSession, user: User, items: list[tuple[dict[str, Any], bool]],
                        texts: Awaitable[list[Prepared]]) -> list[Offer | ExchangeError]:
    out: list[Offer | ExchangeError] = []
    repo = OfferRepository(session)
    index = repo.index
    accepted: list[tuple[int, Offer]] = []
    for position, (data, publish) in enumerate(items):
        try:
            offer = await _new_offer(session, user, data)
            moves = [_move(user, offer, "publish")] if publish else []
        except ExchangeError as exc:
            out.append(exc)
            continue
        accepted.append((position, offer))
        out.append(offer)
        _audit_created(session, user, offer)
        for before, to in moves:
            _audit_move(session, user, offer, "publish", before, to)
    prepared = await texts
    region_rows: list[dict[str, Any]] = []
    search_rows: list[SearchRow] = []
    for position, offer in accepted:
        offer.match_analysis, words, offer.search_text = prepared[position]
        regions, search_row = await index.rows_of_new(offer.id, offer.region_codes, offer.target_groups, words)
        region_rows += regions
        search_rows.append(search_row)
    await repo.insert_new([offer for _, offer in accepted])
    await index.insert_rows(region_rows, search_rows)
    return out


async def update(session: AsyncSession, *, user: User, offer: Offer, changes: dict[str, Any]) -> Offer:
    authorize(user, permission_for(TRANSITIONS, "update"), owns(user, offer))
    transition(TRANSITIONS, "offer", offer.status, "update")
    _check_price(changes.get("pricing", offer.pricing), changes.get("price_fen", offer.price_fen))
    await validation.check_codes(session, category=changes.get("category"), target_groups=changes.get("target_groups") or [],
                                 region_codes=changes.get("region_codes") or [])
    for key, value in changes.items():
        setattr(offer, key, value)
    if {"title", "description", "region_codes", "target_groups"} & set(changes):
        await _index(session, offer)
    await session.flush()
    audit.record(session, actor_id=user.id, action="offer.updated", entity_type="offer", entity_id=offer.id,
                 summary={"changed": sorted(changes)}, public=offer.published_at is not None)
    return offer


def _move(user: User, offer: Offer, action: str) -> tuple[str, str]:
    """Apply one move of the state table to the offer (unflushed); (state before, state after)."""
    authorize(user, permission_for(TRANSITIONS, action), owns(user, offer))
    step = transition(TRANSITIONS, "offer", offer.status, action)
    before = offer.status
    if step.to == PUBLISHED:
        offer.published_at = now()
    offer.status = step.to
    return before, step.to


def _audit_move(session: AsyncSession, user: User, offer: Offer, action: str, before: str, to: str) -> None:
    audit.record(session, actor_id=user.id, action=f"offer.{action}", entity_type="offer", entity_id=offer.id,
                 summary={"from": before, "to": to}, public=True)
    if to == PUBLISHED:
        events.record(session, events.OfferPublished(
            offer_id=offer.id, organization_id=offer.organization_id, title=offer.title,
            audience=events.Audience.everyone(organizations=[offer.organization_id])))


async def act(session: AsyncSession, *, user: User, offer: Offer, action: str) -> Offer:
    """``publish`` (again, after a withdrawal) or ``withdraw``."""
    before, to = _move(user, offer, action)
    await session.flush()
    _audit_move(session, user, offer, action, before, to)
    return offer
