"""The four reminders as periodic jobs (``due`` lists the items, ``apply`` sends one reminder).

``apply`` locks the item (a second runner skips it), checks that the reminder is still due and not
yet sent, records the reminder event and marks it sent in the same transaction: each is sent once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.deals.models import Milestone
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.notifications.repository import _significant
from exchange.opportunities.models import Opportunity
from exchange.reminders.repository import ReminderRepository
from exchange.tenders.models import Award

BID_DEADLINE_WITHIN = dt.timedelta(hours=24)
MILESTONE_WITHIN = dt.timedelta(days=3)
STANDSTILL_WITHIN = dt.timedelta(hours=24)
NEED_UNANSWERED_AFTER = dt.timedelta(days=7)


async def _claim(repo: ReminderRepository, kind: str, model: object, entity_id: uuid.UUID) -> object | None:
    item = await repo.lock(model, entity_id)
    if item is None or await repo.sent(kind, entity_id):
        return None
    return item


# -- a bid deadline within 24 h: to the organizations that bid ----------------------------------------

async def due_bid_deadlines(session: AsyncSession) -> Sequence[uuid.UUID]:
    return await ReminderRepository(session).due_bid_deadlines(now(), BID_DEADLINE_WITHIN)


async def remind_bid_deadline(session: AsyncSession, opportunity_id: uuid.UUID) -> bool:
    repo, at = ReminderRepository(session), now()
    opp = await _claim(repo, "bid_deadline", Opportunity, opportunity_id)
    if not isinstance(opp, Opportunity) or opp.status != "published" or opp.bid_deadline is None \
            or not at < opp.bid_deadline <= at + BID_DEADLINE_WITHIN:
        return False
    bidders = await repo.bidder_organizations(opp.id)
    if bidders:  # addressed to the bidders alone: the reminder reveals no bid to anyone else
        events.record(session, events.BidDeadlineReminder(
            opportunity_id=opp.id, bid_deadline=opp.bid_deadline, audience=events.Audience.only(organizations=bidders)))
    repo.mark_sent("bid_deadline", opp.id, at)
    await session.flush()
    return True


# -- a milestone due within 3 days: to the organization that delivers it --------------------------------

async def due_milestones(session: AsyncSession) -> Sequence[uuid.UUID]:
    return await ReminderRepository(session).due_milestones(now().date(), MILESTONE_WITHIN)


async def remind_milestone(session: AsyncSession, milestone_id: uuid.UUID) -> bool:
    repo, at = ReminderRepository(session), now()
    milestone = await _claim(repo, "milestone_due", Milestone, milestone_id)
    if not isinstance(milestone, Milestone) or milestone.status not in ("pending", "rejected"):
        return False
    deal = await repo.deal(milestone.deal_id)
    assert deal is not None
    events.record(session, events.MilestoneDueReminder(
        deal_id=deal.id, milestone_id=milestone.id, due_on=milestone.due_on,
        audience=events.Audience.only(organizations=[deal.organization_id])))
    repo.mark_sent("milestone_due", milestone.id, at)
    await session.flush()
    return True


# -- a standstill ending within 24 h: to the buyer ------------------------------------------------------

async def due_standstills(session: AsyncSession) -> Sequence[uuid.UUID]:
    return await ReminderRepository(session).due_standstills(now(), STANDSTILL_WITHIN)


async def remind_standstill(session: AsyncSession, award_id: uuid.UUID) -> bool:
    repo, at = ReminderRepository(session), now()
    award = await _claim(repo, "standstill_ending", Award, award_id)
    if not isinstance(award, Award) or award.status != "standstill":
        return False
    opp = await repo.opportunity(award.opportunity_id)
    assert opp is not None
    events.record(session, events.StandstillEndingReminder(
        award_id=award.id, opportunity_id=opp.id, standstill_ends_at=award.standstill_ends_at,
        audience=events.Audience.only(organizations=[opp.buyer_organization_id])))
    repo.mark_sent("standstill_ending", award.id, at)
    await session.flush()
    return True


# -- a need open for 7 days without a claim: to the managers of its district ----------------------------

async def due_unanswered_needs(session: AsyncSession) -> Sequence[uuid.UUID]:
    return await ReminderRepository(session).unanswered_needs(now() - NEED_UNANSWERED_AFTER)


async def remind_unanswered_need(session: AsyncSession, need_id: uuid.UUID) -> bool:
    repo, at = ReminderRepository(session), now()
    need = await _claim(repo, "need_unanswered", Need, need_id)
    if not isinstance(need, Need) or need.status != "open" or need.created_at > at - NEED_UNANSWERED_AFTER:
        return False
    district = need.region_code[:6]
    managers = [uid for uid, code in await repo.managers() if not code or _covers(code, district)]
    if managers:
        events.record(session, events.NeedUnansweredReminder(
            need_id=need.id, region_code=need.region_code, audience=events.Audience.only(users=managers)))
    repo.mark_sent("need_unanswered", need.id, at)
    await session.flush()
    return True


def _covers(manager_region: str, district: str) -> bool:
    """A manager of the district, or of a region above it (a city, a province)."""
    return district.startswith(_significant(manager_region)) or _significant(manager_region).startswith(district)
