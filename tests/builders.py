"""Small builders that put the world a test needs into its database (through the services)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from exchange import db
from exchange.accounts.models import Role, User
from exchange.accounts.service import create_user
from exchange.kit.clock import now
from exchange.kit.security import encode_token
from exchange.organizations import credit_code
from exchange.organizations import service as orgs
from exchange.regions.models import Level
from exchange.regions.service import create_region

# A small district: two subdistricts, three communities, one grid.
DISTRICT = "510107"
SUB_A, SUB_B = "510107003000", "510107004000"
COMM_A1, COMM_A2, COMM_B1 = "510107003001", "510107003002", "510107004001"
GRID_A1 = "510107003001001"
REGIONS = [
    (DISTRICT, "武侯区", Level.district, None),
    (SUB_A, "玉林街道", Level.subdistrict, DISTRICT),
    (SUB_B, "簇桥街道", Level.subdistrict, DISTRICT),
    (COMM_A1, "玉林东路社区", Level.community, SUB_A),
    (COMM_A2, "玉林北路社区", Level.community, SUB_A),
    (COMM_B1, "锦城社区", Level.community, SUB_B),
    (GRID_A1, "玉林东路社区第一网格", Level.grid, COMM_A1),
]

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


def valid_credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return credit_code.complete(f"52510107MJ{n:07d}"[:17])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Actor:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


async def seed_regions(app: FastAPI) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        for code, name, level, parent in REGIONS:
            await create_region(session, actor_id=None, code=code, name=name, level=level, parent_code=parent)


async def make_org(app: FastAPI, kind: str = "social_org", **fields: Any) -> Any:
    data: dict[str, Any] = {"name": unique("测试组织"), "kind": kind, "a_level": 0, "categories": [],
                            "service_region_codes": [], "contact": {}}
    if kind == "social_org":
        data |= {"legal_form": "social_service_agency", "registration": "registered",
                 "credit_code": valid_credit_code()}
    data |= fields
    async with db.unit_of_work(app.state.session_factory) as session:
        return await orgs.create(session, actor_id=None, data=data)


async def make_user(
    app: FastAPI, role: Role | str, *, organization_id: uuid.UUID | None = None, region_code: str | None = None,
    username: str | None = None, password: str = "correct-horse-9",
) -> Actor:
    role = Role(role)
    async with db.unit_of_work(app.state.session_factory) as session:
        user = await create_user(session, actor_id=None, username=username or unique(f"{role.value}_"),
                                 password=password, role=role, organization_id=organization_id, region_code=region_code)
    settings = app.state.settings
    return Actor(user, encode_token(user.id, user.role, settings.secret_key, settings.token_ttl_seconds, now()))


async def make_org_user(app: FastAPI, role: str = "org", kind: str | None = None, **org_fields: Any) -> tuple[Actor, Any]:
    """A user acting for a fresh organization of a fitting kind."""
    kind = kind or {"org": "social_org", "buyer": "government", "community": "community"}[role]
    org = await make_org(app, kind, **org_fields)
    return await make_user(app, role, organization_id=org.id), org


async def run_jobs(app: FastAPI) -> Any:
    """One pass of the job runner (what ``exchange tick`` does) against the app's database."""
    from exchange.jobs.runner import Runner
    from exchange.scheduled import JOBS

    return await Runner(app.state.session_factory, JOBS).run_once()


async def events_of(app: FastAPI, *, types: tuple[str, ...] = (), entity_id: Any = None) -> list[Any]:
    """Every event recorded so far (optionally of some types, or about one entity), oldest first."""
    from exchange.events.repository import EventRepository

    async with db.read_only(app.state.session_factory) as session:
        return await EventRepository(session).in_order(types=types, entity_id=entity_id)
