"""Deals in the workspace, for everyone who works on one: the parties (the organization and the buyer), managers
and evaluators. A buyer draws up the contract of a final award; a manager brokers a deal from a need's match;
both parties sign; the organization adds evidence and reports each milestone, the buyer (or a manager) accepts or
rejects it — accepting pays its tranche; the organization submits the closing report, an evaluator evaluates, the
buyer closes. Managers record supervision visits.

Each page offers only what the deal's state machine lets this user do (``deal_machine.allowed``) and calls what
the API's endpoint calls: ``deals.service.create/sign/milestone_move/supervise/closing_report/evaluate/close/
terminate``, ``deals.endpoints.detail/deals_page`` (``GET /deals``, ``GET /deals/{id}``), ``documents.flows``
(``POST /deals/{id}/documents``). Whatever moves money or cannot be undone asks first."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.deals import service as deals
from exchange.deals.endpoints import deals_page, detail
from exchange.deals.schemas import ClosingReportIn, DealCreate, EvaluationIn, ReasonIn, ReportIn, SupervisionIn
from exchange.deals.states import deal_machine, milestone_machine
from exchange.documents import flows as documents
from exchange.documents import service as document_service
from exchange.documents.models import OwnerType
from exchange.funds import service as funds
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.tenders import service as tenders
from exchange.web import auth, common, uploads
from exchange.web.i18n import Words
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import (
    UPLOAD_REFUSALS,
    Rejected,
    amount,
    attempt,
    confirm_first,
    confirmation,
    for_roles,
    page,
    see_other,
)

router = APIRouter(prefix="/workspace/deals", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
DealUser = Annotated[User, for_roles(Role.org, Role.buyer, Role.community, Role.manager, Role.evaluator, Role.admin)]
Creator = Annotated[User, for_roles(Role.buyer, Role.manager)]
TABS = ("pending_signatures", "active", "delivered", "evaluated", "closed", "terminated")
MILESTONE_ROWS = 6  # rows of the contract form; empty rows are left out
EVIDENCE_TYPES = ("milestone_evidence", "photo", "invoice", "other")



@router.get("")
async def deal_list(request: Request, session: Session, user: DealUser, cursor: str | None = CursorParam,
                    tab: Annotated[str, Query(alias="status", max_length=30)] = "active") -> Response:
    """My deals in one status (``GET /deals?status=``): a party sees its organization's, staff see all."""
    if tab not in TABS:
        tab = "active"
    found = await deals_page(session, user, status=tab, limit=20, cursor=cursor)
    names = await common.organization_names(request, session, [d.organization_id for d in found.items])
    return await page(request, session, user, "ws_deals.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": cursor, "tab": tab, "tabs": TABS,
        "org_names": names,
    }, title=Words.of(request).t("my_deals"))


def _moves(user: User, deal: Any, milestones: list[Any]) -> tuple[set[str], dict[uuid.UUID, set[str]]]:
    """What this user may do now: on the deal, and on each milestone (the deal's and the milestone's tables)."""
    caps = deals.capacities(user, deal)
    on_deal = deal_machine.allowed(deal.status, caps)
    on_milestones = {m.id: on_deal & milestone_machine.allowed(m.status, caps) for m in milestones}
    return on_deal, on_milestones


