"""The domain events: their names (``api.md`` → "Events, notifications, webhooks"), who they are for,
and one typed class per name.

An event says what happened, once, in the transaction that made it happen::

    from exchange import events

    events.record(session, events.NeedClaimed(need_id=need.id, organization_id=org_id,
                                              audience=events.Audience.everyone(users=[need.requester_id])))

``data`` (what the feed and webhooks show) is every field of the class except ``audience``, as JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar


class EventType(enum.StrEnum):
    opportunity_published = "opportunity.published"
    opportunity_amended = "opportunity.amended"
    opportunity_bidding_closed = "opportunity.bidding_closed"
    opportunity_cancelled = "opportunity.cancelled"
    bid_submitted = "bid.submitted"
    bid_withdrawn = "bid.withdrawn"
    award_published = "award.published"
    objection_filed = "objection.filed"
    objection_resolved = "objection.resolved"
    award_final = "award.final"
    award_cancelled = "award.cancelled"
    deal_signed = "deal.signed"
    milestone_reported = "milestone.reported"
    milestone_accepted = "milestone.accepted"
    milestone_rejected = "milestone.rejected"
    payment_made = "payment.made"
    deal_delivered = "deal.delivered"
    deal_evaluated = "deal.evaluated"
    deal_closed = "deal.closed"
    deal_terminated = "deal.terminated"
    offer_published = "offer.published"
    need_published = "need.published"
    need_claimed = "need.claimed"
    need_fulfilled = "need.fulfilled"
    need_confirmed = "need.confirmed"
    campaign_funded = "campaign.funded"
    campaign_ended = "campaign.ended"
    document_added = "document.added"
    question_asked = "question.asked"
    question_answered = "question.answered"
    proposal_advanced = "proposal.advanced"
    import_finished = "import.finished"
    reminder_bid_deadline = "reminder.bid_deadline"
    reminder_milestone_due = "reminder.milestone_due"
    reminder_standstill_ending = "reminder.standstill_ending"
    reminder_need_unanswered = "reminder.need_unanswered"


@dataclass(frozen=True)
class Audience:
    """Who an event is for.

    ``public``: anyone may read it (the anonymous feed). ``user_ids`` / ``organization_ids``: the
    parties it is addressed to — they are the ones notified, and for an event that is not public
    they are its only readers (a bid's events go to its bidder's organization alone until the close).
    """

    public: bool = False
    user_ids: frozenset[uuid.UUID] = frozenset()
    organization_ids: frozenset[uuid.UUID] = frozenset()

    @classmethod
    def everyone(cls, *, users: Iterable[uuid.UUID | None] = (), organizations: Iterable[uuid.UUID | None] = ()) -> Audience:
        """A public event, addressed (notified) to the given parties."""
        return cls(True, _ids(users), _ids(organizations))

    @classmethod
    def only(cls, *, users: Iterable[uuid.UUID | None] = (), organizations: Iterable[uuid.UUID | None] = ()) -> Audience:
        """A private event: only the given users and the users of the given organizations read it."""
        return cls(False, _ids(users), _ids(organizations))


def _ids(values: Iterable[uuid.UUID | None]) -> frozenset[uuid.UUID]:
    return frozenset(v for v in values if v is not None)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event class: ``type`` names it, ``entity_type`` + the field ``entity_field`` say what it is about."""

    type: ClassVar[EventType]
    entity_type: ClassVar[str]
    entity_field: ClassVar[str]
    audience: Audience

    def entity(self) -> tuple[str, uuid.UUID]:
        return self.entity_type, getattr(self, self.entity_field)

    def data(self) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "audience"}


def _json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


def _about(entity_type: str, type_: EventType, entity_field: str | None = None) -> Any:
    """Class decorator: the event's type and what it is about, then a frozen keyword-only dataclass."""
    def wrap(cls: type[Event]) -> type[Event]:
        cls.type, cls.entity_type, cls.entity_field = type_, entity_type, entity_field or f"{entity_type}_id"
        return dataclass(frozen=True, kw_only=True)(cls)
    return wrap


# -- opportunities and the tender -------------------------------------------------------------------

@_about("opportunity", EventType.opportunity_published)
class OpportunityPublished(Event):
    opportunity_id: uuid.UUID
    buyer_organization_id: uuid.UUID
    title: str
    bid_deadline: dt.datetime | None


@_about("opportunity", EventType.opportunity_amended)
class OpportunityAmended(Event):
    opportunity_id: uuid.UUID
    changed: list[str]


@_about("opportunity", EventType.opportunity_bidding_closed)
class OpportunityBiddingClosed(Event):
    opportunity_id: uuid.UUID
    status: str  # bidding_closed or unsuccessful
    bids: int
    eligible_bids: int


@_about("opportunity", EventType.opportunity_cancelled)
class OpportunityCancelled(Event):
    opportunity_id: uuid.UUID
    reason: str | None = None


@_about("bid", EventType.bid_submitted)
class BidSubmitted(Event):
    bid_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID


@_about("bid", EventType.bid_withdrawn)
class BidWithdrawn(Event):
    bid_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID


@_about("award", EventType.award_published)
class AwardPublished(Event):
    award_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID
    price_fen: int
    standstill_ends_at: dt.datetime


@_about("award", EventType.objection_filed)
class ObjectionFiled(Event):
    award_id: uuid.UUID
    objection_id: uuid.UUID
    opportunity_id: uuid.UUID


