"""Imports every table so that ``Base.metadata`` is complete (Alembic and tests use this)."""

from exchange.accounts.models import User  # noqa: F401
from exchange.activities.models import Activity, ActivitySignup, Attendance  # noqa: F401
from exchange.audit.models import AuditCheckpoint, AuditEvent, AuditHead  # noqa: F401
from exchange.calls.models import Application  # noqa: F401
from exchange.campaigns.models import Campaign, Contribution  # noqa: F401
from exchange.db import Base  # noqa: F401
from exchange.deals.models import Deal, Milestone, Supervision  # noqa: F401
from exchange.documents.models import Document  # noqa: F401
from exchange.events.models import EventHead, EventRecipient, EventRow  # noqa: F401
from exchange.experts.models import Expert  # noqa: F401
from exchange.fanout.models import EventCursor  # noqa: F401
from exchange.filings.models import Filing  # noqa: F401
from exchange.funds.models import DealFund, Earmark, Fund, FundBalance, LedgerEntry, LedgerTransaction, Payment  # noqa: F401
from exchange.imports.models import Import, ImportRef  # noqa: F401
from exchange.jobs.models import Job  # noqa: F401
from exchange.kit.idempotency import IdempotencyRecord  # noqa: F401
from exchange.kit.ratelimit import RateCounter  # noqa: F401
from exchange.listings.models import ListingRegion, ListingTerm, is_search_table  # noqa: F401
from exchange.managers.models import Consultation  # noqa: F401
from exchange.matching.models import MatchFeedback  # noqa: F401
from exchange.needs.models import Need, NeedSupport  # noqa: F401
from exchange.notifications.models import Notification, NotificationMessage, NotificationSetting  # noqa: F401
from exchange.offers.models import Offer  # noqa: F401
from exchange.opportunities.models import Opportunity  # noqa: F401
from exchange.organizations.models import Organization  # noqa: F401
from exchange.points.models import PointsEntry  # noqa: F401
from exchange.proposals.models import (  # noqa: F401
    Proposal,
    ProposalComment,
    ProposalMeeting,
    ProposalRating,
    ProposalVote,
)
from exchange.regions.models import Region  # noqa: F401
from exchange.skills.models import Skill  # noqa: F401
from exchange.spaces.models import Booking, Space  # noqa: F401
from exchange.tenders.models import (  # noqa: F401
    Award,
    Bid,
    Call,
    Objection,
    PanelDraw,
    PanelMember,
    Question,
    Roadshow,
    Score,
)
from exchange.vocabularies.models import VocabularyTerm  # noqa: F401
from exchange.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: F401


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: every table but the SQLite full-text one and its shadows, which
    the migrations create by hand (autogenerate has no word for a virtual table)."""
    return not (type_ == "table" and name is not None and is_search_table(name))
