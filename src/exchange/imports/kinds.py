"""What each kind of import does with a row: the API's own create schema, then the domain's own service.

A row is checked by exactly the rules a ``POST`` is checked by (one rule, not a copy): the row's fields are
validated by the endpoint's schema (``OfferCreate`` …) and handed to the service the endpoint calls, as the
importing user. Only the reading of cells (labels, yuan, dates) happens before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import flows as accounts
from exchange.accounts.models import Role, User
from exchange.accounts.schemas import UserCreate
from exchange.errors import ExchangeError
from exchange.imports.columns import COLUMNS, Column
from exchange.imports.rows import Lookups
from exchange.needs import service as needs
from exchange.needs.schemas import NeedCreate
from exchange.offers import service as offers
from exchange.offers.schemas import OfferCreate
from exchange.opportunities import service as opportunities
from exchange.opportunities.schemas import OpportunityCreate
from exchange.organizations import service as organizations
from exchange.organizations.schemas import OrganizationCreate
from exchange.regions import service as regions
from exchange.regions.models import LEVEL_ORDER
from exchange.regions.repository import RegionRepository
from exchange.regions.schemas import RegionCreate

Creator = Callable[[AsyncSession, User, Any, dict[str, Any], Lookups], Awaitable[str | None]]
# Many rows at once: one answer per row (the new id, None for a row that exists already, or the API's error).
BatchCreator = Callable[[AsyncSession, User, list[tuple[Any, dict[str, Any]]], Lookups],
                        Awaitable[list[str | None | ExchangeError]]]

PUBLISHED = "published"


@dataclass(frozen=True)
class ImportKind:
    name: str
    columns: list[Column]
    roles: frozenset[Role]  # who may create this kind through the API (and so import it)
    schema: type[BaseModel]
    create: Creator  # returns the new entity's id, or None when the row already exists (skipped)
    extras: tuple[str, ...] = ()  # row fields that are not the schema's (handled by ``create``)
    create_batch: BatchCreator | None = None  # a domain service that takes many rows at once

    async def create_rows(self, session: AsyncSession, user: User, rows: list[tuple[Any, dict[str, Any]]],
                          lookups: Lookups) -> list[str | None | ExchangeError]:
        """Create the rows through the domain's service; a refused row leaves nothing behind (a savepoint each
        where the service writes as it checks)."""
        if self.create_batch is not None:
            return await self.create_batch(session, user, rows, lookups)
        out: list[str | None | ExchangeError] = []
        for body, extra in rows:
            try:
                async with session.begin_nested():
                    out.append(await self.create(session, user, body, extra, lookups))
            except ExchangeError as exc:
                out.append(exc)
        return out

    def split(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(fields for the schema, the rest)."""
        extra = {k: data.pop(k) for k in (*self.extras, "external_ref") if k in data}
        return data, extra


async def _offer(session: AsyncSession, user: User, body: OfferCreate, extra: dict[str, Any], _: Lookups) -> str:
    offer = await offers.create(session, user=user, data=body.model_dump(mode="python"))
    if extra.get("status") == PUBLISHED:
        await offers.act(session, user=user, offer=offer, action="publish")
    return str(offer.id)


async def _offers(session: AsyncSession, user: User, rows: list[tuple[Any, dict[str, Any]]],
                  _: Lookups) -> list[str | None | ExchangeError]:
    created = await offers.create_many(session, user=user, items=[
        (body.model_dump(mode="python"), extra.get("status") == PUBLISHED) for body, extra in rows])
    return [r if isinstance(r, ExchangeError) else str(r.id) for r in created]


def _opportunity_fields(data: dict[str, Any]) -> dict[str, Any]:
    eligibility = {k: data.pop(k) for k in ("min_a_level", "registration_required") if k in data}
    if eligibility:
        data["eligibility"] = eligibility
    return data


async def _opportunity(session: AsyncSession, user: User, body: OpportunityCreate, extra: dict[str, Any], _: Lookups) -> str:
    opp = await opportunities.create(session, user=user, data=body.model_dump(mode="python"))
    if extra.get("status") == PUBLISHED:
        await opportunities.act(session, user=user, opp=opp, action="publish")
    return str(opp.id)


async def _need(session: AsyncSession, user: User, body: NeedCreate, _: dict[str, Any], __: Lookups) -> str:
    return str((await needs.create(session, user=user, data=body.model_dump(mode="python"))).id)


async def _organization(session: AsyncSession, user: User, body: OrganizationCreate, _: dict[str, Any], __: Lookups) -> str:
    org = await organizations.create(session, actor_id=user.id, data=body.model_dump(mode="python"))
    return str(org.id)


async def _user(session: AsyncSession, user: User, body: UserCreate, _: dict[str, Any], __: Lookups) -> str:
    created = await accounts.create_user(
        session, actor_id=user.id, username=body.username, password=body.password, role=body.role,
        display_name=body.display_name, organization_id=body.organization_id, region_code=body.region_code)
    return str(created.id)


async def _region(session: AsyncSession, user: User, body: RegionCreate, _: dict[str, Any], lookups: Lookups) -> str | None:
    existing = await RegionRepository(session).get(body.code)
    if existing is not None and (existing.name, existing.level, existing.parent_code) == (
            body.name, body.level.value, body.parent_code):
        return None  # the same region is already in the tree: a re-import skips it
    region = await regions.create_region(session, actor_id=user.id, code=body.code, name=body.name, level=body.level,
                                         parent_code=body.parent_code)
    lookups.add_region(region.code, region.name)
    return region.code


STAFF = frozenset({Role.admin, Role.manager})
KINDS: dict[str, ImportKind] = {
    "offers": ImportKind("offers", COLUMNS["offers"], STAFF | {Role.org}, OfferCreate, _offer, ("status",), _offers),
    "opportunities": ImportKind("opportunities", COLUMNS["opportunities"], STAFF | {Role.buyer}, OpportunityCreate,
                                _opportunity, ("status",)),
    "needs": ImportKind("needs", COLUMNS["needs"], STAFF, NeedCreate, _need),
    "organizations": ImportKind("organizations", COLUMNS["organizations"], frozenset({Role.admin}), OrganizationCreate,
                                _organization),
    "users": ImportKind("users", COLUMNS["users"], frozenset({Role.admin}), UserCreate, _user),
    "regions": ImportKind("regions", COLUMNS["regions"], frozenset({Role.admin}), RegionCreate, _region),
}

PREPARE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"opportunities": _opportunity_fields}


def row_order(kind: str, rows: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """Regions go parents first (a file may list them in any order); everything else in file order."""
    if kind != "regions":
        return rows
    return sorted(rows, key=lambda r: (LEVEL_ORDER.get(r[1].get("level", ""), 99), r[0]))
