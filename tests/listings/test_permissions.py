"""The authorization table, exhaustively: every role × action × own/other, against api.md's reading."""

from __future__ import annotations

import itertools

import pytest

from exchange.accounts.models import Role
from exchange.listings.permissions import TABLE, allowed
from tests.listings.world import cast, create, need_body, offer_body, opportunity_body, published

# What api.md and the issue say, written out independently of the table: (role, action, own) that are allowed.
STAFF = {("manager", True), ("manager", False), ("admin", True), ("admin", False)}
EXPECTED: set[tuple[str, str, bool]] = set()
for action in ("opportunity.create", "opportunity.read_draft", "opportunity.update", "opportunity.publish",
               "opportunity.cancel"):
    EXPECTED |= {(r, action, o) for r, o in STAFF} | {("buyer", action, True)}
EXPECTED |= {(r, "opportunity.from_needs", o) for r, o in STAFF}
for action in ("offer.create", "offer.read_draft", "offer.update", "offer.publish", "offer.withdraw"):
    EXPECTED |= {(r, action, o) for r, o in STAFF} | {("org", action, True)}
for action in ("need.create", "need.update", "need.withdraw", "need.confirm"):
    EXPECTED |= {(r, action, o) for r, o in STAFF} | {("resident", action, True), ("community", action, True)}
EXPECTED |= {("resident", "need.support", False), ("resident", "need.claim", False), ("org", "need.claim", False),
             ("org", "need.claim", True)}
EXPECTED |= {("resident", "need.fulfil", True), ("org", "need.fulfil", True), ("admin", "need.fulfil", True),
             ("admin", "need.fulfil", False)}
EXPECTED |= {(r, "need.release", o) for r, o in STAFF} | {("resident", "need.release", True), ("org", "need.release", True)}
EXPECTED |= {("admin", "points.adjust", True), ("admin", "points.adjust", False)}
EXPECTED -= {("org", "need.claim", True)}  # nobody claims what they asked for themselves


@pytest.mark.parametrize(("role", "action", "own"), list(itertools.product(list(Role), sorted(TABLE), [True, False])))
def test_table(role: Role, action: str, own: bool) -> None:
    assert allowed(role, action, own) == ((role.value, action, own) in EXPECTED)


def test_every_action_is_in_the_expectation() -> None:
    assert {a for _, a, _ in EXPECTED} == set(TABLE)


ROLES = ["buyer", "other_buyer", "org", "other_org", "manager", "admin", "resident", "community", "expert", "evaluator"]


async def test_opportunity_over_http(app, client) -> None:
    """A published opportunity: its buyer and staff may change it; every other role 403; a draft is 404 to them."""
    c = await cast(app)
    opp = await published(client, c.buyer, "/opportunities", opportunity_body())
    draft = await create(client, c.buyer, "/opportunities", opportunity_body())
    for name in ROLES:
        actor = getattr(c, name)
        ok = name in ("buyer", "manager", "admin")
        r = await client.patch(f"/opportunities/{opp['id']}", json={"description": f"by {name}"}, headers=actor.headers)
        assert r.status_code == (200 if ok else 403), (name, r.text)
        r = await client.get(f"/opportunities/{draft['id']}", headers=actor.headers)
        assert r.status_code == (200 if ok else 404), name
        if not ok:
            r = await client.post(f"/opportunities/{draft['id']}/publish", headers=actor.headers)
            assert r.status_code == 404, (name, r.text)
    r = await client.post(f"/opportunities/{draft['id']}/publish", headers=c.manager.headers)
    assert r.status_code == 200


async def test_offer_over_http(app, client) -> None:
    c = await cast(app)
    offer = await published(client, c.org, "/offers", offer_body())
    draft = await create(client, c.org, "/offers", offer_body())
    for name in ROLES:
        actor = getattr(c, name)
        ok = name in ("org", "manager", "admin")
        r = await client.patch(f"/offers/{offer['id']}", json={"description": f"by {name}"}, headers=actor.headers)
        assert r.status_code == (200 if ok else 403), (name, r.text)
        r = await client.get(f"/offers/{draft['id']}", headers=actor.headers)
        assert r.status_code == (200 if ok else 404), name
    assert (await client.get(f"/offers/{draft['id']}")).status_code == 404


async def test_need_over_http(app, client) -> None:
    c = await cast(app)
    need = await create(client, c.resident, "/needs", need_body())
    for name in ROLES:
        actor = getattr(c, name)
        ok = name in ("resident", "manager", "admin")
        r = await client.patch(f"/needs/{need['id']}", json={"description": f"by {name}"}, headers=actor.headers)
        assert r.status_code == (200 if ok else 403), (name, r.text)
    for name in ROLES:  # who may post a need at all
        r = await client.post("/needs", json=need_body(region_code="510107003001"), headers=getattr(c, name).headers)
        assert r.status_code == (201 if name in ("resident", "community", "manager", "admin") else 403), name
