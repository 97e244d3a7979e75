"""An expert's workspace: the tenders whose review panel I sit on; for each, the bids with their documents and
the ranking; for each bid, my scores against the rubric with a comment, or a declared conflict of interest.

The pages call what the API's endpoints call, as the signed-in expert: ``tenders.service.assigned`` (the panels
I sit on), ``tenders.service.list_bids`` (``GET /opportunities/{id}/bids``: the panel after the close),
``tenders.service.readable_bid`` (``GET /bids/{id}``), ``documents.flows.read_owner/readable``
(``GET /bids/{id}/documents``, ``GET /documents/{id}/content``), ``tenders.service.score_bid``
(``POST /bids/{id}/scores``) and ``tenders.service.ranking`` (``GET /opportunities/{id}/ranking``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents import flows as documents
from exchange.documents import service as document_service
from exchange.documents.models import OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.tenders import service as tenders
from exchange.tenders.schemas import ScoreIn
from exchange.web import auth, common
from exchange.web.i18n import Words
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import Rejected, attempt, confirmation, for_roles, page, see_other

router = APIRouter(prefix="/workspace/expert", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Expert = Annotated[User, for_roles(Role.expert)]
PAGE_SIZE = 20



@router.get("")
async def home(request: Request, session: Session, user: Expert, cursor: str | None = CursorParam) -> Response:
    """The tenders whose panel I sit on, latest deadline first, paged."""
    found = await tenders.assigned(session, user, limit=PAGE_SIZE, cursor=cursor)
    names = await common.organization_names(request, session, [o.buyer_organization_id for o in found.items])
    return await page(request, session, user, "ws_expert.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": cursor, "org_names": names,
    }, title=Words.of(request).t("my_reviews"))


@router.get("/opportunities/{opp_id}")
async def opportunity(request: Request, session: Session, user: Expert, opp_id: str) -> Response:
    """One tender I review: its bids with their documents and my answer for each, and the ranking so far."""
    bids, opp = await tenders.list_bids(session, user, parse_uuid(opp_id, "opportunity"))
    docs = await DocumentRepository(session).for_owners(OwnerType.bid, [b.id for b in bids])
    mine = await tenders.my_scores(session, user, bids)
    ranked = await tenders.ranking(session, user, opp.id)
    names = await common.organization_names(request, session, [b.organization_id for b in bids])
    return await page(request, session, user, "ws_expert_opportunity.html", {
        "opp": opp, "bids": [(b, [document_out(d) for d in docs[b.id]], mine.get(b.id)) for b in bids],
        "ranked": ranked, "org_names": names, "done": request.query_params.get("done", ""),
        "scorable": {r.bid.id for r in ranked},
    }, title=opp.title)


async def _score_form(request: Request, session: Session, user: User, bid_id: str, values: dict[str, str] | None,
                      *, errors: dict[str, str] | None = None, general: str = "", status: int = 200) -> Response:
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    owner = await documents.read_owner(session, user, OwnerType.bid, bid.id)
    docs = [document_out(d) for d in await document_service.list_for(session, owner)]
    mine = (await tenders.my_scores(session, user, [bid])).get(bid.id)
    criteria = [str(c["criterion"]) for c in (opp.rubric or [])]
    if values is None:
        given = mine.scores if mine is not None else {}
        values = {c: str(given.get(c, "")) for c in criteria} | {"comment": mine.comment if mine is not None else ""}
    names = await common.organization_names(request, session, [bid.organization_id])
    return await page(request, session, user, "ws_expert_bid.html", {
        "bid": bid, "opp": opp, "docs": docs, "mine": mine, "rubric": opp.rubric or [], "values": values,
        "errors": errors or {}, "general": general, "org_names": names,
    }, title=f"{Words.of(request).t('score_bid')} · {opp.title}", status=status)


@router.get("/bids/{bid_id}")
async def score_form(request: Request, session: Session, user: Expert, bid_id: str) -> Response:
    """A bid of a tender I review (``GET /bids/{id}``) with its documents, and the scoring form."""
    return await _score_form(request, session, user, bid_id, None)


@router.post("/bids/{bid_id}/score")
async def score(request: Request, session: Session, user: Expert, bid_id: str) -> Response:
    """Score every criterion of the rubric with a comment (``POST /bids/{id}/scores``); a rejected form comes
    back with the API's messages by criterion."""
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    form = await request.form()
    criteria = [str(c["criterion"]) for c in (opp.rubric or [])]
    values = {c: str(form.get(f"score_{i}", "")).strip() for i, c in enumerate(criteria)}
    values["comment"] = str(form.get("comment", "")).strip()
    data: dict[str, Any] = {"scores": {c: values[c] for c in criteria if values[c] != ""},
                            "conflict_of_interest": False, "comment": values["comment"]}
    done = await attempt(request, lambda: tenders.score_bid(session, user, bid.id, ScoreIn.model_validate(data).model_dump()))
    if isinstance(done, Rejected):
        return await _score_form(request, session, user, bid_id, values, errors=done.errors, general=done.general,
                                 status=done.status)
    return see_other(f"/workspace/expert/opportunities/{opp.id}?done=scored")


@router.get("/bids/{bid_id}/conflict")
async def conflict_step(request: Request, session: Session, user: Expert, bid_id: str) -> Response:
    """Declaring a conflict of interest recuses me from this bid: a page that asks first."""
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    words = Words.of(request)
    return await confirmation(request, session, user, {
        "item": opp, "action": f"/workspace/expert/bids/{bid.id}/conflict",
        "question": words.t("conflict_question"), "button": words.t("declare_conflict"),
        "back": f"/workspace/expert/bids/{bid.id}",
    })


@router.post("/bids/{bid_id}/conflict")
async def declare_conflict(request: Request, session: Session, user: Expert, bid_id: str) -> Response:
    """Declare a conflict of interest (``POST /bids/{id}/scores`` with ``conflict_of_interest``): I am recused
    and not counted in the ranking."""
    bid, opp, _ = await tenders.readable_bid(session, user, parse_uuid(bid_id, "bid"))
    body = ScoreIn.model_validate({"conflict_of_interest": True})
    await tenders.score_bid(session, user, bid.id, body.model_dump())
    return see_other(f"/workspace/expert/opportunities/{opp.id}?done=conflict")
