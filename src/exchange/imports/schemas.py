"""Imports: response bodies."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class ImportError_(BaseModel):
    row: int | None = Field(description="The spreadsheet's row number (1 is the header row); null for the whole file")
    column: str | None = Field(description="The column letter (A, B, …); null for the whole row or file")
    code: str = Field(description="A stable machine word, e.g. unknown_category, formula_not_allowed")
    message: str = Field(description="What is wrong, in Chinese")


class ImportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    dry_run: bool
    status: str = Field(description="queued | running | succeeded | failed")
    filename: str
    rows_total: int
    rows_done: int
    created: int = Field(description="Rows created (in a dry run: rows a real run would create)")
    skipped: int = Field(description="Rows whose external_ref was imported before")
    errors: list[ImportError_]
    created_at: dt.datetime
    finished_at: dt.datetime | None
