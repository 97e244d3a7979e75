"""The random draw of a panel from the expert pool: who is left out, the draw re-run from its audited
seed, replacements of experts who decline, and refusals that change nothing."""

from __future__ import annotations

import hashlib
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.tenders.draws import PoolMember, panel_of, partition
from tests.builders import make_user
from tests.tenders.world import World, bid, ok, open_tender, score, world


def rerun(seed: str, candidates: list[str], size: int, declined: tuple[str, ...] = ()) -> list[str]:
    """The draw as the audit describes it, written out independently of the service."""
    ranked = sorted(candidates, key=lambda c: (hashlib.sha256(f"{seed}:{c}".encode()).hexdigest(), c))
    return [c for c in ranked if c not in declined][:size]


async def pool(client, w: World, app, *, free: int):  # type: ignore[no-untyped-def]
    """Experts in the pool: one working for a bidder, one for the buyer, ``free`` without ties."""
    experts = [await make_user(app, "expert") for _ in range(free + 2)]
    affiliations = [w.bidder_orgs[0].id, w.c.buyer_org.id] + [None] * free
    for expert, org in zip(experts, affiliations, strict=True):
        body = {"user_id": str(expert.id), "specialties": ["elderly_care"],
                "affiliation_organization_id": str(org) if org else None}
        await ok(client.post("/experts", json=body, headers=w.c.admin.headers), 201)
    w.extra.extend(experts)
    return experts


async def test_draw_leaves_out_conflicts_and_recent_panelists_and_reruns_from_the_audit(app, client, clock) -> None:
    w = await world(app, bidders=2, experts=0)
    experts = await pool(client, w, app, free=6)
    by_bidder, by_buyer, recent, *free = experts
    earlier = await open_tender(client, w, earmark=0)
    opp = await open_tender(client, w, earmark=0)
    for o in (earlier, opp):
        for bidder in w.bidders:
            await bid(client, bidder, o["id"], 10_000_000)
    r = await client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 3}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "opportunity_published"  # sealed until the close
    w.later(app, clock, days=11)
    await ok(client.post(f"/opportunities/{earlier['id']}/panel", json={"expert_user_ids": [str(recent.id)]},
                         headers=w.c.buyer.headers))

    r = await client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 3}, headers=w.bidders[0].headers)
    assert r.status_code == 403
    drawn = await ok(client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 3}, headers=w.c.buyer.headers))
    assert drawn["excluded"] == {str(by_bidder.id): "affiliated_with_bidder", str(by_buyer.id): "affiliated_with_buyer",
                                 str(recent.id): "recent_panel"}
    assert drawn["candidates"] == sorted(str(e.id) for e in free)
    assert drawn["expert_user_ids"] == rerun(drawn["seed"], drawn["candidates"], 3)
    assert drawn["status"] == "under_review"

    events = await ok(client.get("/audit/events", params={"entity_id": opp["id"]}, headers=w.c.admin.headers))
    audited = next(e for e in events["items"] if e["action"] == "panel.drawn")["summary"]
    assert rerun(audited["seed"], audited["candidates"], audited["size"]) == drawn["expert_user_ids"]

    again = await client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 3}, headers=w.c.manager.headers)
    assert again.status_code == 409 and again.json()["code"] == "panel_exists"
    read = await ok(client.get(f"/opportunities/{opp['id']}/panel/draw", headers=w.c.manager.headers))
    assert read["expert_user_ids"] == drawn["expert_user_ids"] and read["seed"] == drawn["seed"]
    assert (await client.get(f"/opportunities/{opp['id']}/panel/draw", headers=w.bidders[0].headers)).status_code == 403


