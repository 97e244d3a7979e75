"""Need rules: posting, 附议, 揭榜 (claim → fulfil → confirm with points), withdrawal, conversion."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.deps import unauthenticated
from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.chinese.analysis import analyse_for_storage
from exchange.errors import ExchangeError, invalid, invalid_state, not_found
from exchange.kit.clock import now
from exchange.listings import validation
from exchange.listings.permissions import authorize
from exchange.listings.schemas import ListFilters
from exchange.listings.states import permission_for, transition
from exchange.needs.models import Need, NeedSupport
from exchange.needs.repository import NeedRepository
from exchange.needs.schemas import NeedList, NeedOut, need_out
from exchange.needs.states import CLAIMANT_ACTIONS, CLAIMED, OPEN, TRANSITIONS
from exchange.organizations.repository import OrganizationRepository
from exchange.points import service as points
from exchange.privacy import redaction
from exchange.skills import service as skills


def already_supported() -> ExchangeError:
    return ExchangeError("already_supported", 409, "您已附议过这条需求", "You have already supported this need")


def is_requester(user: User, need: Need) -> bool:
    if user.role == Role.community:
        return user.organization_id is not None and need.on_behalf_organization_id == user.organization_id
    return need.requester_id == user.id


def is_claimant(user: User, need: Need) -> bool:
    if need.claimant_user_id == user.id:
        return True
    return (user.role == Role.org and user.organization_id is not None
            and need.claimant_organization_id == user.organization_id)


def owns(user: User, need: Need, action: str) -> bool:
    return is_claimant(user, need) if action in CLAIMANT_ACTIONS else is_requester(user, need)


async def get_or_404(session: AsyncSession, need_id: uuid.UUID, *, lock: bool = False) -> Need:
    repo = NeedRepository(session)
    need = await (repo.get_for_update(need_id) if lock else repo.get(need_id))
    if need is None:
        raise not_found("need")
    return need


def present(need: Need, reader: User | None) -> NeedOut:
    """The need as ``reader`` may see it (None: an anonymous visitor): every read of a need — the API's
    list and detail, the portal's pages — goes through here (personal data only for its requester, claimant,
    community and staff: :mod:`exchange.privacy.redaction`)."""
    return need_out(need, reader)


async def list_page(session: AsyncSession, user: User | None, f: ListFilters, *, mine: bool = False) -> NeedList:
    """One page of needs (open ones by default; ``mine``: the user's own in every status): the API's list and
    the portal's."""
    org_id = validation.check_filters(f)
    if mine and user is None:
        raise unauthenticated("需要登录", "Authentication required")
    status = f.status or (None if mine else "open")
    page = await NeedRepository(session).page(f, status=status, org_id=org_id,
                                              requester_id=user.id if mine and user is not None else None)
    return NeedList(items=[present(n, user) for n in page.items], next_cursor=page.next_cursor)


async def _default_region(session: AsyncSession, user: User) -> str:
    if user.region_code:
        return user.region_code
    if user.organization_id is not None:
        org = await OrganizationRepository(session).get(user.organization_id)
        if org is not None and org.region_code:
            return org.region_code
    raise invalid(["body", "region_code"], "请填写需求所在的区域", "Give the region of the need", code="region_required")


async def _index(session: AsyncSession, need: Need) -> None:
    need.search_text = await NeedRepository(session).index.sync(
        need.id, [need.region_code], need.target_groups, need.title, need.description)
    need.match_analysis = analyse_for_storage(need.title, need.description)


async def create(session: AsyncSession, *, user: User, data: dict[str, Any]) -> Need:
    """A resident posts a need for themself; a community committee for its residents (社区代发)."""
    authorize(user, "need.create", own=user.role in (Role.resident, Role.community))
    data = dict(data)
    data["region_code"] = data.get("region_code") or await _default_region(session, user)
    await validation.check_codes(session, category=data.get("category"), target_groups=data["target_groups"],
                                 region_codes=[data["region_code"]], region_loc="region_code")
    need = Need(id=uuid.uuid4(), requester_id=user.id, status=OPEN, supporters=0, **data)
    if user.role == Role.community:
        need.on_behalf_organization_id = user.organization_id
    NeedRepository(session).add(need)
    await _index(session, need)
    await session.flush()
    audit.record(session, actor_id=user.id, action="need.created", entity_type="need", entity_id=need.id,
                 summary={"title": need.title, "region_code": need.region_code}, public=True)
    # a public event: the title as the public reads it (house and phone numbers masked)
    events.record(session, events.NeedPublished(need_id=need.id, title=redaction.mask_text(need.title) or "",
                                                region_code=need.region_code,
                                                audience=_requesters(need)))
    return need


async def update(session: AsyncSession, *, user: User, need: Need, changes: dict[str, Any]) -> Need:
    authorize(user, permission_for(TRANSITIONS, "update"), owns(user, need, "update"))
    transition(TRANSITIONS, "need", need.status, "update")
    if "region_code" in changes and changes["region_code"] is None:
        changes.pop("region_code")
    await validation.check_codes(session, category=changes.get("category"), target_groups=changes.get("target_groups") or [],
                                 region_codes=[changes["region_code"]] if "region_code" in changes else [],
                                 region_loc="region_code")
    for key, value in changes.items():
        setattr(need, key, value)
    await _index(session, need)
    await session.flush()
    audit.record(session, actor_id=user.id, action="need.updated", entity_type="need", entity_id=need.id,
                 summary={"changed": sorted(changes)}, public=True)
    return need


async def act(session: AsyncSession, *, user: User, need_id: uuid.UUID, action: str,
              skill_id: uuid.UUID | None = None) -> Need:
    """One move of the need's state machine, on the locked row: of two concurrent claims, the
    second waits for the first to commit, then finds the need claimed (409 ``need_claimed``)."""
    need = await get_or_404(session, need_id, lock=True)
    authorize(user, permission_for(TRANSITIONS, action), owns(user, need, action))
    step = transition(TRANSITIONS, "need", need.status, action)
    before = need.status
    summary: dict[str, Any] = {"from": before, "to": step.to}
    if action == "support":
        await _support(session, user, need)
        summary["supporters"] = need.supporters
    elif action == "claim":
        need.claimant_user_id, need.claimed_at = user.id, now()
        need.claimant_organization_id = user.organization_id if user.role == Role.org else None
        if skill_id is not None:
            need.claimed_skill_id = (await skills.claimable(session, user=user, skill_id=skill_id)).id
            summary["skill_id"] = str(skill_id)
    elif action == "release":
        need.claimant_user_id = need.claimant_organization_id = need.claimed_at = need.claimed_skill_id = None
    elif action == "fulfil":
        need.fulfilled_at = now()
    elif action == "confirm":
        need.confirmed_at = now()
    need.status = step.to
    await session.flush()
    if action == "confirm" and need.claimant_user_id is not None:
        entry = await points.credit_for_need(
            session, user_id=need.claimant_user_id, need_id=need.id, amount=need.points,
            reason=f"需求「{need.title}」已确认完成", actor_id=user.id)
        summary["points"] = entry.amount if entry is not None else 0
    audit.record(session, actor_id=user.id, action=f"need.{action}", entity_type="need", entity_id=need.id,
                 summary=summary, public=True)
    _record_event(session, need, action)
    return need


def _requesters(need: Need) -> events.Audience:
    """Public; addressed to whoever asked (the resident, or the committee that posted for them)."""
    return events.Audience.everyone(users=[need.requester_id], organizations=[need.on_behalf_organization_id])


def _record_event(session: AsyncSession, need: Need, action: str) -> None:
    claimant = need.claimant_organization_id
    if action == "claim":
        events.record(session, events.NeedClaimed(need_id=need.id, organization_id=claimant, audience=_requesters(need)))
    elif action == "fulfil":
        events.record(session, events.NeedFulfilled(need_id=need.id, organization_id=claimant, audience=_requesters(need)))
    elif action == "confirm":
        events.record(session, events.NeedConfirmed(
            need_id=need.id, organization_id=claimant,
            audience=events.Audience.everyone(users=[need.claimant_user_id], organizations=[claimant])))


async def _support(session: AsyncSession, user: User, need: Need) -> None:
    repo = NeedRepository(session)
    if await repo.support_of(need.id, user.id) is not None:
        raise already_supported()
    session.add(NeedSupport(id=uuid.uuid4(), need_id=need.id, user_id=user.id))
    need.supporters += 1


async def load_open(session: AsyncSession, need_ids: list[uuid.UUID]) -> list[Need]:
    """The needs, locked, in the order given: 422 for an unknown id, 409 for one that is not open."""
    ids = list(dict.fromkeys(need_ids))
    needs = {n.id: n for n in await NeedRepository(session).many_for_update(ids)}
    for i, need_id in enumerate(ids):
        if need_id not in needs:
            raise invalid(["body", "need_ids", i], f"需求不存在：{need_id}", f"No such need: {need_id}",
                          code="need_not_found")
        transition(TRANSITIONS, "need", needs[need_id].status, "convert")
    return [needs[i] for i in ids]


async def mark_converted(session: AsyncSession, *, user: User, needs: list[Need], opportunity_id: uuid.UUID) -> None:
    """以需定供: the needs now belong to the opportunity."""
    for need in needs:
        need.status = transition(TRANSITIONS, "need", need.status, "convert").to
        need.opportunity_id = opportunity_id
        audit.record(session, actor_id=user.id, action="need.converted", entity_type="need", entity_id=need.id,
                     summary={"opportunity_id": str(opportunity_id)}, public=True)
    await session.flush()


async def anonymize(session: AsyncSession, need: Need, *, title: str, description: str) -> None:
    """Replace the need's text (its requester erased their data): re-indexed so search forgets the
    old words; an open need is withdrawn, since nobody is left to answer for it."""
    need.title, need.description = title, description
    if need.status == OPEN:
        need.status = transition(TRANSITIONS, "need", need.status, "withdraw").to
    await _index(session, need)
    await session.flush()
    audit.record(session, actor_id=None, action="need.anonymized", entity_type="need", entity_id=need.id,
                 summary={"status": need.status}, public=True)


async def take_on_for_deal(session: AsyncSession, *, need_id: uuid.UUID, organization_id: uuid.UUID,
                           actor_id: uuid.UUID) -> Need:
    """A brokered deal answers the need: an open need is claimed by the deal's organization (so
    residents can no longer claim it); one that organization already claimed stays as it is; any
    other state is 409 with the state's code."""
    need = await get_or_404(session, need_id, lock=True)
    if need.status == CLAIMED and need.claimant_organization_id == organization_id:
        return need
    step = transition(TRANSITIONS, "need", need.status, "claim") if need.status == OPEN else None
    if step is None:
        raise invalid_state("need", need.status, "broker")
    need.status, need.claimed_at = step.to, now()
    need.claimant_user_id, need.claimant_organization_id = None, organization_id
    await session.flush()
    audit.record(session, actor_id=actor_id, action="need.claim", entity_type="need", entity_id=need.id,
                 summary={"from": OPEN, "to": step.to, "by": "deal", "organization_id": str(organization_id)},
                 public=True)
    _record_event(session, need, "claim")
    return need
