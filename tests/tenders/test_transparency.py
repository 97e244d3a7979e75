"""The OCDS feed and public notices: tenders, awards after the close, contracts; valid OCDS 1.1.5."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.tenders.world import bid, ok, open_tender, reviewed, world

# The official schema ships in the shared folder beside the checkout.
OCDS = Path(__file__).resolve().parents[3] / "shared" / "ocds-1.1.5"


def _check_against_schema(package: dict[str, Any]) -> None:
    """Full validation where jsonschema is installed; otherwise the required fields and closed codelists."""
    release_schema = json.loads((OCDS / "release-schema.json").read_text())
    package_schema = json.loads((OCDS / "release-package-schema.json").read_text())
    try:
        import jsonschema
        from referencing import Registry, Resource
    except ImportError:
        defs = release_schema["definitions"]
        assert set(package_schema["required"]) <= set(package)
        for release in package["releases"]:
            assert set(release_schema["required"]) <= set(release)
            assert set(release["tag"]) <= set(release_schema["properties"]["tag"]["items"]["enum"])
            assert release["tender"]["status"] in defs["Tender"]["properties"]["status"]["enum"]
            assert all(a["status"] in defs["Award"]["properties"]["status"]["enum"] for a in release.get("awards", []))
            assert all(c["status"] in defs["Contract"]["properties"]["status"]["enum"] for c in release.get("contracts", []))
        return
    registry = Registry().with_resources([(
        "https://standard.open-contracting.org/schema/1__1__5/release-schema.json", Resource.from_contents(release_schema))])
    errors = list(jsonschema.Draft4Validator(package_schema, registry=registry).iter_errors(package))
    assert not errors, [e.message for e in errors[:5]]


@pytest.mark.skipif(not OCDS.is_dir(), reason="the OCDS 1.1.5 schema is not in this checkout's shared folder")
async def test_ocds_package_shows_awards_only_after_the_close(app, client, clock) -> None:
    w = await world(app, bidders=2)
    opp, bids = await reviewed(client, clock, w, [9_000_000], standstill_days=3)
    award = await ok(client.post(f"/opportunities/{opp['id']}/award", json={"bid_id": bids[0]["id"]},
                                 headers=w.c.buyer.headers), 201)
    late = await open_tender(client, w, earmark=0)
    sealed = await bid(client, w.bidders[1], late["id"], 7_654_321)
    package = await ok(client.get("/public/ocds/releases"))
    _check_against_schema(package)
    releases = {r["tender"]["id"]: r for r in package["releases"]}
    assert releases[opp["id"]]["tag"] == ["tender", "award"]
    assert releases[opp["id"]]["awards"][0] | {"date": None} == {
        "id": award["id"], "status": "pending", "date": None, "value": {"amount": 90000.0, "currency": "CNY"},
        "suppliers": [{"id": str(w.bidder_orgs[0].id), "name": w.bidder_orgs[0].name}]}
    assert releases[opp["id"]]["tender"]["numberOfTenderers"] == 1
    release = releases[late["id"]]
    assert release["tag"] == ["tender"] and "numberOfTenderers" not in release["tender"]
    assert "7654321" not in json.dumps(package) and "76543.21" not in json.dumps(package)
    assert sealed["id"] not in json.dumps(package)
    notices = (await ok(client.get("/public/notices")))["items"]
    assert [(n["kind"], n["id"], n["status"]) for n in notices] == [("award", award["id"], "standstill")]
