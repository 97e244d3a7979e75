"""The demo district: realistic, complete enough for every role, and idempotent."""

from __future__ import annotations

import sys
import types
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from exchange import db
from exchange.accounts.models import Role
from exchange.audit.models import AuditEvent
from exchange.demo.service import STEPS, load_demo
from exchange.demo.world import World
from exchange.organizations import credit_code
from exchange.organizations.models import Organization
from exchange.regions.models import Region

DISTRICT_ONLY = ["exchange.demo.district"]  # the later steps (lists, money, tenders) are tested by their owners;
# `exchange demo` with every step, twice, is tested in tests/test_cli.py.


async def _load(app, steps: list[str] | None = DISTRICT_ONLY):  # noqa: ANN202
    async with db.unit_of_work(app.state.session_factory) as session:
        return await load_demo(session, steps, app.state.document_store)


async def test_demo_district_content(app, client: httpx.AsyncClient, session_factory) -> None:
    summary = await _load(app)
    assert summary.changed and summary.added["organizations"] >= 40
    async with session_factory() as s:
        regions = list((await s.execute(select(Region))).scalars())
        orgs = list((await s.execute(select(Organization))).scalars())
    levels = Counter(r.level for r in regions)
    assert levels["district"] == 1 and levels["subdistrict"] >= 4 and levels["community"] >= 16
    grids_per_community = Counter(r.parent_code for r in regions if r.level == "grid")
    assert set(grids_per_community.values()) <= {2, 3}
    assert len(grids_per_community) == levels["community"]

    assert len(orgs) >= 40
    social = [o for o in orgs if o.kind == "social_org"]
    assert {o.legal_form for o in social} == {"social_group", "social_service_agency", "foundation", "filed"}
    assert {o.registration for o in social} == {"registered", "subdistrict_filed", "community_filed"}
    assert all(credit_code.is_valid(o.credit_code) for o in orgs if o.registration == "registered")
    a_levels = Counter(o.a_level for o in social)
    assert set(a_levels) == {0, 1, 2, 3, 4, 5}
    assert sum(n for level, n in a_levels.items() if level >= 3) <= len(social) // 5  # few at 3A and above
    names = {o.name for o in orgs}
    for buyer in ("民政局", "退役军人事务局", "共青团", "妇女联合会", "残疾人联合会", "基金会", "社区居民委员会"):
        assert any(buyer in n for n in names), buyer
    assert len({tuple(o.categories) for o in social}) > 10 and len({o.region_code for o in social}) > 10

    # every role can sign in with its documented password
    by_role = {a.role: a for a in summary.accounts}
    assert set(by_role) == {r.value for r in Role}
    assert sum(a.role == "expert" for a in summary.accounts) >= 5
    assert sum(a.role == "resident" for a in summary.accounts) >= 3
    for account in by_role.values():
        assert account.password == f"{account.role}-demo-2026"
        r = await client.post("/auth/token", data={"username": account.username, "password": account.password})
        assert r.status_code == 200, account.username
    assert (await client.get("/audit/verify")).json()["intact"] is True


async def test_demo_is_idempotent(app, session_factory) -> None:
    first = await _load(app)

    async def counts() -> dict[str, int]:
        async with session_factory() as s:
            return {t.__tablename__: (await s.execute(select(func.count()).select_from(t))).scalar_one()
                    for t in (Region, Organization, AuditEvent)}

    before = await counts()
    second = await _load(app)
    assert not second.changed and second.added == {}
    assert second.text().startswith("demo data already loaded: nothing changed")
    assert "admin-demo-2026" in second.text() and "expert-demo-2026" in second.text()
    assert [a.username for a in second.accounts] == [a.username for a in first.accounts]
    assert await counts() == before


async def test_later_steps_find_what_the_district_made(app, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    async def load(session, world: World) -> None:  # noqa: ANN001
        seen["buyers"] = {o.name for o in world.buyers()}
        seen["social"] = len(world.social_orgs())
        seen["experts"] = len(world.experts())
        seen["evaluator"] = world.evaluator().username
        seen["managers"] = [u.username for u in world.managers()]
        seen["residents"] = all(u.region_code for u in world.residents())
        seen["communities"] = len(world.communities())
        seen["org_user"] = world.user_for(world.org("成都市武侯区益众社会工作服务中心")).username
        world.note("a later step ran")

    module = types.ModuleType("tests.demo.fake_step")
    module.load = load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests.demo.fake_step", module)
    assert STEPS[0] == "exchange.demo.district"
    summary = await _load(app, [*DISTRICT_ONLY, "tests.demo.fake_step"])
    assert "成都市武侯区民政局" in seen["buyers"] and "成都市武侯社区发展基金会" in seen["buyers"]
    assert seen["social"] >= 35 and seen["experts"] >= 5 and seen["evaluator"] == "evaluator"
    assert seen["managers"] and seen["residents"] is True and seen["communities"] >= 16
    assert seen["org_user"] == "yizhong"
    assert "a later step ran" in summary.text()

