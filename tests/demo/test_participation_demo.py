"""The demo's participation step: proposals at every step, skills, hours, filings, bookings; idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from exchange import db
from exchange.activities.models import Attendance
from exchange.demo.service import load_demo
from exchange.filings.models import Filing
from exchange.proposals.models import Proposal, ProposalStatus
from exchange.skills.models import Skill
from exchange.spaces.models import Booking

STEPS = ["exchange.demo.district", "exchange.demo.participation"]


async def test_participation_demo(app, client, session_factory) -> None:
    async with db.unit_of_work(app.state.session_factory) as session:
        first = await load_demo(session, STEPS)
    assert first.added["proposals"] == 7 and any("居民参与" in n for n in first.notes)
    async with session_factory() as s:
        statuses = Counter((await s.execute(select(Proposal.status))).scalars())
        assert set(statuses) == {st.value for st in ProposalStatus} - {"withdrawn"}
        assert (await s.execute(select(func.count()).select_from(Skill))).scalar_one() >= 6
        assert (await s.execute(select(func.sum(Attendance.minutes)))).scalar_one() > 0
        assert {f.status for f in (await s.execute(select(Filing))).scalars()} == {"in_review", "approved"}
        assert {b.status for b in (await s.execute(select(Booking))).scalars()} == {"requested", "confirmed", "reported"}
    token = (await client.post("/auth/token", data={"username": "resident", "password": "resident-demo-2026"})).json()
    hours = (await client.get("/me/volunteer-hours", headers={"Authorization": f"Bearer {token['access_token']}"})).json()
    assert hours["total_hours"] == 3
    async with db.unit_of_work(app.state.session_factory) as session:
        second = await load_demo(session, STEPS)
    assert not second.changed
    assert (await client.get("/audit/verify")).json()["intact"] is True
