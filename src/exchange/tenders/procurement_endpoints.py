"""Procurement as districts run it, over HTTP: the panel's random draw from the expert pool, and
clarification questions."""

from __future__ import annotations

from fastapi import APIRouter, Response

from exchange.accounts.deps import CurrentUser, OptionalUser
from exchange.errors import forbidden, not_found, problems
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.tenders import draws, questions, service
from exchange.tenders.models import PanelDraw, Question
from exchange.tenders.repository import PanelDrawRepository
from exchange.tenders.schemas import (
    AnswerIn,
    PanelDeclineIn,
    PanelDrawIn,
    PanelDrawOut,
    QuestionIn,
    QuestionList,
    QuestionOut,
)

router = APIRouter(route_class=UnitOfWorkRoute, tags=["tenders"])


def draw_out(record: PanelDraw, status: str, panel: list) -> PanelDrawOut:  # type: ignore[type-arg]
    return PanelDrawOut(opportunity_id=record.opportunity_id, status=status, expert_user_ids=panel, draw_id=record.id,
                        seed=record.seed, size=record.size, specialties=record.specialties, candidates=record.candidates,
                        excluded=record.excluded, declined=record.declined, algorithm=draws.ALGORITHM)


@router.post("/opportunities/{opportunity_id}/panel/draw", operation_id="drawPanel",
             response_model=PanelDrawOut, responses=problems(401, 403, 404, 409, 422))
async def draw_panel(opportunity_id: str, body: PanelDrawIn, user: CurrentUser, session: Session) -> PanelDrawOut:
    """Draw the review panel at random from the expert pool (buyer, manager), once bidding has closed.

    Experts affiliated with a bidder or the buyer, and those on this buyer's last 3 panels, are left out;
    409 `not_enough_experts` (with `eligible`) when fewer than `size` remain. The seed and the candidates
    are answered and audited: ranking the candidates by `sha256("<seed>:<user_id>")` gives the panel."""
    opp_id = parse_uuid(opportunity_id, "opportunity")
    panel, record = await draws.draw(session, user, opp_id, body.size, body.specialties)
    opp = await service.get_opportunity(session, opp_id, refresh=False)
    return draw_out(record, opp.status, panel)


@router.get("/opportunities/{opportunity_id}/panel/draw", operation_id="getPanelDraw",
            response_model=PanelDrawOut, responses=problems(401, 403, 404))
async def get_panel_draw(opportunity_id: str, user: CurrentUser, session: Session) -> PanelDrawOut:
    """The draw of the panel with its seed and candidates (the buyer, managers, admins and the panel)."""
    opp = await service.get_opportunity(session, parse_uuid(opportunity_id, "opportunity"))
    if not await service.capacities(session, user, opp) & service.REVIEWERS and user.role != "admin":
        raise forbidden(code="not_allowed")
    record = await PanelDrawRepository(session).of(opp.id)
    if record is None:
        raise not_found("panel_draw")
    return draw_out(record, opp.status, draws.panel_of(record.seed, record.candidates, record.size, record.declined))


@router.post("/opportunities/{opportunity_id}/panel/decline", operation_id="declinePanel",
             response_model=PanelDrawOut, responses=problems(401, 403, 404, 409, 422))
async def decline_panel(opportunity_id: str, body: PanelDeclineIn, user: CurrentUser, session: Session) -> PanelDrawOut:
    """A drawn expert declines before scoring (itself, or the buyer or a manager naming `user_id`); the next
    candidate in the draw's order replaces it. 409 `not_enough_experts` when nobody is left."""
    opp_id = parse_uuid(opportunity_id, "opportunity")
    panel, record = await draws.decline(session, user, opp_id, body.user_id)
    opp = await service.get_opportunity(session, opp_id, refresh=False)
    return draw_out(record, opp.status, panel)


def question_out(question: Question, user_organization_id: object) -> QuestionOut:
    out = QuestionOut.model_validate(question)
    out.mine = user_organization_id is not None and question.organization_id == user_organization_id
    return out


@router.post("/opportunities/{opportunity_id}/questions", operation_id="askQuestion", status_code=201,
             response_model=QuestionOut, responses=problems(401, 403, 404, 409, 422))
async def ask_question(opportunity_id: str, body: QuestionIn, user: CurrentUser, session: Session,
                       response: Response) -> QuestionOut:
    """An organization asks a clarification question before `bid_deadline` (409 `bid_deadline_passed` after).
    The answer is published on the opportunity without the asker's name."""
    question = await questions.ask(session, user, parse_uuid(opportunity_id, "opportunity"), body.question)
    response.headers["Location"] = f"/api/v1/opportunities/{question.opportunity_id}/questions"
    return question_out(question, user.organization_id)


@router.get("/opportunities/{opportunity_id}/questions", operation_id="listQuestions",
            response_model=QuestionList, responses=problems(401, 404))
async def list_questions(opportunity_id: str, user: OptionalUser, session: Session) -> QuestionList:
    """Answered clarifications (public, without the askers' names); the buyer and managers also see the
    open ones, and an organization its own."""
    items = await questions.of_opportunity(session, user, parse_uuid(opportunity_id, "opportunity"))
    own = user.organization_id if user is not None else None
    return QuestionList(items=[question_out(q, own) for q in items])


@router.post("/questions/{question_id}/answer", operation_id="answerQuestion",
             response_model=QuestionOut, responses=problems(401, 403, 404, 409, 422))
async def answer_question(question_id: str, body: AnswerIn, user: CurrentUser, session: Session) -> QuestionOut:
    """The buyer or a manager answers in public while bidding is open. With `amends_terms` the answer is an
    amendment: bids placed before it must be reconfirmed before the deadline to count."""
    question = await questions.answer(session, user, parse_uuid(question_id, "question"), body.answer, body.amends_terms)
    return question_out(question, user.organization_id)
