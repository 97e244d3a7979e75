"""Builders shared by the participation tests: a district with its people, and small HTTP steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from exchange.kit.clock import now
from tests.builders import COMM_A1, COMM_B1, GRID_A1, Actor, make_org_user, make_user, seed_regions


@dataclass
class People:
    community: Actor          # 玉林东路社区居委会 (COMM_A1)
    community_org: Any
    other_community: Actor    # 锦城社区 (COMM_B1)
    residents: list[Actor]    # living in COMM_A1's grid
    outsider: Actor           # a resident of COMM_B1
    org: Actor
    org_org: Any
    other_org: Actor
    manager: Actor
    admin: Actor

    @property
    def resident(self) -> Actor:
        return self.residents[0]


async def people(app: FastAPI, residents: int = 3) -> People:
    await seed_regions(app)
    community, community_org = await make_org_user(app, "community", region_code=COMM_A1)
    other_community, _ = await make_org_user(app, "community", region_code=COMM_B1)
    org, org_org = await make_org_user(app, "org", service_region_codes=[COMM_A1])
    other_org, _ = await make_org_user(app, "org")
    return People(
        community=community, community_org=community_org, other_community=other_community,
        residents=[await make_user(app, "resident", region_code=GRID_A1) for _ in range(residents)],
        outsider=await make_user(app, "resident", region_code=COMM_B1),
        org=org, org_org=org_org, other_org=other_org,
        manager=await make_user(app, "manager"), admin=await make_user(app, "admin"),
    )


def at(hours: float) -> str:
    """An instant ``hours`` from now (application clock), ISO 8601 with offset."""
    return (now() + dt.timedelta(hours=hours)).isoformat()


async def post_ok(client: httpx.AsyncClient, actor: Actor | None, path: str, body: dict[str, Any] | None = None,
                  status: int = 201) -> dict[str, Any]:
    r = await client.post(path, json=body, headers=actor.headers if actor else {})
    assert r.status_code == status, r.text
    return r.json()


async def post_problem(client: httpx.AsyncClient, actor: Actor | None, path: str, body: dict[str, Any] | None,
                       status: int, code: str | None = None) -> dict[str, Any]:
    r = await client.post(path, json=body, headers=actor.headers if actor else {})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if code is not None:
        assert r.json()["code"] == code, r.text
    return r.json()


def clients(app: FastAPI, n: int) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1") for _ in range(n)]