async def test_a_declining_expert_is_replaced_by_the_next_in_the_draws_order(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    experts = {str(e.id): e for e in await pool(client, w, app, free=4)}
    opp = await open_tender(client, w, earmark=0)
    placed = await bid(client, w.bidders[0], opp["id"], 10_000_000)
    w.later(app, clock, days=11)
    drawn = await ok(client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 2}, headers=w.c.buyer.headers))
    first, second = drawn["expert_user_ids"]

    outsider = await make_user(app, "expert")
    w.extra.append(outsider)
    r = await client.post(f"/opportunities/{opp['id']}/panel/decline", json={}, headers=outsider.headers)
    assert r.status_code == 403
    r = await client.post(f"/opportunities/{opp['id']}/panel/decline", json={"user_id": second},
                          headers=experts[first].headers)
    assert r.status_code == 403  # an expert declines for itself only

    after = await ok(client.post(f"/opportunities/{opp['id']}/panel/decline", json={"reason": "近期出差"},
                                 headers=experts[first].headers))
    assert after["declined"] == [first]
    assert after["expert_user_ids"] == rerun(drawn["seed"], drawn["candidates"], 2, (first,))
    assert first not in after["expert_user_ids"] and second in after["expert_user_ids"]
    replacement = next(e for e in after["expert_user_ids"] if e != second)
    r = await client.post(f"/bids/{placed['id']}/scores", json={"scores": {"方案质量": 80, "团队能力": 80}},
                          headers=experts[first].headers)
    assert r.status_code == 403  # no longer on the panel
    await score(client, experts[replacement], placed["id"], 80, 80)

    r = await client.post(f"/opportunities/{opp['id']}/panel/decline", json={"user_id": replacement},
                          headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "already_scored"
    left = await ok(client.post(f"/opportunities/{opp['id']}/panel/decline", json={"user_id": second},
                                headers=w.c.manager.headers))
    assert len(left["expert_user_ids"]) == 2 and second not in left["expert_user_ids"]
    # four eligible, two declined, two seated: nobody is left to replace another
    seated = [e for e in left["expert_user_ids"] if e != replacement][0]
    r = await client.post(f"/opportunities/{opp['id']}/panel/decline", json={}, headers=experts[seated].headers)
    assert r.status_code == 409 and r.json()["code"] == "not_enough_experts"
    still = await ok(client.get(f"/opportunities/{opp['id']}/panel/draw", headers=w.c.buyer.headers))
    assert still["expert_user_ids"] == left["expert_user_ids"]


async def test_too_few_eligible_experts_is_refused_and_changes_nothing(app, client, clock) -> None:
    w = await world(app, bidders=1, experts=0)
    await pool(client, w, app, free=2)
    opp = await open_tender(client, w, earmark=0)
    await bid(client, w.bidders[0], opp["id"], 10_000_000)
    w.later(app, clock, days=11)
    r = await client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 3}, headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["code"] == "not_enough_experts" and r.json()["eligible"] == 2
    r = await client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 1, "specialties": ["disability"]},
                          headers=w.c.buyer.headers)
    assert r.status_code == 409 and r.json()["eligible"] == 0
    assert (await ok(client.get(f"/opportunities/{opp['id']}")))["status"] == "bidding_closed"
    assert (await client.get(f"/opportunities/{opp['id']}/panel/draw", headers=w.c.buyer.headers)).status_code == 404
    drawn = await ok(client.post(f"/opportunities/{opp['id']}/panel/draw", json={"size": 2}, headers=w.c.buyer.headers))
    assert len(drawn["expert_user_ids"]) == 2


ORGS = [uuid.UUID(int=i) for i in range(1, 7)]
member = st.builds(PoolMember, user_id=st.uuids().map(str), affiliation=st.one_of(st.none(), st.sampled_from(ORGS)),
                   specialties=st.frozensets(st.sampled_from(["elderly_care", "disability", "children_youth"])))


@settings(deadline=None, max_examples=200)
@given(pool_=st.lists(member, max_size=30, unique_by=lambda m: m.user_id), bidders=st.sets(st.sampled_from(ORGS)),
       buyer=st.sampled_from(ORGS), seed=st.text(min_size=1, max_size=32), size=st.integers(1, 10),
       specialties=st.lists(st.sampled_from(["elderly_care", "disability"]), max_size=2), data=st.data())
def test_conflicted_experts_are_never_drawn(pool_, bidders, buyer, seed, size, specialties, data) -> None:  # type: ignore[no-untyped-def]
    recent = set(data.draw(st.lists(st.sampled_from([m.user_id for m in pool_]), max_size=5))) if pool_ else set()
    candidates, excluded = partition(pool_, bidders=bidders, buyer=buyer, recent=recent, specialties=specialties)
    declined = data.draw(st.lists(st.sampled_from(candidates), max_size=3)) if candidates else []
    panel = panel_of(seed, candidates, size, declined)
    conflicted = {m.user_id for m in pool_ if m.affiliation in bidders or m.affiliation == buyer} | recent
    assert not conflicted & set(panel)
    assert set(panel) <= set(candidates) and not set(declined) & set(panel)
    assert len(panel) == min(size, len(set(candidates) - set(declined)))
    assert set(candidates) | set(excluded) == {m.user_id for m in pool_}
    assert panel == panel_of(seed, list(reversed(candidates)), size, declined)  # the order given does not matter
    if specialties:
        assert all(set(specialties) & next(m for m in pool_ if m.user_id == p).specialties for p in panel)
