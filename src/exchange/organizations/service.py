"""The organizations registry's rules."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, forbidden, invalid, not_found
from exchange.organizations import credit_code
from exchange.organizations.models import Kind, LegalForm, Organization, Registration
from exchange.organizations.repository import OrganizationRepository
from exchange.organizations.schemas import OrganizationList, OrganizationOut
from exchange.regions.repository import RegionRepository
from exchange.regions.service import ensure_regions_exist
from exchange.vocabularies.service import ensure_codes

# What an organization's own users may change in their profile; the rest is the registry's.
SELF_EDITABLE = {"name", "categories", "service_region_codes", "member_count", "founded_on", "description", "contact",
                 "contact_person", "contact_phone", "region_code", "legal_form", "function_type"}


def _fold_contact(data: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """``contact_person`` / ``contact_phone`` are the contact's ``person`` / ``phone``: one place holds them."""
    person, phone = data.pop("contact_person", None), data.pop("contact_phone", None)
    if person is None and phone is None:
        return data
    contact = dict(data.get("contact") or current or {})
    if person is not None:
        contact["person"] = person
    if phone is not None:
        contact["phone"] = phone
    return {**data, "contact": contact}


def present(org: Organization, *, signed_in: bool) -> OrganizationOut:
    """The read model; contact details only for signed-in readers."""
    out = OrganizationOut.model_validate(org)
    if not signed_in:
        out.contact = None
    else:
        out.contact_person, out.contact_phone = (org.contact or {}).get("person"), (org.contact or {}).get("phone")
    return out


async def list_page(session: AsyncSession, user: User | None, *, kind: str | None = None,
                    registration: str | None = None, min_a_level: int | None = None, region: str | None = None,
                    q: str | None = None, limit: int = 20, cursor: str | None = None) -> OrganizationList:
    """One page of the registry by name (``region``: based in it or under it): the API's list and the portal's."""
    region_codes = None
    if region is not None:
        region_codes = [r.code for r in await RegionRepository(session).subtree(region)]
    page = await OrganizationRepository(session).page(
        kind=kind, registration=registration, min_a_level=min_a_level, region_codes=region_codes, q=q,
        limit=limit, cursor=cursor,
    )
    return OrganizationList(items=[present(o, signed_in=user is not None) for o in page.items],
                            next_cursor=page.next_cursor)


def _check_consistency(data: dict[str, Any]) -> None:
    kind, legal_form, registration, code = data["kind"], data.get("legal_form"), data.get("registration"), data.get("credit_code")
    if code is not None and not credit_code.is_valid(code):
        raise invalid(["body", "credit_code"], "统一社会信用代码无效（校验位不符或含非法字符）",
                      "The unified social credit code is invalid (check character or alphabet)", code="invalid_credit_code")
    if kind == Kind.social_org and registration is None:
        raise invalid(["body", "registration"], "社会组织须注明登记或备案情况",
                      "A social organization must state its registration", code="registration_required")
    if registration == Registration.registered and code is None:
        raise invalid(["body", "credit_code"], "登记注册的组织必须提供统一社会信用代码",
                      "A registered organization needs its unified social credit code", code="credit_code_required")
    if registration == Registration.registered and legal_form == LegalForm.filed:
        raise invalid(["body", "legal_form"], "登记注册的组织不能是备案形式",
                      "A registered organization cannot have the legal form 'filed'", code="legal_form_mismatch")
    filed = (Registration.subdistrict_filed, Registration.community_filed)
    if registration in filed and legal_form not in (None, LegalForm.filed):
        raise invalid(["body", "legal_form"], "备案组织的组织形式应为「备案」",
                      "A filed organization has the legal form 'filed'", code="legal_form_mismatch")


async def _check_references(session: AsyncSession, data: dict[str, Any], org_id: uuid.UUID | None) -> None:
    await ensure_codes(session, "category", data.get("categories") or [], ["body", "categories"])
    regions = list(data.get("service_region_codes") or [])
    if data.get("region_code"):
        regions.append(data["region_code"])
    await ensure_regions_exist(session, regions, ["body", "service_region_codes"])
    code = data.get("credit_code")
    if code is not None:
        other = await OrganizationRepository(session).by_credit_code(code)
        if other is not None and other.id != org_id:
            raise ExchangeError("credit_code_taken", 409, "该统一社会信用代码已被其他组织使用",
                                "Another organization has this credit code")


async def create(session: AsyncSession, *, actor_id: uuid.UUID | None, data: dict[str, Any]) -> Organization:
    data = _fold_contact(dict(data), None)
    data = {**data, "contact": data.get("contact") or {}}
    _check_consistency(data)
    await _check_references(session, data, None)
    repo = OrganizationRepository(session)
    org = repo.add(Organization(id=uuid.uuid4(), status="active", **data))
    await repo.flush()
    audit.record(session, actor_id=actor_id, action="organization.created", entity_type="organization",
                 entity_id=org.id, summary={"name": org.name, "kind": org.kind}, public=True)
    return org


def may_edit(user: User, org: Organization) -> bool:
    return user.role == Role.admin or (user.organization_id == org.id and user.role in (Role.org, Role.buyer, Role.community))


async def update(session: AsyncSession, *, user: User, org: Organization, changes: dict[str, Any]) -> Organization:
    """Apply a PATCH: admins change anything; an organization's own users only its profile."""
    if not may_edit(user, org):
        raise forbidden("只能修改本组织的资料", "You may only edit your own organization", code="not_your_organization")
    if user.role != Role.admin:
        locked = sorted(set(changes) - SELF_EDITABLE)
        if locked:
            raise forbidden(f"这些字段由登记管理方维护：{'、'.join(locked)}",
                            f"These fields are kept by the registry: {', '.join(locked)}", code="registry_field")
    changes = _fold_contact(dict(changes), org.contact)
    merged = {c: getattr(org, c) for c in ("kind", "legal_form", "registration", "credit_code")} | changes
    _check_consistency(merged)
    await _check_references(session, changes, org.id)
    before = {k: getattr(org, k) for k in changes}
    for key, value in changes.items():
        setattr(org, key, value)
    await session.flush()
    audit.record(session, actor_id=user.id, action="organization.updated", entity_type="organization", entity_id=org.id,
                 summary={"changed": {k: {"from": before[k], "to": changes[k]} for k in changes if k != "contact"}},
                 public=True)
    return org


async def get_or_404(session: AsyncSession, org_id: uuid.UUID) -> Organization:
    org = await OrganizationRepository(session).get(org_id)
    if org is None:
        raise not_found("organization")
    return org


async def social_recipient(session: AsyncSession, org_id: uuid.UUID, field: str = "organization_id") -> Organization:
    """The active social organization money is to go to (a seed grant, a crowdfunded project); 422 otherwise."""
    org = await OrganizationRepository(session).get(org_id)
    if org is None:
        raise invalid(["body", field], "organization 不存在", "Unknown organization", code="unknown_organization")
    if org.kind != Kind.social_org or org.status != "active":
        raise invalid(["body", field], "资金只能给在册的社会组织", "The money goes to active social organizations",
                      code="not_a_social_organization")
    return org
