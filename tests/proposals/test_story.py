"""A community proposal's whole life, 收集 → 审议 → 形成 → 联动执行 → 评估 → 公示, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from exchange.audit.models import AuditEvent
from tests.builders import COMM_A1, Actor, run_jobs
from tests.conftest import make_settings
from tests.imports.sheets import read_xlsx
from tests.participation import People, at, people, post_ok, post_problem


@pytest.fixture
def settings(database_url: str):  # noqa: ANN201 - a small quorum keeps the story short
    return make_settings(database_url, proposal_quorum=3)


async def propose(client: httpx.AsyncClient, resident: Actor) -> dict[str, Any]:
    return await post_ok(client, resident, "/proposals", {
        "title": "小区加装电梯议事", "description": "3栋老人多，上下楼困难，建议加装电梯并成立自管小组"})


async def discuss(client: httpx.AsyncClient, p: People, pid: str) -> None:
    await post_ok(client, p.residents[1], f"/proposals/{pid}/comments", {"body": "支持，我家老人每天要下楼买菜"})
    await post_problem(client, p.outsider, f"/proposals/{pid}/comments", {"body": "我也说两句"}, 403, "not_allowed")


async def advance(client: httpx.AsyncClient, actor: Actor, pid: str, to: str, **fields: Any) -> dict[str, Any]:
    return await post_ok(client, actor, f"/proposals/{pid}/advance", {"to": to, **fields}, status=200)


async def vote_it_through(client: httpx.AsyncClient, p: People, pid: str) -> None:
    for resident, choice in zip(p.residents, ("for", "for", "against"), strict=True):
        await post_ok(client, resident, f"/proposals/{pid}/votes", {"choice": choice})
    await post_problem(client, p.residents[0], f"/proposals/{pid}/votes", {"choice": "against"}, 409, "already_voted")
    await post_problem(client, p.outsider, f"/proposals/{pid}/votes", {"choice": "for"}, 403, "not_allowed")


async def carry_out(client: httpx.AsyncClient, p: People, pid: str) -> dict[str, Any]:
    activity = await post_ok(client, p.community, "/activities", {
        "title": "电梯自管小组志愿服务", "region_code": COMM_A1, "starts_at": at(24), "ends_at": at(26), "capacity": 5})
    await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "executing"}, 422, "links_required")
    await post_problem(client, p.community, f"/proposals/{pid}/advance",
                       {"to": "executing", "links": {"deal_id": "00000000-0000-4000-8000-000000000000"}}, 422,
                       "unknown_link")
    return await advance(client, p.community, pid, "executing", links={"activity_id": activity["id"]})


async def rate(client: httpx.AsyncClient, p: People, pid: str) -> None:
    await post_problem(client, p.residents[0], f"/proposals/{pid}/ratings", {"score": 5}, 409, "proposal_executing")
    await advance(client, p.manager, pid, "evaluating")
    await post_ok(client, p.residents[0], f"/proposals/{pid}/ratings", {"score": 5, "comment": "效果很好"})
    await post_ok(client, p.residents[1], f"/proposals/{pid}/ratings", {"score": 4})
    await post_problem(client, p.residents[1], f"/proposals/{pid}/ratings", {"score": 1}, 409, "already_rated")
    await post_problem(client, p.residents[2], f"/proposals/{pid}/ratings", {"score": 9}, 422)


async def on_public_notice(client: httpx.AsyncClient, pid: str) -> None:
    notices = (await client.get("/public/notices")).json()["items"]
    mine = [n for n in notices if n["kind"] == "proposal" and n["proposal_id"] == pid]
    assert len(mine) == 1 and mine[0]["outcome"] == "电梯已加装，居民满意度 4.5 分"
    assert mine[0]["votes"] == {"for": 2, "against": 1, "abstain": 0} and mine[0]["rating_average"] == 4.5
    sheet = read_xlsx((await client.get("/exports/notices")).content)  # the export lists the same notices
    assert [r[:2] for r in sheet[1:] if r[0] == "议事公示"] == [["议事公示", mine[0]["title"]]]


async def test_a_proposal_from_collection_to_public_notice(client, app, session_factory) -> None:
    p = await people(app)
    proposal = await propose(client, p.resident)
    pid = proposal["id"]
    assert proposal["status"] == "collected" and proposal["region_code"] == p.resident.user.region_code
    assert (await client.get(f"/proposals/{pid}")).json()["author_id"] is None  # not public

    await discuss(client, p, pid)
    await post_problem(client, p.resident, f"/proposals/{pid}/advance", {"to": "deliberating"}, 403, "not_allowed")
    await post_problem(client, p.other_community, f"/proposals/{pid}/advance", {"to": "deliberating"}, 403)
    await advance(client, p.community, pid, "deliberating")
    refused = await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "formed", "plan": "分两期施工"},
                                 409, "quorum_not_met")
    assert refused["quorum"] == 3 and refused["votes"] == 0

    await vote_it_through(client, p, pid)
    await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "formed"}, 422, "plan_required")
    formed = await advance(client, p.community, pid, "formed", plan="分两期施工，居民自筹三成")
    assert formed["votes"] == {"for": 2, "against": 1, "abstain": 0} and formed["plan"].startswith("分两期")

    executing = await carry_out(client, p, pid)
    assert set(executing["links"]) == {"activity_id"} and executing["next_steps"] == ["evaluating"]
    await rate(client, p, pid)
    await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "publicized"}, 422, "outcome_required")
    assert not [n for n in (await client.get("/public/notices")).json()["items"] if n["kind"] == "proposal"]
    done = await advance(client, p.community, pid, "publicized", outcome="电梯已加装，居民满意度 4.5 分")
    assert done["status"] == "publicized" and done["ratings"] == {"count": 2, "average": 4.5}
    await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "evaluating"}, 409, "proposal_publicized")
    await on_public_notice(client, pid)

    # every step is on the public feed (without the author), and the author is told of each
    await run_jobs(app)
    await run_jobs(app)
    feed = (await client.get("/events?limit=200")).json()["items"]
    steps = [e["data"]["stage"] for e in feed if e["type"] == "proposal.advanced" and e["entity_id"] == pid]
    assert steps == ["deliberating", "formed", "executing", "evaluating", "publicized"]
    assert str(p.resident.user.id) not in str(feed)
    told = (await client.get("/me/notifications?limit=200", headers=p.resident.headers)).json()["items"]
    assert sum(1 for n in told if n["type"] == "proposal.advanced") == 5

    async with session_factory() as s:
        actions = list((await s.execute(select(AuditEvent.action).where(AuditEvent.entity_id == pid)
                                        .order_by(AuditEvent.seq))).scalars())
    assert actions.count("proposal.advanced") == 5 and actions.count("proposal.voted") == 3
    assert {"proposal.created", "proposal.commented", "proposal.rated"} <= set(actions)
