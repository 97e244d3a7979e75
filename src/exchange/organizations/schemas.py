"""Organizations: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from exchange.organizations.models import Kind, LegalForm, OrgStatus, Registration

Codes = list[str]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=30, pattern=r"^[0-9+\-() ]{3,30}$")
    email: str | None = Field(default=None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(default=None, max_length=200)


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=200)
    kind: Kind
    legal_form: LegalForm | None = None
    registration: Registration | None = None
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)
    a_level: int = Field(default=0, ge=0, le=5)
    categories: Codes = Field(default_factory=list, max_length=15)
    service_region_codes: Codes = Field(default_factory=list, max_length=200)
    region_code: str | None = Field(default=None, max_length=32, description="Where it is based")
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_on: dt.date | None = None
    description: str | None = Field(default=None, max_length=5000)
    contact: Contact = Field(default_factory=Contact)


class OrganizationUpdate(BaseModel):
    """Every field optional; an organization's own users may not change its kind, registration,
    credit code, A-level or status (those are the registry's)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: Kind | None = None
    legal_form: LegalForm | None = None
    registration: Registration | None = None
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)
    a_level: int | None = Field(default=None, ge=0, le=5)
    categories: Codes | None = Field(default=None, max_length=15)
    service_region_codes: Codes | None = Field(default=None, max_length=200)
    region_code: str | None = Field(default=None, max_length=32)
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_on: dt.date | None = None
    description: str | None = Field(default=None, max_length=5000)
    contact: Contact | None = None
    status: OrgStatus | None = None


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: Kind
    legal_form: LegalForm | None
    registration: Registration | None
    credit_code: str | None
    a_level: int
    categories: Codes
    service_region_codes: Codes
    region_code: str | None
    member_count: int | None
    founded_on: dt.date | None
    description: str | None
    status: OrgStatus
    contact: Contact | None = Field(default=None, description="Only for signed-in users")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganizationList(BaseModel):
    items: list[OrganizationOut]
    next_cursor: str | None