async def _deal_page(request: Request, session: Session, user: User, deal_id: uuid.UUID, *,
                     rejected: Rejected | None = None, form: str = "", values: dict[str, str] | None = None) -> Response:
    deal = await deals.get_deal(session, user, deal_id)
    out = await detail(session, deal)
    on_deal, on_milestones = _moves(user, deal, out.milestones)
    caps = deals.capacities(user, deal)
    names = await common.organization_names(request, session, [deal.organization_id, deal.buyer_organization_id])
    return await page(request, session, user, "ws_deal.html", {
        "deal": out, "seqs": {str(m.id): m.seq for m in out.milestones}, "on_deal": on_deal,
        "on_milestones": on_milestones, "org_names": names,
        "may_add_evidence": "org_party" in caps and deal.status == "active", "evidence_types": EVIDENCE_TYPES,
        "today": dt.date.today().isoformat(), "done": request.query_params.get("done", ""),
        "form": form, "values": values or {}, **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=out.title, status=rejected.status if rejected else 200)


# -- drawing up a deal ----------------------------------------------------------------------------------

def _milestones(form: FormData | None) -> list[dict[str, str]]:
    rows = []
    for i in range(MILESTONE_ROWS):
        row = {k: str(form.get(f"m{i}_{k}", "")).strip() if form else "" for k in ("title", "due_on", "amount_yuan")}
        rows.append(row)
    return rows


async def _new_form(request: Request, session: Session, user: User, values: dict[str, Any], *,
                    rejected: Rejected | None = None) -> Response:
    award = None
    if values.get("award_id"):
        award, _ = await tenders.read_award(session, user, parse_uuid(values["award_id"], "award"))
    my_funds = (await funds.list_page(session, user, source=None, limit=100, cursor=None)).items
    ids = [award.organization_id] if award else []
    if values.get("organization_id"):
        ids.append(parse_uuid(values["organization_id"], "organization"))
    names = await common.organization_names(request, session, ids)
    return await page(request, session, user, "ws_deal_form.html", {
        "values": values, "award": award, "funds": my_funds, "org_names": names,
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("new_deal"), status=rejected.status if rejected else 200)


CONTEXT_FIELDS = ("award_id", "need_id", "opportunity_id", "organization_id", "offer_id")


@router.get("/new")
async def new_deal(request: Request, session: Session, user: Creator) -> Response:
    """The contract form: from a final award (``?award_id=``, the buyer) or brokered from a need's match
    (``?need_id=&organization_id=&offer_id=``, a manager)."""
    values: dict[str, Any] = {k: request.query_params.get(k, "") for k in CONTEXT_FIELDS}
    values.update(title="", amount_yuan="", fund_id="", milestones=_milestones(None))
    return await _new_form(request, session, user, values)


@router.post("/new")
async def create(request: Request, session: Session, user: Creator) -> Response:
    """Draw up the deal (``POST /deals``): the milestones' amounts must add up to the amount; the API's own
    messages show next to the fields."""
    form = await request.form()
    values: dict[str, Any] = _text(form, *CONTEXT_FIELDS, "title", "amount_yuan", "fund_id")
    values["milestones"] = rows = _milestones(form)
    data: dict[str, Any] = {k: values[k] for k in (*CONTEXT_FIELDS, "title", "fund_id") if values[k]}
    if values["amount_yuan"]:
        data["amount_fen"] = amount(values["amount_yuan"])
    data["milestones"] = [{"title": r["title"], "due_on": r["due_on"] or None,
                           "amount_fen": amount(r["amount_yuan"])}
                          for r in rows if any(r.values())]
    deal = await attempt(request, lambda: deals.create(session, user, DealCreate.model_validate(data)))
    if isinstance(deal, Rejected):
        return await _new_form(request, session, user, values, rejected=deal)
    return see_other(f"/workspace/deals/{deal.id}?done=created")


@router.get("/{deal_id}")
async def deal_detail(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """The deal (``GET /deals/{id}``): parties, money, milestones with their evidence and tranches, supervision
    visits, the closing report, the evaluation, the history; and the forms of what this user may do now."""
    return await _deal_page(request, session, user, parse_uuid(deal_id, "deal"))


def _validated(schema: Any, data: dict[str, Any]) -> Any:
    """The API's schema check of a form, before anything is asked or done."""
    async def check() -> Any:
        return schema.model_validate(data)
    return check


def _text(form: FormData, *names: str) -> dict[str, str]:
    return {n: str(form.get(n, "")).strip() for n in names}


async def _confirm(request: Request, session: Session, user: User, deal_id: str, action: str, question: str,
                   button: str, *, reason: bool = False) -> Response:
    deal = await deals.get_deal(session, user, parse_uuid(deal_id, "deal"))
    return await confirmation(request, session, user, {
        "item": deal, "action": f"/workspace/deals/{deal.id}/{action}", "question": question, "button": button,
        "back": f"/workspace/deals/{deal.id}", "reason": reason,
    })


# -- signing, closing, terminating: asked first -------------------------------------------------------

@router.get("/{deal_id}/sign")
async def sign_step(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    w = Words.of(request)
    return await _confirm(request, session, user, deal_id, "sign", w.t("sign_question"), w.t("sign"))


@router.post("/{deal_id}/sign")
async def sign(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """Sign for my side (``POST /deals/{id}/sign``); both signatures activate the deal and commit its money."""
    deal = await deals.sign(session, user, parse_uuid(deal_id, "deal"))
    return see_other(f"/workspace/deals/{deal.id}?done=signed")


@router.get("/{deal_id}/close")
async def close_step(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    w = Words.of(request)
    return await _confirm(request, session, user, deal_id, "close", w.t("close_deal_question"), w.t("close_deal"))


@router.post("/{deal_id}/close")
async def close(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    deal = await deals.close(session, user, parse_uuid(deal_id, "deal"))
    return see_other(f"/workspace/deals/{deal.id}?done=closed")


@router.get("/{deal_id}/terminate")
async def terminate_step(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    w = Words.of(request)
    return await _confirm(request, session, user, deal_id, "terminate", w.t("terminate_question"), w.t("terminate"),
                          reason=True)


@router.post("/{deal_id}/terminate")
async def terminate(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """Terminate with a reason (``POST /deals/{id}/terminate``): unpaid money goes back to the fund."""
    the_id = parse_uuid(deal_id, "deal")
    values = _text(await request.form(), "reason")
    done = await attempt(request, lambda: deals.terminate(session, user, the_id, ReasonIn.model_validate(values).reason))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form="terminate", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=terminated")


# -- milestones ----------------------------------------------------------------------------------------

@router.post("/{deal_id}/milestones/{milestone_id}/documents")
async def add_evidence(request: Request, session: Session, user: DealUser, deal_id: str, milestone_id: str) -> Response:
    """Evidence for a milestone (a photo, a sign-in sheet, an invoice: ``POST /deals/{id}/documents`` with
    ``milestone_id``), before it is reported."""
    the_id, ms_id = parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")
    owner = await documents.read_owner(session, user, OwnerType.deal, the_id)
    form = await request.form()
    kind = str(form.get("document_type", "milestone_evidence"))
    doc = await attempt(request, lambda: uploads.add_document(
        request, session, user, owner, form.get("file"), {"document_type": kind, "milestone_id": str(ms_id)}),
        also=UPLOAD_REFUSALS)
    if isinstance(doc, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=doc, form=f"evidence-{ms_id}")
    return see_other(f"/workspace/deals/{the_id}?done=evidence#m-{ms_id}")


@router.post("/{deal_id}/milestones/{milestone_id}/report")
async def report(request: Request, session: Session, user: DealUser, deal_id: str, milestone_id: str) -> Response:
    """Report a milestone done (``POST /deals/{id}/milestones/{mid}/report``); its evidence is the documents
    added to it (by their ids), with what the summary says."""
    the_id, ms_id = parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")
    values = _text(await request.form(), "summary")
    owner = await documents.read_owner(session, user, OwnerType.deal, the_id)
    evidence = [str(d.id) for d in await document_service.list_for(session, owner) if d.milestone_id == ms_id]
    done = await attempt(request, lambda: deals.milestone_move(
        session, user, the_id, ms_id, "report", ReportIn.model_validate({**values, "evidence": evidence}).model_dump()))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form=f"report-{ms_id}", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=reported#m-{ms_id}")


@router.get("/{deal_id}/milestones/{milestone_id}/accept")
async def accept_step(request: Request, session: Session, user: DealUser, deal_id: str, milestone_id: str) -> Response:
    """Accepting pays the tranche: a page that asks first, naming the amount."""
    the_id, ms_id = parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")
    out = await detail(session, await deals.get_deal(session, user, the_id))
    ms = next((m for m in out.milestones if m.id == ms_id), None)
    if ms is None:
        return await _deal_page(request, session, user, the_id)
    w = Words.of(request)
    last = ms is out.milestones[-1]
    return await confirmation(request, session, user, {
        "item": out, "action": f"/workspace/deals/{the_id}/milestones/{ms_id}/accept",
        "question": w.t("accept_last_question" if last else "accept_question"), "detail": ms.title,
        "button": w.t("accept_milestone"), "back": f"/workspace/deals/{the_id}", "amount_fen": ms.amount_fen,
    })


@router.post("/{deal_id}/milestones/{milestone_id}/accept")
async def accept(request: Request, session: Session, user: DealUser, deal_id: str, milestone_id: str) -> Response:
    """Accept a reported milestone (``…/accept``): its tranche is paid at once, the last one held for the
    evaluation. The deal row is locked, so a second accept finds it accepted and pays nothing."""
    the_id, ms_id = parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")
    await deals.milestone_move(session, user, the_id, ms_id, "accept", {})
    return see_other(f"/workspace/deals/{the_id}?done=accepted#m-{ms_id}")


@router.post("/{deal_id}/milestones/{milestone_id}/reject")
async def reject(request: Request, session: Session, user: DealUser, deal_id: str, milestone_id: str) -> Response:
    """Send a reported milestone back with reasons (``…/reject``); the organization may report it again."""
    the_id, ms_id = parse_uuid(deal_id, "deal"), parse_uuid(milestone_id, "milestone")
    values = _text(await request.form(), "reason")
    done = await attempt(request, lambda: deals.milestone_move(
        session, user, the_id, ms_id, "reject", ReasonIn.model_validate(values).model_dump()))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form=f"reject-{ms_id}", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=rejected#m-{ms_id}")


# -- supervision, closing report, evaluation ---------------------------------------------------------

@router.post("/{deal_id}/supervisions")
async def supervise(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """A manager's supervision visit (督导): date, findings, rating 1–5 (``POST /deals/{id}/supervisions``)."""
    the_id = parse_uuid(deal_id, "deal")
    values = _text(await request.form(), "date", "findings", "rating")
    done = await attempt(request, lambda: deals.supervise(
        session, user, the_id, SupervisionIn.model_validate(values).model_dump()))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form="supervise", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=supervised")


@router.post("/{deal_id}/closing-report")
async def closing_report(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """The closing report (结项报告), once every milestone is accepted (``POST /deals/{id}/closing-report``)."""
    the_id = parse_uuid(deal_id, "deal")
    values = _text(await request.form(), "summary", "people_served", "activities")
    checked = await attempt(request, _validated(ClosingReportIn, values))
    if isinstance(checked, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=checked, form="closing_report", values=values)
    w = Words.of(request)
    asked = await confirm_first(request, session, user, item=await deals.get_deal(session, user, the_id),
                                question=w.t("closing_report_question"), button=w.t("submit_closing_report"),
                                back=f"/workspace/deals/{the_id}")
    if asked is not None:
        return asked
    done = await attempt(request, lambda: deals.closing_report(
        session, user, the_id, ClosingReportIn.model_validate(values).model_dump()))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form="closing_report", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=delivered")


@router.post("/{deal_id}/evaluation")
async def evaluate(request: Request, session: Session, user: DealUser, deal_id: str) -> Response:
    """The third-party evaluation (``POST /deals/{id}/evaluation``): a total 0–100 and a comment; the grade
    follows from the total unless one is chosen (the API refuses one that disagrees)."""
    the_id = parse_uuid(deal_id, "deal")
    values = _text(await request.form(), "total", "grade", "comment")
    data = {k: v for k, v in values.items() if v != ""}
    checked = await attempt(request, _validated(EvaluationIn, data))
    if isinstance(checked, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=checked, form="evaluate", values=values)
    w = Words.of(request)
    asked = await confirm_first(request, session, user, item=await deals.get_deal(session, user, the_id),
                                question=w.t("evaluation_question"), button=w.t("submit_evaluation"),
                                back=f"/workspace/deals/{the_id}", detail=f"{values['total']}")
    if asked is not None:
        return asked
    done = await attempt(request, lambda: deals.evaluate(
        session, user, the_id, EvaluationIn.model_validate(data).model_dump()))
    if isinstance(done, Rejected):
        return await _deal_page(request, session, user, the_id, rejected=done, form="evaluate", values=values)
    return see_other(f"/workspace/deals/{the_id}?done=evaluated")


