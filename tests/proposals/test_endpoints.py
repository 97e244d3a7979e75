"""Proposals: who may propose where, the meeting path to `formed`, rejection, withdrawal, lists, the table."""

from __future__ import annotations

import asyncio

import pytest

from exchange.kit.lifecycle import describe
from exchange.proposals.models import ProposalStatus
from exchange.proposals.states import LIFECYCLE, Facts, carried
from tests.builders import COMM_A1, COMM_A2, COMM_B1, SUB_A, make_user
from tests.participation import clients, people, post_ok, post_problem

BODY = {"title": "楼道照明改造", "description": "楼道灯坏了很久，晚上出行不安全"}


async def test_who_may_propose_where(client, app) -> None:
    p = await people(app)
    mine = await post_ok(client, p.resident, "/proposals", {**BODY, "region_code": COMM_A1})
    assert mine["region_code"] == COMM_A1
    await post_ok(client, p.resident, "/proposals", {**BODY, "region_code": SUB_A})  # an area containing home
    await post_problem(client, p.resident, "/proposals", {**BODY, "region_code": COMM_A2}, 403, "outside_area")
    by_committee = await post_ok(client, p.community, "/proposals", BODY)
    assert by_committee["region_code"] == COMM_A1
    assert by_committee["on_behalf_organization_id"] == str(p.community_org.id)
    await post_problem(client, p.community, "/proposals", {**BODY, "region_code": COMM_B1}, 403, "outside_area")
    await post_problem(client, p.org, "/proposals", BODY, 403, "role_not_allowed")
    await post_problem(client, None, "/proposals", BODY, 401)
    await post_problem(client, p.resident, "/proposals", {**BODY, "region_code": "999999"}, 422, "unknown_region")
    await post_problem(client, p.resident, "/proposals", {"title": "x"}, 422, "validation_failed")


async def test_a_meeting_forms_it_without_votes(client, app) -> None:
    p = await people(app)
    pid = (await post_ok(client, p.resident, "/proposals", BODY))["id"]
    meeting = {"held_on": "2026-11-30", "attendees": 18, "minutes": "议事会一致同意改造", "decision": "approved"}
    await post_problem(client, p.community, f"/proposals/{pid}/meetings", meeting, 409, "proposal_collected")
    await post_ok(client, p.community, f"/proposals/{pid}/advance", {"to": "deliberating"}, status=200)
    await post_problem(client, p.resident, f"/proposals/{pid}/meetings", meeting, 403)
    await post_ok(client, p.community, f"/proposals/{pid}/meetings", {**meeting, "decision": "deferred"})
    await post_problem(client, p.community, f"/proposals/{pid}/advance", {"to": "formed", "plan": "更换声控灯"}, 409,
                       "quorum_not_met")
    await post_ok(client, p.manager, f"/proposals/{pid}/meetings", meeting)
    formed = await post_ok(client, p.community, f"/proposals/{pid}/advance", {"to": "formed", "plan": "更换声控灯"},
                           status=200)
    assert formed["status"] == "formed" and [m["decision"] for m in formed["meetings"]] == ["deferred", "approved"]
    assert (await client.get(f"/proposals/{pid}")).json()["meetings"][1]["minutes"] == "议事会一致同意改造"


async def test_reject_needs_a_reason_and_the_author_may_withdraw(client, app) -> None:
    p = await people(app)
    first = (await post_ok(client, p.resident, "/proposals", BODY))["id"]
    await post_problem(client, p.community, f"/proposals/{first}/advance", {"to": "rejected"}, 422, "reason_required")
    rejected = await post_ok(client, p.community, f"/proposals/{first}/advance",
                             {"to": "rejected", "reason": "属物业维修范围，已转物业"}, status=200)
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "属物业维修范围，已转物业"
    second = (await post_ok(client, p.resident, "/proposals", BODY))["id"]
    await post_problem(client, p.residents[1], f"/proposals/{second}/advance", {"to": "withdrawn"}, 403)
    out = await post_ok(client, p.resident, f"/proposals/{second}/advance", {"to": "withdrawn"}, status=200)
    assert out["status"] == "withdrawn"
    await post_problem(client, p.resident, f"/proposals/{second}/votes", {"choice": "for"}, 409, "proposal_withdrawn")


async def test_list_filters_and_comments(client, app) -> None:
    p = await people(app)
    here = (await post_ok(client, p.resident, "/proposals", BODY))["id"]
    there = (await post_ok(client, p.outsider, "/proposals", BODY))["id"]
    ids = [i["id"] for i in (await client.get("/proposals", params={"region": COMM_A1})).json()["items"]]
    assert ids == [here]
    everything = (await client.get("/proposals", params={"limit": 1})).json()
    assert len(everything["items"]) == 1 and everything["next_cursor"]
    rest = (await client.get("/proposals", params={"limit": 1, "cursor": everything["next_cursor"]})).json()
    assert {everything["items"][0]["id"], rest["items"][0]["id"]} == {here, there}
    await post_ok(client, p.residents[1], f"/proposals/{here}/comments", {"body": "同意"})
    public = (await client.get(f"/proposals/{here}/comments")).json()["items"]
    assert public[0]["body"] == "同意" and public[0]["author_id"] is None
    signed = (await client.get(f"/proposals/{here}/comments", headers=p.resident.headers)).json()["items"]
    assert signed[0]["author_id"] == str(p.residents[1].id)
    assert (await client.get("/proposals/00000000-0000-4000-8000-000000000000")).status_code == 404


def test_the_state_table() -> None:
    rows = describe(LIFECYCLE)
    steps = [(r["from"], r["to"]) for r in rows if r["action"] in ProposalStatus.__members__]
    six = ["collected", "deliberating", "formed", "executing", "evaluating", "publicized"]
    assert all((a, b) in steps for a, b in zip(six, six[1:], strict=False))
    assert not [r for r in rows if r["from"] in ("publicized", "rejected", "withdrawn")]  # terminal states
    assert carried(Facts(quorum=3, votes_for=2, votes_against=1)) and not carried(Facts(quorum=3, votes_for=2))
    assert not carried(Facts(quorum=4, votes_for=2, votes_against=1, votes_abstain=1))  # half is no majority


@pytest.mark.pg_only
async def test_concurrent_votes_each_count_once(client, app) -> None:
    p = await people(app, residents=1)
    pid = (await post_ok(client, p.resident, "/proposals", {**BODY, "region_code": COMM_A1}))["id"]
    voters = [await make_user(app, "resident", region_code=COMM_A1) for _ in range(12)]
    pool = clients(app, 12)
    try:
        results = await asyncio.gather(*[c.post(f"/proposals/{pid}/votes", json={"choice": "for"}, headers=v.headers)
                                         for c, v in zip(pool, voters, strict=True)],
                                       *[pool[0].post(f"/proposals/{pid}/votes", json={"choice": "for"},
                                                      headers=voters[0].headers)])
    finally:
        for c in pool:
            await c.aclose()
    assert sorted(r.status_code for r in results) == [201] * 12 + [409]
    assert (await client.get(f"/proposals/{pid}")).json()["votes"] == {"for": 12, "against": 0, "abstain": 0}
