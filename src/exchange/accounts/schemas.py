"""Accounts: request and response bodies."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Annotated

from confusable_homoglyphs import categories, confusables
from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field

from exchange.accounts.models import Role

# Scripts a username may be written in: Latin letters, Chinese characters, and digits and
# punctuation (COMMON). Cyrillic or Greek letters that look like Latin ones (``аdmin`` with a
# Cyrillic а) are how one account impersonates another.
USERNAME_SCRIPTS = {"LATIN", "HAN", "COMMON"}


def normalize_username(value: str) -> str:
    """NFKC (full-width → ASCII), trimmed, case-folded; refuses spaces, control characters and
    look-alike scripts."""
    value = unicodedata.normalize("NFKC", value).strip().casefold()
    if any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        raise ValueError("a username may not contain spaces or control characters")
    scripts = categories.unique_aliases(value) if value else set()
    if not scripts <= USERNAME_SCRIPTS or confusables.is_dangerous(value, preferred_aliases=["latin"]):
        raise ValueError("a username may use Latin letters, Chinese characters, digits and . _ - only "
                         "(look-alike letters of other scripts are refused)")
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


Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{4,30}$", max_length=32,
                             description="A mobile or landline number (digits, spaces, dashes, a leading +)")]
RegionCodeIn = Annotated[str, Field(min_length=2, max_length=32)]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    organization_id: uuid.UUID | None
    region_code: str | None


class UserAdminOut(UserOut):
    """A user as administrators see it."""

    active: bool = Field(validation_alias=AliasChoices("is_active", "active"))
    must_change_password: bool
    phone: str | None
    created_at: dt.datetime
    version: int


class UserPasswordReset(UserAdminOut):
    temporary_password: str = Field(description="Shown once; the user must change it at the next login")


class UserList(BaseModel):
    items: list[UserAdminOut]
    next_cursor: str | None


class UserBrief(BaseModel):
    """What buyers and managers see of an expert when composing a panel."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    username: str
    display_name: str
    role: Role


class UserBriefList(BaseModel):
    items: list[UserBrief]
    next_cursor: str | None


class UserUpdate(BaseModel):
    """Every field optional; ``organization_id`` and ``region_code`` may be set to null."""

    model_config = ConfigDict(extra="forbid")
    display_name: DisplayName | None = None
    role: Role | None = None
    organization_id: uuid.UUID | None = None
    region_code: RegionCodeIn | None = None
    phone: Phone | None = None
    active: bool | None = None


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    temporary_password: Password | None = Field(default=None, description="Generated when omitted")


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: DisplayName | None = None
    region_code: RegionCodeIn | None = None
    phone: Phone | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class Me(UserOut):
    points_balance: int = Field(description="幸福积分 balance: the sum of the user's points entries")
    phone: str | None = None
    must_change_password: bool = Field(
        default=False, description="Set by an administrator's reset: only `POST /me/password` works until it is done")
