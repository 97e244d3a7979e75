"""Builders for the tender and deal tests: a cast with bidders and experts, a funded published
opportunity, and the steps of the story over HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from fastapi import FastAPI

from exchange.kit.clock import now
from tests.builders import Actor, make_org_user, make_user
from tests.funds.money import figures, make_fund
from tests.listings.world import Cast, cast, future, opportunity_body

RUBRIC = [{"criterion": "方案质量", "weight": 60}, {"criterion": "团队能力", "weight": 40}]
DEPOSIT = 50_000_000  # ¥500,000.00
EARMARK = 20_000_000


@dataclass
class World:
    c: Cast
    bidders: list[Actor]
    bidder_orgs: list[Any]
    experts: list[Actor]
    fund_id: uuid.UUID
    extra: list[Actor]

    async def fund(self, app: FastAPI) -> dict[str, int]:
        return await figures(app, self.fund_id)

    def actors(self) -> list[Actor]:
        c = self.c
        return [c.buyer, c.other_buyer, c.org, c.other_org, c.manager, c.admin, c.resident, c.other_resident,
                c.community, c.expert, c.evaluator, *self.bidders, *self.experts, *self.extra]

    def later(self, app: FastAPI, clock: Any, **delta: float) -> None:
        """Move the clock, and give everyone a token that is valid at the new time."""
        clock.advance(**delta)
        renew(app, *self.actors())


async def world(app: FastAPI, *, bidders: int = 3, experts: int = 3, **org_fields: Any) -> World:
    c = await cast(app)
    pairs = [(c.org, c.org_org)] + [await make_org_user(app, "org", **org_fields) for _ in range(bidders - 1)]
    fund_id = await make_fund(app, c.buyer_org.id, deposit_fen=DEPOSIT)
    return World(c=c, bidders=[p[0] for p in pairs], bidder_orgs=[p[1] for p in pairs],
                 experts=[await make_user(app, "expert") for _ in range(experts)], fund_id=fund_id, extra=[])


def renew(app: FastAPI, *actors: Actor) -> None:
    """Fresh tokens at the application's (moved) time. Without ``iat``: PyJWT rejects an ``iat``
    later than the wall clock, and the application clock runs ahead of it here."""
    settings = app.state.settings
    exp = int(now().timestamp()) + settings.token_ttl_seconds
    for actor in actors:
        actor.token = jwt.encode({"sub": str(actor.user.id), "role": actor.user.role, "exp": exp,
                                  "jti": uuid.uuid4().hex}, settings.secret_key, algorithm="HS256")


async def ok(r: Any, status: int = 200) -> dict[str, Any]:
    response = await r if not isinstance(r, httpx.Response) else r
    assert response.status_code == status, response.text
    return response.json()


async def open_tender(client: httpx.AsyncClient, w: World, *, earmark: int = EARMARK, days: float = 10,
                      **fields: Any) -> dict[str, Any]:
    """A published opportunity of the buyer with ``earmark`` fen earmarked from the world's fund."""
    body = opportunity_body(rubric=RUBRIC, bid_deadline=future(days), **fields)
    opp = await ok(client.post("/opportunities", json=body, headers=w.c.buyer.headers), 201)
    if earmark:
        await ok(client.post(f"/opportunities/{opp['id']}/funding", json={"fund_id": str(w.fund_id), "amount_fen": earmark},
                             headers=w.c.buyer.headers))
    return await ok(client.post(f"/opportunities/{opp['id']}/publish", headers=w.c.buyer.headers))


async def bid(client: httpx.AsyncClient, actor: Actor, opp_id: str, price: int, **fields: Any) -> dict[str, Any]:
    body = {"proposal": "服务方案：每周三次上门助餐", "price_fen": price, **fields}
    return await ok(client.post(f"/opportunities/{opp_id}/bids", json=body, headers=actor.headers), 201)


async def score(client: httpx.AsyncClient, expert: Actor, bid_id: str, quality: int, team: int) -> dict[str, Any]:
    body = {"scores": {"方案质量": quality, "团队能力": team}, "conflict_of_interest": False, "comment": "方案可行"}
    return await ok(client.post(f"/bids/{bid_id}/scores", json=body, headers=expert.headers))


async def panel(client: httpx.AsyncClient, w: World, opp_id: str, actor: Actor | None = None) -> dict[str, Any]:
    body = {"expert_user_ids": [str(e.id) for e in w.experts]}
    return await ok(client.post(f"/opportunities/{opp_id}/panel", json=body, headers=(actor or w.c.buyer).headers))


async def reviewed(client: httpx.AsyncClient, clock: Any, w: World, prices: list[int], **fields: Any
                   ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A tender past its deadline with one bid per price, a panel named and every bid scored
    (the first bid best, then in order)."""
    opp = await open_tender(client, w, **fields)
    bids = [await bid(client, w.bidders[i], opp["id"], p) for i, p in enumerate(prices)]
    w.later(client._transport.app, clock, days=11)  # type: ignore[attr-defined]
    await ok(client.post(f"/opportunities/{opp['id']}/close-bidding", headers=w.c.buyer.headers))
    await panel(client, w, opp["id"])
    for rank, b in enumerate(bids):
        for expert in w.experts:
            await score(client, expert, b["id"], 90 - 10 * rank, 80 - 10 * rank)
    return opp, bids


async def final_award(client: httpx.AsyncClient, clock: Any, w: World, opp_id: str, bid_id: str) -> dict[str, Any]:
    award = await ok(client.post(f"/opportunities/{opp_id}/award", json={"bid_id": bid_id}, headers=w.c.buyer.headers), 201)
    w.later(client._transport.app, clock, days=6)  # type: ignore[attr-defined]
    award = await ok(client.get(f"/awards/{award['id']}", headers=w.c.buyer.headers))
    assert award["status"] == "final"
    return award


def milestones(amount: int, parts: int = 3) -> list[dict[str, Any]]:
    each = amount // parts
    amounts = [each] * (parts - 1) + [amount - each * (parts - 1)]
    return [{"title": f"第{i + 1}期服务", "due_on": f"2027-0{i + 1}-28", "amount_fen": a} for i, a in enumerate(amounts)]


async def signed_deal(client: httpx.AsyncClient, w: World, award: dict[str, Any], parts: int = 3,
                      org: Actor | None = None) -> dict[str, Any]:
    deal = await ok(client.post("/deals", json={"award_id": award["id"], "milestones": milestones(award["price_fen"], parts)},
                                headers=w.c.buyer.headers), 201)
    await ok(client.post(f"/deals/{deal['id']}/sign", headers=(org or w.c.org).headers))
    deal = await ok(client.post(f"/deals/{deal['id']}/sign", headers=w.c.buyer.headers))
    assert deal["status"] == "active"
    return deal


async def deliver(client: httpx.AsyncClient, org: Actor, approver: Actor, deal: dict[str, Any]) -> dict[str, Any]:
    """Report and accept every milestone."""
    for m in deal["milestones"]:
        path = f"/deals/{deal['id']}/milestones/{m['id']}"
        await ok(client.post(f"{path}/report", json={"summary": "已完成", "evidence": ["签到表.pdf"]}, headers=org.headers))
        deal = await ok(client.post(f"{path}/accept", headers=approver.headers))
    return deal
