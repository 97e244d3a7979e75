"""Many processes on one PostgreSQL: 3 web processes and 2 job runners, 50 opportunities whose deadlines pass
within seconds and 20 campaigns that end, sharing funds, while clients read and write. Each close and each end
happens once, the ledger holds, no request fails and no process logs an error."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update

from exchange import db
from exchange.audit.models import AuditEvent
from exchange.campaigns.models import Campaign
from exchange.events.models import EventRow
from exchange.funds.models import LedgerTransaction
from exchange.kit.clock import now
from exchange.opportunities.models import Opportunity
from tests.builders import make_user
from tests.funds.money import make_fund, violations
from tests.listings.world import cast, opportunity_body
from tests.tenders.world import ok

pytestmark = pytest.mark.pg_only

OPPORTUNITIES, CAMPAIGNS, WEB, RUNNERS = 50, 20, 3, 2


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen([sys.executable, *args], env=env, stdout=handle, stderr=subprocess.STDOUT)


async def _setup(app: Any, client: httpx.AsyncClient) -> dict[str, Any]:
    """A buyer with three funds; 50 published opportunities earmarking from them (every other one with a bid);
    20 campaigns matched by the same funds (every other one reaching its target)."""
    c = await cast(app)
    funds = [await make_fund(app, c.buyer_org.id, deposit_fen=1_000_000_000) for _ in range(3)]
    manager, resident = await make_user(app, "manager"), await make_user(app, "resident")
    opps = []
    for i in range(OPPORTUNITIES):
        opp = await ok(client.post("/opportunities", json=opportunity_body(min_bids=1), headers=c.buyer.headers), 201)
        await ok(client.post(f"/opportunities/{opp['id']}/funding", headers=c.buyer.headers,
                             json={"fund_id": str(funds[i % 3]), "amount_fen": 1_000_000}))
        await ok(client.post(f"/opportunities/{opp['id']}/publish", headers=c.buyer.headers))
        if i % 2 == 0:
            await ok(client.post(f"/opportunities/{opp['id']}/bids", headers=c.org.headers,
                                 json={"proposal": "每周三次上门助餐", "price_fen": 900_000}), 201)
        opps.append(opp["id"])
    campaigns = []
    for i in range(CAMPAIGNS):
        body = {"title": f"楼道扶手{i}", "target_fen": 10_000, "ends_at": (now() + dt.timedelta(hours=1)).isoformat(),
                "match_fund_id": str(funds[i % 3]), "match_ratio": "1.0", "match_cap_fen": 3_000, "on_shortfall": "refund"}
        campaign = await ok(client.post("/campaigns", json=body, headers=manager.headers), 201)
        await ok(client.post(f"/campaigns/{campaign['id']}/contributions", headers=resident.headers,
                             json={"amount_fen": 8_000 if i % 2 == 0 else 1_000}), 201)
        campaigns.append(campaign["id"])
    drafts = [(await ok(client.post("/opportunities", json=opportunity_body(), headers=c.buyer.headers), 201))["id"]
              for _ in range(5)]
    return {"cast": c, "funds": funds, "opps": opps, "campaigns": campaigns, "drafts": drafts, "resident": resident}


async def _make_due_soon(app: Any, world: dict[str, Any], seconds: float) -> None:
    """Deadlines and ends spread over the next few seconds (a test-only shortcut past the API's future-date check)."""
    start = now() + dt.timedelta(seconds=seconds)
    async with db.unit_of_work(app.state.session_factory) as session:
        for i, opp_id in enumerate(world["opps"]):
            await session.execute(update(Opportunity).where(Opportunity.id == uuid.UUID(opp_id))
                                  .values(bid_deadline=start + dt.timedelta(milliseconds=60 * i)))
        for i, campaign_id in enumerate(world["campaigns"]):
            await session.execute(update(Campaign).where(Campaign.id == uuid.UUID(campaign_id))
                                  .values(ends_at=start + dt.timedelta(milliseconds=150 * i)))


async def _traffic(bases: list[str], world: dict[str, Any], until: float) -> list[str]:
    """Readers and writers on every web process until ``until``; returns every failed request."""
    failures: list[str] = []
    c, resident = world["cast"], world["resident"]

    async def reader(client: httpx.AsyncClient, n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < until:
            path = rng.choice([f"/opportunities/{rng.choice(world['opps'])}", f"/campaigns/{rng.choice(world['campaigns'])}",
                               "/opportunities?limit=20", f"/opportunities/{rng.choice(world['opps'])}/funding"])
            r = await client.get(path, headers=c.buyer.headers)
            if r.status_code != 200:
                failures.append(f"GET {path}: {r.status_code} {r.text[:200]}")

    async def writer(client: httpx.AsyncClient, n: int) -> None:
        rng = random.Random(1000 + n)
        while time.monotonic() < until:
            kind = rng.randrange(3)
            if kind == 0:  # a contribution: campaign, then fund
                path, body, headers = (f"/campaigns/{rng.choice(world['campaigns'])}/contributions", {"amount_fen": 100},
                                       resident.headers)
                allowed = {201, 409}
            elif kind == 1:  # an earmark: opportunity, then fund
                path, headers = f"/opportunities/{rng.choice(world['drafts'])}/funding", c.buyer.headers
                body, allowed = {"fund_id": str(rng.choice(world["funds"])), "amount_fen": 100}, {200}
            else:  # a bid racing the deadline
                path, headers = f"/opportunities/{rng.choice(world['opps'])}/bids", c.other_org.headers
                body, allowed = {"proposal": "助餐方案", "price_fen": 800_000}, {201, 409}
            r = await client.post(path, json=body, headers=headers)
            if r.status_code not in allowed:
                failures.append(f"POST {path}: {r.status_code} {r.text[:200]}")

    clients = [httpx.AsyncClient(base_url=f"{b}/api/v1", timeout=60) for b in bases]
    try:
        await asyncio.gather(*[reader(clients[i % len(clients)], i) for i in range(12)],
                             *[writer(clients[i % len(clients)], i) for i in range(6)])
    finally:
        for cl in clients:
            await cl.aclose()
    return failures


async def _wait_until_settled(app: Any, deadline: float) -> None:
    while time.monotonic() < deadline:
        async with db.read_only(app.state.session_factory) as session:
            open_opps = (await session.execute(select(func.count()).select_from(Opportunity)
                                               .where(Opportunity.status == "published"))).scalar_one()
            open_campaigns = (await session.execute(select(func.count()).select_from(Campaign)
                                                    .where(Campaign.status != "ended"))).scalar_one()
        if open_opps == 0 and open_campaigns == 0:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"not settled: {open_opps} opportunities still open, {open_campaigns} campaigns not ended")


async def _counts(app: Any, column: Any, where: Any, by: Any) -> dict[str, int]:
    async with db.read_only(app.state.session_factory) as session:
        rows = (await session.execute(select(by, func.count()).where(where).group_by(by))).all()
    return {str(k): int(n) for k, n in rows}


async def test_three_web_processes_and_two_runners_move_each_due_item_once(app, client, database_url, tmp_path) -> None:
    world = await _setup(app, client)
    env = {**os.environ, "EXCHANGE_DATABASE_URL": database_url, "EXCHANGE_MATCHING_WARMUP": "false",
           "EXCHANGE_DB_POOL_SIZE": "4", "EXCHANGE_SERVE_RUNS_JOBS": "false"}
    ports = [_port() for _ in range(WEB)]
    logs = [tmp_path / f"web{i}.log" for i in range(WEB)] + [tmp_path / f"runner{i}.log" for i in range(RUNNERS)]
    procs = [_start(["-m", "uvicorn", "exchange.app:create_app", "--factory", "--port", str(p), "--log-level", "warning",
                     "--no-access-log"], env, logs[i]) for i, p in enumerate(ports)]
    procs += [_start(["-m", "exchange.cli", "worker", "--interval", "0.2"], env, logs[WEB + i]) for i in range(RUNNERS)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        async with httpx.AsyncClient() as probe:
            for base in bases:
                for _ in range(600):
                    try:
                        if (await probe.get(f"{base}/api/v1/health")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
        await _make_due_soon(app, world, seconds=3)
        failures = await _traffic(bases, world, until=time.monotonic() + 9)
        await _wait_until_settled(app, time.monotonic() + 60)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)

    assert failures == []
    opp_ids, campaign_ids = set(world["opps"]), set(world["campaigns"])
    closes = await _counts(app, AuditEvent, AuditEvent.action == "opportunity.bidding_closed", AuditEvent.entity_id)
    assert {k: v for k, v in closes.items() if k in opp_ids} == dict.fromkeys(opp_ids, 1)
    ends = await _counts(app, AuditEvent, AuditEvent.action == "campaign.ended", AuditEvent.entity_id)
    assert {k: v for k, v in ends.items() if k in campaign_ids} == dict.fromkeys(campaign_ids, 1)
    closed_events = await _counts(app, EventRow, EventRow.type == "opportunity.bidding_closed", EventRow.entity_id)
    assert closed_events == dict.fromkeys(opp_ids, 1)
    assert await _counts(app, EventRow, EventRow.type == "campaign.ended", EventRow.entity_id) == dict.fromkeys(campaign_ids, 1)
    unsuccessful = await _counts(app, Opportunity, Opportunity.status == "unsuccessful", Opportunity.id)
    releases = await _counts(app, LedgerTransaction, LedgerTransaction.kind == "earmark_release", LedgerTransaction.ref_id)
    assert {k: v for k, v in releases.items() if k in opp_ids} == dict.fromkeys(unsuccessful, 1)  # released once each
    refunded = await _counts(app, Campaign, Campaign.outcome == "refunded", Campaign.id)
    assert len(refunded) >= CAMPAIGNS // 4
    for kind in ("refund", "match_return"):
        moved = await _counts(app, LedgerTransaction, LedgerTransaction.kind == kind, LedgerTransaction.ref_id)
        assert moved == dict.fromkeys(refunded, 1)  # refunded once each, and only the refunded
    assert await violations(app) == []
    for log in logs:
        content = log.read_text(encoding="utf-8", errors="replace")
        assert "ERROR" not in content and "Traceback" not in content, f"{log.name}:\n{content[-3000:]}"
    async with db.read_only(app.state.session_factory) as session:
        deadlocks = (await session.execute(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"))
                     ).scalar_one()
    assert deadlocks == 0
