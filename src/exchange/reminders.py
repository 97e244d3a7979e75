"""The reminders of the contract, recorded as events by the job runner (each once per item):

- ``reminder.bid_deadline`` 24 h before an opportunity's bid deadline, to each organization that bid
  (a bid's events are its bidder's alone, so one event per bidder);
- ``reminder.milestone_due`` 3 days before a pending (or rejected, to be reported again) milestone's
  ``due_on``, to the organization;
- ``reminder.standstill_ending`` 1 day before an award's standstill ends, to the buyer;
- ``reminder.need_unanswered`` for an open need with no claim after 7 days, to the managers whose region
  covers its district (or who have no region: the whole exchange).

Each ``apply`` locks its item (``SKIP LOCKED``) and checks that the reminder was not recorded yet, so
several runners record it once (the ``due`` lists leave out what was reminded where the database can
compare the ids cheaply; ``apply`` is the check that counts)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import User
from exchange.deals.models import Deal, Milestone
from exchange.events.models import EventRow
from exchange.kit.clock import now
from exchange.needs.models import Need
from exchange.opportunities.models import Opportunity
from exchange.regions.service import covers
from exchange.tenders.models import Award, Bid

BID_DEADLINE_AHEAD = dt.timedelta(hours=24)
MILESTONE_AHEAD = dt.timedelta(days=3)
STANDSTILL_AHEAD = dt.timedelta(days=1)
NEED_UNANSWERED_AFTER = dt.timedelta(days=7)


def _not_reminded(type_: events.EventType, entity_id: object) -> object:
    return ~exists().where(EventRow.type == type_.value, EventRow.entity_id == entity_id)


async def _ids(session: AsyncSession, stmt: object) -> list[uuid.UUID]:
    return list((await session.execute(stmt)).scalars())  # type: ignore[call-overload]


async def _reminded(session: AsyncSession, type_: events.EventType, entity_id: uuid.UUID) -> bool:
    stmt = select(EventRow.id).where(EventRow.type == type_.value, EventRow.entity_id == str(entity_id)).limit(1)
    return (await session.execute(stmt)).first() is not None


# -- bid deadlines ------------------------------------------------------------------------------------

def _bid_deadline_soon(at: dt.datetime) -> tuple[object, ...]:
    return (Opportunity.status == "published", Opportunity.bid_deadline > at,
            Opportunity.bid_deadline <= at + BID_DEADLINE_AHEAD)


async def bid_deadlines_due(session: AsyncSession) -> list[uuid.UUID]:
    stmt = (select(Opportunity.id).where(*_bid_deadline_soon(now()),
                                         _not_reminded(events.EventType.reminder_bid_deadline,
                                                       Opportunity.id.cast(EventRow.entity_id.type)))
            .order_by(Opportunity.bid_deadline))
    return await _ids(session, stmt)


async def remind_bid_deadline(session: AsyncSession, opportunity_id: uuid.UUID) -> bool:
    stmt = (select(Opportunity).where(Opportunity.id == opportunity_id, *_bid_deadline_soon(now()))
            .with_for_update(skip_locked=True))
    opp = (await session.execute(stmt)).scalar_one_or_none()
    if opp is None or opp.bid_deadline is None or await _reminded(session, events.EventType.reminder_bid_deadline, opp.id):
        return False
    bidders = (await session.execute(select(Bid.organization_id).where(
        Bid.opportunity_id == opp.id, Bid.status == "submitted").order_by(Bid.organization_id))).scalars().all()
    for org_id in bidders:
        events.record(session, events.BidDeadlineReminder(opportunity_id=opp.id, bid_deadline=opp.bid_deadline,
                                                          audience=events.Audience.only(organizations=[org_id])))
    if not bidders:  # nothing to tell, but remembered so that it is not looked at again
        events.record(session, events.BidDeadlineReminder(opportunity_id=opp.id, bid_deadline=opp.bid_deadline,
                                                          audience=events.Audience.only()))
    return True


# -- milestones ----------------------------------------------------------------------------------------

def _milestone_soon(at: dt.datetime) -> tuple[object, ...]:
    return (Milestone.status.in_(("pending", "rejected")), Milestone.due_on <= (at + MILESTONE_AHEAD).date(),
            Milestone.due_on >= at.date())


async def milestones_due(session: AsyncSession) -> list[uuid.UUID]:
    stmt = (select(Milestone.id).join(Deal, Deal.id == Milestone.deal_id)
            .where(Deal.status == "active", *_milestone_soon(now())).order_by(Milestone.due_on))
    return await _ids(session, stmt)


async def remind_milestone(session: AsyncSession, milestone_id: uuid.UUID) -> bool:
    stmt = select(Milestone).where(Milestone.id == milestone_id, *_milestone_soon(now())).with_for_update(skip_locked=True)
    ms = (await session.execute(stmt)).scalar_one_or_none()
    if ms is None:
        return False
    deal = await session.get(Deal, ms.deal_id)
    if deal is None or deal.status != "active":
        return False
    done = select(EventRow.id).where(EventRow.type == events.EventType.reminder_milestone_due.value,
                                     EventRow.entity_id == str(deal.id))
    for row in (await session.execute(select(EventRow).where(EventRow.id.in_(done)))).scalars():
        if row.data.get("milestone_id") == str(ms.id):
            return False
    events.record(session, events.MilestoneDueReminder(deal_id=deal.id, milestone_id=ms.id, due_on=ms.due_on,
                                                       audience=events.Audience.only(organizations=[deal.organization_id])))
    return True


# -- standstills ---------------------------------------------------------------------------------------

def _standstill_soon(at: dt.datetime) -> tuple[object, ...]:
    return (Award.status == "standstill", Award.standstill_ends_at > at, Award.standstill_ends_at <= at + STANDSTILL_AHEAD)


async def standstills_ending(session: AsyncSession) -> list[uuid.UUID]:
    stmt = select(Award.id).where(*_standstill_soon(now()), _not_reminded(
        events.EventType.reminder_standstill_ending, Award.id.cast(EventRow.entity_id.type))).order_by(Award.standstill_ends_at)
    return await _ids(session, stmt)


async def remind_standstill(session: AsyncSession, award_id: uuid.UUID) -> bool:
    stmt = select(Award).where(Award.id == award_id, *_standstill_soon(now())).with_for_update(skip_locked=True)
    award = (await session.execute(stmt)).scalar_one_or_none()
    if award is None or await _reminded(session, events.EventType.reminder_standstill_ending, award.id):
        return False
    opp = await session.get(Opportunity, award.opportunity_id)
    events.record(session, events.StandstillEndingReminder(
        award_id=award.id, opportunity_id=award.opportunity_id, standstill_ends_at=award.standstill_ends_at,
        audience=events.Audience.only(organizations=[opp.buyer_organization_id if opp else None])))
    return True


# -- needs ---------------------------------------------------------------------------------------------

def _unanswered(at: dt.datetime) -> tuple[object, ...]:
    return (Need.status == "open", Need.created_at <= at - NEED_UNANSWERED_AFTER)


async def needs_unanswered(session: AsyncSession) -> list[uuid.UUID]:
    stmt = (select(Need.id).where(*_unanswered(now()), _not_reminded(
        events.EventType.reminder_need_unanswered, Need.id.cast(EventRow.entity_id.type))).order_by(Need.created_at))
    return await _ids(session, stmt)


async def remind_need(session: AsyncSession, need_id: uuid.UUID) -> bool:
    stmt = select(Need).where(Need.id == need_id, *_unanswered(now())).with_for_update(skip_locked=True)
    need = (await session.execute(stmt)).scalar_one_or_none()
    if need is None or await _reminded(session, events.EventType.reminder_need_unanswered, need.id):
        return False
    rows = (await session.execute(select(User.id, User.region_code).where(
        and_(User.role == "manager", User.is_active.is_(True))).order_by(User.id))).all()
    district = need.region_code[:6]
    managers = [uid for uid, code in rows if not code or covers(code, district)]
    events.record(session, events.NeedUnansweredReminder(need_id=need.id, region_code=need.region_code,
                                                         audience=events.Audience.only(users=managers)))
    return True
