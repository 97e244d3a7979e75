"""Pieces of request bodies and list queries shared by the three lists."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, Field, StringConstraints

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6,32}$")]
TargetGroups = Annotated[list[Code], Field(max_length=12)]
RegionCodes = Annotated[list[RegionCode], Field(max_length=50)]


class Sort(enum.StrEnum):
    newest = "newest"
    deadline = "deadline"
    budget = "budget"
    price = "price"
    supporters = "supporters"


@dataclass
class ListFilters:
    """The query parameters every list takes (api.md, Conventions → Lists)."""

    status: str | None
    category: str | None
    region: str | None
    target_group: str | None
    q: str | None
    budget_min_fen: int | None
    budget_max_fen: int | None
    org_id: str | None
    updated_since: dt.datetime | None
    sort: Sort
    limit: int
    cursor: str | None


async def list_filters(
    status: Annotated[str | None, Query(max_length=20)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=32, description="Items at, under or containing this region")] = None,
    target_group: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text search (Chinese words)")] = None,
    budget_min_fen: Annotated[int | None, Query(ge=0, le=100_000_000_000)] = None,
    budget_max_fen: Annotated[int | None, Query(ge=0, le=100_000_000_000)] = None,
    org_id: Annotated[str | None, Query(max_length=36)] = None,
    updated_since: Annotated[dt.datetime | None, Query()] = None,
    sort: Annotated[Sort, Query()] = Sort.newest,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size (1–200)")] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> ListFilters:
    return ListFilters(status, category, region, target_group, q, budget_min_fen, budget_max_fen, org_id,
                       updated_since, sort, limit, cursor)


def json_response(body: BaseModel) -> Response:
    """The body serialized once, straight from the model (a list endpoint's hot path: no second
    validation of a response that was just built from validated rows)."""
    return Response(content=body.model_dump_json(), media_type="application/json")
