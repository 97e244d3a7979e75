"""Vocabularies: response and request bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Term(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    zh: str
    en: str


class Vocabularies(BaseModel):
    categories: list[Term]
    target_groups: list[Term]


class TermCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["category", "target_group"]
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    zh: str = Field(min_length=1, max_length=50)
    en: str = Field(min_length=1, max_length=80)
