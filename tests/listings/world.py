"""Builders for the three lists' tests: a district, its users, and listings made over HTTP."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from exchange.kit.clock import now
from tests.builders import COMM_A1, Actor, make_org_user, make_user, seed_regions


@dataclass
class Cast:
    buyer: Actor
    buyer_org: Any
    other_buyer: Actor
    org: Actor
    org_org: Any
    other_org: Actor
    manager: Actor
    admin: Actor
    resident: Actor
    other_resident: Actor
    community: Actor
    community_org: Any
    expert: Actor
    evaluator: Actor


async def cast(app: FastAPI) -> Cast:
    await seed_regions(app)
    buyer, buyer_org = await make_org_user(app, "buyer")
    other_buyer, _ = await make_org_user(app, "buyer")
    org, org_org = await make_org_user(app, "org")
    other_org, _ = await make_org_user(app, "org")
    community, community_org = await make_org_user(app, "community", region_code=COMM_A1)
    return Cast(
        buyer=buyer, buyer_org=buyer_org, other_buyer=other_buyer, org=org, org_org=org_org, other_org=other_org,
        manager=await make_user(app, "manager"), admin=await make_user(app, "admin"),
        resident=await make_user(app, "resident", region_code=COMM_A1),
        other_resident=await make_user(app, "resident", region_code=COMM_A1),
        community=community, community_org=community_org,
        expert=await make_user(app, "expert"), evaluator=await make_user(app, "evaluator"),
    )


def future(days: float = 10) -> str:
    return (now() + dt.timedelta(days=days)).isoformat()


def opportunity_body(**fields: Any) -> dict[str, Any]:
    return {"title": "居家养老助餐服务项目", "description": "为辖区独居老人提供助餐配送和上门探访", "category": "elderly_care",
            "target_groups": ["elderly"], "region_codes": [COMM_A1], "budget_fen": 20_000_000,
            "bid_deadline": future(), **fields}


def offer_body(**fields: Any) -> dict[str, Any]:
    return {"title": "四点半课堂", "description": "放学后为双职工家庭孩子提供作业辅导和兴趣活动",
            "category": "children_youth", "target_groups": ["children"], "region_codes": [COMM_A1],
            "pricing": "low_cost", "price_fen": 50_000, **fields}


def need_body(**fields: Any) -> dict[str, Any]:
    return {"title": "王奶奶做饭困难", "description": "楼下王奶奶一个人住，腿脚不好，做饭很困难", "points": 20, **fields}


async def create(client: httpx.AsyncClient, actor: Actor, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(path, json=body, headers=actor.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def published(client: httpx.AsyncClient, actor: Actor, path: str, body: dict[str, Any]) -> dict[str, Any]:
    item = await create(client, actor, path, body)
    r = await client.post(f"{path}/{item['id']}/publish", headers=actor.headers)
    assert r.status_code == 200, r.text
    return r.json()
