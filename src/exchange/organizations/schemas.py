"""Organizations: request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from exchange.organizations.models import FunctionType, Kind, LegalForm, OrgStatus, Registration

Codes = list[str]


ContactPerson = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
ContactPhone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30, pattern=r"^[0-9+\-() ]{3,30}$")]


def _founded_in_the_past(value: dt.date) -> dt.date:
    from exchange.kit.clock import now

    if value > now().date():
        raise ValueError("founded_on cannot be in the future")
    if value.year < 1800:
        raise ValueError("founded_on is too far in the past")
    return value


FoundedOn = Annotated[dt.date, AfterValidator(_founded_in_the_past)]


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: ContactPerson | None = None
    phone: ContactPhone | None = None
    email: str | None = Field(default=None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: str | None = Field(default=None, max_length=200)


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=2, max_length=200)
    kind: Kind
    legal_form: LegalForm | None = None
    registration: Registration | None = None
    function_type: FunctionType | None = Field(default=None,
                                               description="为民服务, 公益慈善, 文体娱乐, 社区事务, 居民互助 or other")
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)
    a_level: int = Field(default=0, ge=0, le=5)
    categories: Codes = Field(default_factory=list, max_length=15)
    service_region_codes: Codes = Field(default_factory=list, max_length=200)
    region_code: str | None = Field(default=None, max_length=32, description="Where it is based")
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_on: FoundedOn | None = None
    description: str | None = Field(default=None, max_length=5000)
    contact: Contact = Field(default_factory=Contact)
    contact_person: ContactPerson | None = Field(default=None, description="Kept as contact.person")
    contact_phone: ContactPhone | None = Field(default=None, description="Kept as contact.phone")


class OrganizationUpdate(BaseModel):
    """Every field optional; an organization's own users may not change its kind, registration,
    credit code, A-level or status (those are the registry's)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: Kind | None = None
    legal_form: LegalForm | None = None
    registration: Registration | None = None
    function_type: FunctionType | None = None
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)
    a_level: int | None = Field(default=None, ge=0, le=5)
    categories: Codes | None = Field(default=None, max_length=15)
    service_region_codes: Codes | None = Field(default=None, max_length=200)
    region_code: str | None = Field(default=None, max_length=32)
    member_count: int | None = Field(default=None, ge=0, le=10_000_000)
    founded_on: FoundedOn | None = None
    description: str | None = Field(default=None, max_length=5000)
    contact: Contact | None = None
    contact_person: ContactPerson | None = None
    contact_phone: ContactPhone | None = None
    status: OrgStatus | None = None

    @field_validator("name", "kind", "a_level", "categories", "service_region_codes", "contact", "status")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Omit a field to leave it unchanged; an explicit null would clear a column that may not be empty.
        if value is None:
            raise ValueError("may not be null (omit the field to leave it unchanged)")
        return value


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    kind: Kind
    legal_form: LegalForm | None
    registration: Registration | None
    function_type: FunctionType | None = None
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
    contact_person: str | None = Field(default=None, description="Only for signed-in users")
    contact_phone: str | None = Field(default=None, description="Only for signed-in users")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class OrganizationList(BaseModel):
    items: list[OrganizationOut]
    next_cursor: str | None


class DimensionBasis(BaseModel):
    inputs: dict[str, Any] = Field(description="The numbers the score was computed from")
    formula: str = Field(description="How the score follows from the inputs")


class RatingOut(BaseModel):
    organization_id: uuid.UUID
    stars: int = Field(ge=1, le=5, description="1–5 stars from the weighted mean of the four dimensions")
    overall: int = Field(ge=0, le=100, description="0.3 activity + 0.3 standardization + 0.2 coverage + 0.2 influence")
    activity: int = Field(ge=0, le=100, description="活跃度")
    standardization: int = Field(ge=0, le=100, description="规范化")
    coverage: int = Field(ge=0, le=100, description="覆盖率")
    influence: int = Field(ge=0, le=100, description="影响力")
    basis: dict[str, DimensionBasis] = Field(description="For each dimension: its inputs and formula")
    computed_at: dt.datetime


class Count(BaseModel):
    value: str | None
    count: int


class Breakdown(BaseModel):
    total: int
    by_kind: list[Count]
    by_legal_form: list[Count]
    by_registration: list[Count]


class CommunityBreakdown(Breakdown):
    region_code: str
    name: str
    parent_code: str | None


class FunctionTypeRow(BaseModel):
    """One community's organizations by function type (a row of the offices' table)."""

    region_code: str | None = Field(description="The community; null for the row of organizations outside any community")
    name: str
    counts: dict[str, int] = Field(description="Organizations per function type (every type, zeros included; "
                                               "`unspecified` for those without one)")
    total: int
    share: float = Field(description="This row's part of all organizations (0–1, 4 decimals)")


class FunctionTypeTable(BaseModel):
    """Communities × function types with totals and shares (社区社会组织培育基本情况统计表)."""

    columns: list[str] = Field(description="The function type codes, in column order")
    rows: list[FunctionTypeRow]
    totals: dict[str, int] = Field(description="Per function type, over every row")
    total: int
    column_shares: dict[str, float] = Field(description="Each function type's part of the total (0–1)")


class OrganizationStats(BaseModel):
    """Organizations by community and by kind, legal form and registration (the offices' table)."""

    all: Breakdown
    by_community: list[CommunityBreakdown] = Field(description="Every community, with the organizations based in it or under it")
    outside_communities: Breakdown = Field(description="Organizations based above community level or nowhere in the tree")
    by_community_and_function_type: FunctionTypeTable
