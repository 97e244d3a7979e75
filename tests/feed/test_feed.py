"""The event feed: order, visibility, cursors, long-polling, the SSE stream, and gap-free reading
while many writers commit at once (PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.builders import make_org_user
from tests.feed.helpers import serving, write_offer_event


async def _all(client: AsyncClient, headers: dict[str, str] | None = None, after: str = "0") -> tuple[list[dict], str]:
    page = (await client.get(f"/events?after={after}&types=offer.published", headers=headers or {})).json()
    return page["items"], page["next_cursor"]


async def test_public_events_for_everyone_addressed_ones_for_their_readers(app: FastAPI, client: AsyncClient) -> None:
    mine, org = await make_org_user(app, "org")
    other, _ = await make_org_user(app, "org")
    await write_offer_event(app, title="公开")
    await write_offer_event(app, title="只给一个组织", organizations=[org.id], public=False)
    await write_offer_event(app, title="公开二")

    anonymous, cursor = await _all(client)
    assert [e["data"]["title"] for e in anonymous] == ["公开", "公开二"]
    assert [e["data"]["title"] for e in (await _all(client, mine.headers))[0]] == ["公开", "只给一个组织", "公开二"]
    assert [e["data"]["title"] for e in (await _all(client, other.headers))[0]] == ["公开", "公开二"]
    ids = [int(e["id"]) for e in anonymous]
    assert ids == sorted(ids) and int(cursor) >= ids[-1]
    assert set(anonymous[0]) == {"id", "type", "occurred_at", "entity_type", "entity_id", "data"}
    assert anonymous[0]["type"] == "offer.published" and anonymous[0]["entity_type"] == "offer"

    assert (await _all(client, after=cursor))[0] == []  # nothing new: the cursor stands
    await write_offer_event(app, title="之后")
    assert [e["data"]["title"] for e in (await _all(client, after=cursor))[0]] == ["之后"]


async def test_bad_parameters(app: FastAPI, client: AsyncClient) -> None:
    assert (await client.get("/events?after=abc")).json()["code"] == "invalid_cursor"
    assert (await client.get("/events?types=offer.eaten")).json()["code"] == "unknown_event_type"
    assert (await client.get("/events?wait=31")).status_code == 422
    assert (await client.get("/events", headers={"Authorization": "Bearer nope"})).status_code == 401


async def test_wait_answers_when_an_event_comes(app: FastAPI, client: AsyncClient) -> None:
    _, cursor = await _all(client)

    async def later() -> None:
        await asyncio.sleep(0.5)
        await write_offer_event(app, title="等到了")

    writer = asyncio.create_task(later())
    page = (await client.get(f"/events?after={cursor}&wait=10")).json()
    await writer
    assert [e["data"]["title"] for e in page["items"]] == ["等到了"]


async def test_wait_gives_up_with_an_empty_page(app: FastAPI, client: AsyncClient) -> None:
    _, cursor = await _all(client)
    page = (await client.get(f"/events?after={cursor}&wait=1")).json()
    assert page == {"items": [], "next_cursor": cursor}


async def test_the_stream_resumes_after_last_event_id(app: FastAPI) -> None:
    for title in ("一", "二", "三"):
        await write_offer_event(app, title=title)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=120) as http:
        first = (await http.get("/events?types=offer.published")).json()["items"]
        seen: list[dict] = []
        async with http.stream("GET", "/events/stream?types=offer.published",
                               headers={"Last-Event-ID": first[0]["id"]}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            later = asyncio.create_task(write_offer_event(app, title="四"))
            event_id = None
            async for line in stream.aiter_lines():
                if line.startswith("id:"):
                    event_id = line[3:].strip()
                elif line.startswith("data:"):
                    item = json.loads(line[5:].strip())
                    assert item["id"] == event_id
                    seen.append(item)
                    if len(seen) == 3:
                        break
            await later
    assert [e["data"]["title"] for e in seen] == ["二", "三", "四"]


@pytest.mark.pg_only
async def test_a_reader_sees_every_event_once_in_order_while_200_are_written_concurrently(
        app: FastAPI, client: AsyncClient) -> None:
    _, cursor = await _all(client)
    total, writers = 200, 10

    async def writer(n: int) -> None:
        for i in range(total // writers):
            await write_offer_event(app, title=f"w{n}-{i}")

    tasks = [asyncio.create_task(writer(n)) for n in range(writers)]
    seen: list[dict] = []
    deadline = time.monotonic() + 120
    while len(seen) < total and time.monotonic() < deadline:
        page = (await client.get(f"/events?after={cursor}&types=offer.published&limit=7")).json()
        seen += page["items"]
        cursor = page["next_cursor"]
    await asyncio.gather(*tasks)
    seen += (await client.get(f"/events?after={cursor}&types=offer.published&limit=200")).json()["items"]
    titles = [e["data"]["title"] for e in seen]
    assert len(titles) == total and len(set(titles)) == total  # every event, exactly once
    ids = [int(e["id"]) for e in seen]
    assert ids == sorted(ids)  # in order
    for n in range(writers):  # and each writer's events in the order it committed them
        mine = [t for t in titles if t.startswith(f"w{n}-")]
        assert mine == [f"w{n}-{i}" for i in range(total // writers)]