@_about("award", EventType.objection_resolved)
class ObjectionResolved(Event):
    award_id: uuid.UUID
    objection_id: uuid.UUID
    opportunity_id: uuid.UUID
    decision: str  # upheld or rejected


@_about("award", EventType.award_final)
class AwardFinal(Event):
    award_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID


@_about("award", EventType.award_cancelled)
class AwardCancelled(Event):
    award_id: uuid.UUID
    opportunity_id: uuid.UUID
    organization_id: uuid.UUID


# -- deals and money -----------------------------------------------------------------------------------

@_about("deal", EventType.deal_signed)
class DealSigned(Event):
    deal_id: uuid.UUID
    opportunity_id: uuid.UUID | None
    buyer_organization_id: uuid.UUID
    organization_id: uuid.UUID
    amount_fen: int


@_about("deal", EventType.milestone_reported)
class MilestoneReported(Event):
    deal_id: uuid.UUID
    milestone_id: uuid.UUID


@_about("deal", EventType.milestone_accepted)
class MilestoneAccepted(Event):
    deal_id: uuid.UUID
    milestone_id: uuid.UUID


@_about("deal", EventType.milestone_rejected)
class MilestoneRejected(Event):
    deal_id: uuid.UUID
    milestone_id: uuid.UUID
    reason: str


@_about("deal", EventType.payment_made)
class PaymentMade(Event):
    deal_id: uuid.UUID
    milestone_id: uuid.UUID
    organization_id: uuid.UUID
    amount_fen: int


@_about("deal", EventType.deal_delivered)
class DealDelivered(Event):
    deal_id: uuid.UUID


@_about("deal", EventType.deal_evaluated)
class DealEvaluated(Event):
    deal_id: uuid.UUID
    score: float
    grade: str


@_about("deal", EventType.deal_closed)
class DealClosed(Event):
    deal_id: uuid.UUID


@_about("deal", EventType.deal_terminated)
class DealTerminated(Event):
    deal_id: uuid.UUID
    reason: str


# -- the three lists ----------------------------------------------------------------------------------

@_about("offer", EventType.offer_published)
class OfferPublished(Event):
    offer_id: uuid.UUID
    organization_id: uuid.UUID
    title: str


@_about("need", EventType.need_published)
class NeedPublished(Event):
    need_id: uuid.UUID
    title: str
    region_code: str


@_about("need", EventType.need_claimed)
class NeedClaimed(Event):
    need_id: uuid.UUID
    organization_id: uuid.UUID | None  # None when a volunteer claimed it for themself


@_about("need", EventType.need_fulfilled)
class NeedFulfilled(Event):
    need_id: uuid.UUID
    organization_id: uuid.UUID | None  # None when a volunteer claimed it for themself


@_about("need", EventType.need_confirmed)
class NeedConfirmed(Event):
    need_id: uuid.UUID
    organization_id: uuid.UUID | None


# -- crowdfunding ---------------------------------------------------------------------------------------

@_about("campaign", EventType.campaign_funded)
class CampaignFunded(Event):
    campaign_id: uuid.UUID
    raised_fen: int
    matched_fen: int
    target_fen: int


@_about("campaign", EventType.campaign_ended)
class CampaignEnded(Event):
    campaign_id: uuid.UUID
    outcome: str  # succeeded, carried or refunded
    raised_fen: int
    matched_fen: int


# -- documents, participation, imports --------------------------------------------------------------

@_about("document", EventType.document_added)
class DocumentAdded(Event):
    """About the item the document is attached to (``owner_type`` / ``owner_id``)."""

    document_id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    name: str = ""

    def entity(self) -> tuple[str, uuid.UUID]:
        return self.owner_type, self.owner_id


@_about("question", EventType.question_asked)
class QuestionAsked(Event):
    """To the buyer alone: the question is not public until it is answered, and the asker never is."""

    question_id: uuid.UUID
    opportunity_id: uuid.UUID


@_about("question", EventType.question_answered)
class QuestionAnswered(Event):
    question_id: uuid.UUID
    opportunity_id: uuid.UUID | None = None
    amends_terms: bool = False


@_about("proposal", EventType.proposal_advanced)
class ProposalAdvanced(Event):
    proposal_id: uuid.UUID
    stage: str
    title: str = ""


@_about("import", EventType.import_finished)
class ImportFinished(Event):
    import_id: uuid.UUID
    kind: str
    status: str


# -- reminders (recorded by the job runner) -----------------------------------------------------------

@_about("opportunity", EventType.reminder_bid_deadline)
class BidDeadlineReminder(Event):
    opportunity_id: uuid.UUID
    bid_deadline: dt.datetime


@_about("deal", EventType.reminder_milestone_due)
class MilestoneDueReminder(Event):
    deal_id: uuid.UUID
    milestone_id: uuid.UUID
    due_on: dt.date


@_about("award", EventType.reminder_standstill_ending)
class StandstillEndingReminder(Event):
    award_id: uuid.UUID
    opportunity_id: uuid.UUID
    standstill_ends_at: dt.datetime


@_about("need", EventType.reminder_need_unanswered)
class NeedUnansweredReminder(Event):
    need_id: uuid.UUID
    region_code: str


EVENT_CLASSES: dict[EventType, type[Event]] = {
    cls.type: cls for cls in Event.__subclasses__()  # every class above, by its type
}
