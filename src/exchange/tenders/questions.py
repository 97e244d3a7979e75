"""Clarifications (答疑): organizations ask before the deadline; the buyer or a manager answers in
public without naming the asker; an answer that changes the terms is an amendment, so bids placed
before it must be reconfirmed (as after an edit of the terms)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange import events
from exchange.accounts.models import Role, User
from exchange.audit import service as audit
from exchange.errors import ExchangeError, not_found
from exchange.kit.clock import now
from exchange.tenders import service
from exchange.tenders.models import Question
from exchange.tenders.repository import QuestionRepository
from exchange.tenders.states import tender_machine


async def ask(session: AsyncSession, user: User, opportunity_id: uuid.UUID, text: str) -> Question:
    opp, at = await service._open_for_bids(session, user, opportunity_id, action="ask")
    assert user.organization_id is not None
    question = Question(id=uuid.uuid4(), opportunity_id=opp.id, organization_id=user.organization_id,
                        asked_by=user.id, question=text, status="open")
    session.add(question)
    await session.flush()
    audit.record(session, actor_id=user.id, action="question.asked", entity_type="question", entity_id=question.id,
                 summary={"opportunity_id": opp.id})
    events.record(session, events.QuestionAsked(question_id=question.id, opportunity_id=opp.id,
                                                audience=events.Audience.only(organizations=[opp.buyer_organization_id])))
    return question


async def answer(session: AsyncSession, user: User, question_id: uuid.UUID, text: str, amends_terms: bool) -> Question:
    question = await QuestionRepository(session).get(question_id, lock=True)
    if question is None:
        raise not_found("question")
    opp = await service.get_opportunity(session, question.opportunity_id)
    tender_machine.check(opp.status, "answer", await service.capacities(session, user, opp))
    if question.status == "answered":
        raise ExchangeError("question_answered", 409, "该问题已经答复", "The question has already been answered")
    at = now()
    question.status, question.answer, question.amends_terms = "answered", text, amends_terms
    question.answered_by, question.answered_at = user.id, at
    if amends_terms:
        opp.terms_changed_at = at
        audit.record(session, actor_id=user.id, action="opportunity.amended", entity_type="opportunity", entity_id=opp.id,
                     public=True, summary={"question_id": question.id, "answer": text})
        events.record(session, events.OpportunityAmended(
            opportunity_id=opp.id, changed=["clarification"],
            audience=events.Audience.everyone(organizations=[opp.buyer_organization_id])))
    audit.record(session, actor_id=user.id, action="question.answered", entity_type="question", entity_id=question.id,
                 public=True, summary={"opportunity_id": opp.id, "question": question.question, "answer": text,
                                       "amends_terms": amends_terms})
    # public (the answer is), told to the asking organization; the asker is not in the event
    events.record(session, events.QuestionAnswered(
        question_id=question.id, opportunity_id=opp.id, amends_terms=amends_terms,
        audience=events.Audience.everyone(organizations=[question.organization_id])))
    await session.flush()
    return question


async def of_opportunity(session: AsyncSession, user: User | None, opportunity_id: uuid.UUID) -> list[Question]:
    """Answered questions for everyone; all of them for the buyer and managers; an organization
    also sees its own unanswered ones."""
    opp = await service.get_opportunity(session, opportunity_id)
    caps = await service.capacities(session, user, opp)
    everything = bool(caps & {"buyer", "manager"}) or (user is not None and user.role == Role.admin)
    own = user.organization_id if user is not None and user.role == Role.org else None
    return list(await QuestionRepository(session).of(opp.id, answered_only=not everything, organization_id=own))
