"""Server processes share one memory-mapped snapshot of the offers index (built once, in a child
process), and still never answer a withdrawn offer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from exchange.app import create_app
from tests.builders import COMM_A1, DISTRICT
from tests.conftest import make_settings
from tests.matching.test_endpoints import MEAL, offer_ids, post_need, publish_offer, world  # noqa: F401


@pytest.mark.pg_only
async def test_processes_share_one_snapshot_and_drop_withdrawn_offers(app: Any, client: httpx.AsyncClient,
                                                                      database_url: str, world: dict,  # noqa: F811
                                                                      tmp_path: Path) -> None:
    meals = [await publish_offer(client, world["org"], MEAL, [DISTRICT]) for _ in range(3)]
    need = await post_need(client, world["resident"])
    settings = {"matching_snapshot_dir": str(tmp_path), "matching_shared_min_offers": 1, "matching_sync_seconds": 0.001}
    apps = [create_app(make_settings(database_url, **settings)) for _ in range(2)]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        a, b = (httpx.AsyncClient(transport=httpx.ASGITransport(app=x), base_url="http://test/api/v1") for x in apps)
        async with a, b:
            first = offer_ids((await a.get(f"/needs/{need['id']}/matches")).json())
            assert sorted(first) == sorted(m["id"] for m in meals)
            assert offer_ids((await b.get(f"/needs/{need['id']}/matches")).json()) == first  # same order too
            snapshots = list(tmp_path.glob("*/snap-*"))
            assert len(snapshots) == 1, "the second process opened the first one's snapshot"
            for runtime in (apps[0].state.matching, apps[1].state.matching):
                assert runtime.offers.base is not None and runtime.offers.base.directory == snapshots[0]

            gone = first[0]
            r = await a.post(f"/offers/{gone}/withdraw", headers=world["org"].headers)
            assert r.status_code == 200, r.text
            assert gone not in offer_ids((await b.get(f"/needs/{need['id']}/matches")).json())
            added = await publish_offer(a, world["other"], MEAL, [DISTRICT])
            assert added["id"] in offer_ids((await b.get(f"/needs/{need['id']}/matches")).json())
            r = await b.post("/matches/search", json={"text": "老人吃饭难", "region_code": COMM_A1})
            assert set(offer_ids(r.json())) == {*first[1:], added["id"]}
