"""Accounts: request and response bodies."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from exchange.accounts.models import Role


def normalize_username(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip().lower()
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        raise ValueError("a username may not contain spaces or control characters")
    return value


Username = Annotated[str, Field(min_length=3, max_length=64), AfterValidator(normalize_username)]
Password = Annotated[str, Field(min_length=8, max_length=256, description="At least 8 characters")]
DisplayName = Annotated[str, Field(min_length=1, max_length=100)]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    password: Password
    display_name: DisplayName
    region_code: str = Field(min_length=2, max_length=32)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    password: Password
    role: Role
    display_name: DisplayName | None = None
    organization_id: uuid.UUID | None = None
    region_code: str | None = Field(default=None, min_length=2, max_length=32)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    organization_id: uuid.UUID | None
    region_code: str | None


class Me(UserOut):
    points_balance: int = Field(description="幸福积分 balance: the sum of the user's points entries")
