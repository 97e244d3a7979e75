"""The chain survives every JSON value a request can carry, ends at the recorded head, cannot be
rewritten in place, and is verified incrementally from checkpoints."""

from __future__ import annotations

import unicodedata

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from exchange import db
from exchange.audit import service as audit
from exchange.audit.models import AuditCheckpoint, AuditEvent
from tests.audit.tamper import bypass_append_only
from tests.builders import make_user, run_jobs, seed_regions
from tests.tenders.world import deliver, final_award, ok, reviewed, signed_deal, world

AWKWARD = {
    "negative_zero": -0.0, "huge_float": 1e300, "tiny_float": 5e-324, "fraction": 0.1 + 0.2, "small": 1.5e-7,
    "big_int": 2**70, "negative_big_int": -(2**64), "safe_int": 2**53 - 1, "integral_float": 7.0,
    "decomposed": unicodedata.normalize("NFD", "Café 養老"), "composed": "Café",
    "zeta": 1, "alpha": {"z": [3, -0.0, {"b": 2, "a": 1}], "a": None}, "flag": True, "emoji": "👵🏻",
    "long_key_" * 5: "x", "k": "",
}


async def _record(app, summary: dict) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        audit.record(session, actor_id=None, action="test.recorded", entity_type="test", entity_id="x",
                     summary=summary)


async def test_every_json_value_kind_keeps_the_chain_intact(app, client: httpx.AsyncClient) -> None:
    await _record(app, AWKWARD)
    for key, value in AWKWARD.items():
        await _record(app, {key: value})
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is True, v
    assert v["events"] == len(AWKWARD) + 1


async def test_an_evaluation_total_of_minus_zero_does_not_break_the_chain(app, client, clock) -> None:
    w = await world(app, bidders=1)
    opp, bids = await reviewed(client, clock, w, [6_000_000])
    award = await final_award(client, clock, w, opp["id"], bids[0]["id"])
    deal = await signed_deal(client, w, award, parts=1)
    await deliver(client, w.c.org, w.c.buyer, deal)
    await ok(client.post(f"/deals/{deal['id']}/closing-report", json={"summary": "完成", "people_served": 1,
                                                                       "activities": 1}, headers=w.c.org.headers))
    r = await client.post(f"/deals/{deal['id']}/evaluation", json={"scores": {"质量": -0.0}, "total": -0.0},
                          headers=w.c.evaluator.headers)
    assert r.status_code == 200, r.text
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is True, v


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'forged' WHERE seq = 1",
                                       "DELETE FROM audit_events WHERE seq = 1"])
async def test_audit_rows_are_append_only(app, session_factory, statement: str) -> None:
    await seed_regions(app)
    async with session_factory() as session:
        with pytest.raises((DBAPIError, IntegrityError)) as caught:
            await session.execute(text(statement))
        assert "append-only" in str(caught.value)
        await session.rollback()
    async with session_factory() as session:
        assert (await session.execute(select(AuditEvent.action).where(AuditEvent.seq == 1))).scalar_one() != "forged"


async def test_deleting_the_newest_events_is_found(app, client: httpx.AsyncClient, session_factory) -> None:
    await seed_regions(app)
    async with session_factory() as session:
        await bypass_append_only(session)
        await session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq >= 6))
        await session.commit()
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is False and v["reason"] == "missing_tail" and v["events"] == 5


async def test_verification_continues_from_the_last_checkpoint(app, client, session_factory) -> None:
    await seed_regions(app)
    admin = await make_user(app, "admin")
    first = (await client.get("/audit/verify")).json()
    assert first["intact"] and first["verified_from"] == 0 and first["events"] == 8
    async with session_factory() as session:  # a read records nothing: the job runner records checkpoints
        assert (await session.execute(select(AuditCheckpoint.seq))).all() == []
    await run_jobs(app)
    await _record(app, {"n": 1})
    second = (await client.get("/audit/verify")).json()
    assert second["intact"] and second["verified_from"] == 8 and second["events"] == 9
    await run_jobs(app)
    async with session_factory() as session:
        assert [c for (c,) in await session.execute(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq))] == [8, 9]
        # Rewrite an event behind the checkpoint (and re-link nothing): only a full walk can see it.
        await bypass_append_only(session)
        await session.execute(AuditEvent.__table__.update().where(AuditEvent.seq == 2).values(action="forged"))
        await session.commit()
    assert (await client.get("/audit/verify")).json()["intact"] is True
    full = await client.get("/audit/verify", params={"full": "true"}, headers=admin.headers)
    assert full.json()["intact"] is False and full.json()["reason"] == "content"
    assert (await client.get("/audit/verify", params={"full": "true"})).status_code == 403


async def test_a_tampered_checkpoint_event_sends_the_walk_back_to_the_start(app, client, session_factory) -> None:
    await seed_regions(app)
    assert (await client.get("/audit/verify")).json()["intact"]
    await run_jobs(app)  # records a checkpoint at the head (event 7)
    async with session_factory() as session:
        assert [c for (c,) in await session.execute(select(AuditCheckpoint.seq))] == [7]
    async with session_factory() as session:
        await bypass_append_only(session)
        await session.execute(AuditEvent.__table__.update().where(AuditEvent.seq == 7).values(action="forged"))
        await session.commit()
    v = (await client.get("/audit/verify")).json()
    assert v["intact"] is False and v["verified_from"] == 0 and v["reason"] == "content"


async def test_verification_is_rate_limited_per_address(app, client: httpx.AsyncClient, clock) -> None:
    clock.freeze(clock.now())  # the window is a minute of application time, whatever the machine's speed
    limit = app.state.settings.audit_verify_rate_per_minute
    for _ in range(limit):
        assert (await client.get("/audit/verify")).status_code == 200
    r = await client.get("/audit/verify")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
