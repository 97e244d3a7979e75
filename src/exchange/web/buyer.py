"""A buyer's workspace: publish an opportunity (rubric, eligibility, deadline, funding from my funds), add its
documents, answer clarification questions; after the close, read the bids with their documents, draw the panel,
see the ranking, award (after a confirmation page), resolve objections, and draw up the deal; my funds with their
figures and statement.

The pages call what the API's endpoints call: ``opportunities.service.create/act``, ``opportunities.flows.
list_page/load/fund`` (``GET/POST /opportunities``, ``…/publish``, ``…/funding``), ``documents.flows``
(``POST /opportunities/{id}/documents``), ``tenders.questions`` (``…/questions``, ``/questions/{id}/answer``),
``tenders.service.list_bids`` (sealed until the close), ``close_bidding``, ``ranking``, ``award``, ``resolve``,
``tenders.draws.draw`` (``…/panel/draw``), ``funds.service`` and ``funds.statement`` (``GET /funds``,
``…/statement``)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData
from starlette.responses import Response

from exchange.accounts.models import Role, User
from exchange.documents import flows as documents
from exchange.documents import service as document_service
from exchange.documents.models import DOCUMENT_TYPES, OwnerType
from exchange.documents.repository import DocumentRepository
from exchange.documents.schemas import document_out
from exchange.errors import ExchangeError, invalid
from exchange.experts import service as experts
from exchange.funds import service as funds
from exchange.funds import statement as fund_statements
from exchange.kit.clock import now
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.pagination import CursorParam
from exchange.listings.schemas import ListFilters, list_filters
from exchange.opportunities import flows as opportunity_flows
from exchange.opportunities import service as opportunity_service
from exchange.opportunities.schemas import DEFAULT_RUBRIC, OpportunityCreate
from exchange.sheets.writer import xlsx_response
from exchange.tenders import draws, questions
from exchange.tenders import service as tenders
from exchange.tenders.schemas import AnswerIn, PanelDrawIn, PanelIn, ResolveIn
from exchange.web import auth, common, uploads
from exchange.web.i18n import Words, pick_language
from exchange.web.routing import SignedInRoute
from exchange.web.workspace import (
    UPLOAD_REFUSALS,
    Rejected,
    amount,
    attempt,
    china_time,
    confirm_first,
    confirmation,
    fen,
    for_roles,
    page,
    see_other,
)

router = APIRouter(prefix="/workspace/buyer", route_class=SignedInRoute, include_in_schema=False,
                   default_response_class=HTMLResponse, dependencies=[Depends(auth.signed_in)])
Buyer = Annotated[User, for_roles(Role.buyer)]
Filters = Annotated[ListFilters, Depends(list_filters)]
TABS = ("published", "bidding_closed", "under_review", "awarded", "contracted", "closed", "draft", "unsuccessful",
        "cancelled")



@router.get("")
async def home(request: Request, session: Session, user: Buyer, f: Filters,
               tab: Annotated[str, Query(alias="status", max_length=20)] = "published") -> Response:
    """My organization's opportunities in one status."""
    if tab not in TABS:
        tab = "published"
    mine = await opportunity_flows.list_page(session, user, dataclasses.replace(
        f, org_id=str(user.organization_id), status=tab))
    return await page(request, session, user, "ws_buyer.html", {
        "items": mine.items, "next_cursor": mine.next_cursor, "cursor": f.cursor, "tab": tab, "tabs": TABS,
    }, title=Words.of(request).t("my_opportunities"))


async def _bids(session: Session, user: User, opp_id: uuid.UUID) -> tuple[list[Any], str]:
    """The bids with their documents, or why they cannot be read yet (sealed: the API's words)."""
    try:
        bids, _ = await tenders.list_bids(session, user, opp_id)
    except ExchangeError as exc:
        if exc.status == 409:
            return [], exc.zh
        raise
    docs = await DocumentRepository(session).for_owners(OwnerType.bid, [b.id for b in bids])
    return [(b, [document_out(d) for d in docs[b.id]]) for b in bids], ""


# -- publishing ------------------------------------------------------------------------------------------

RUBRIC_ROWS = 6


def _opportunity_values(form: FormData | None) -> dict[str, Any]:
    if form is None:
        rubric = [{"criterion": r["criterion"], "weight": str(r["weight"])} for r in DEFAULT_RUBRIC]
        return {"title": "", "description": "", "category": "", "target_groups": [], "region_codes": [],
                "budget_yuan": "", "bid_deadline": "", "min_bids": "1", "min_a_level": "0", "registration_required": "",
                "standstill_days": "5", "fund_id": "", "earmark_yuan": "", "publish": "1",
                "rubric": rubric + [{"criterion": "", "weight": ""}] * (RUBRIC_ROWS - len(rubric))}
    values: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in (
        "title", "description", "category", "budget_yuan", "bid_deadline", "min_bids", "min_a_level",
        "registration_required", "standstill_days", "fund_id", "earmark_yuan", "publish")}
    values["target_groups"] = [str(v) for v in form.getlist("target_groups")]
    values["region_codes"] = [str(v) for v in form.getlist("region_codes")]
    values["rubric"] = [{"criterion": str(form.get(f"r{i}_criterion", "")).strip(),
                         "weight": str(form.get(f"r{i}_weight", "")).strip()} for i in range(RUBRIC_ROWS)]
    return values


def _opportunity_data(values: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's body: amounts in fen, the deadline in China time, the rubric's filled rows."""
    def number(text: str) -> int | str:
        return int(text) if text.isdigit() else text

    data: dict[str, Any] = {
        "title": values["title"], "description": values["description"], "category": values["category"] or None,
        "target_groups": values["target_groups"], "region_codes": values["region_codes"],
        "budget_fen": amount(values["budget_yuan"]),
        "min_bids": number(values["min_bids"] or "1"), "standstill_days": values["standstill_days"] or "5",
        "eligibility": {"min_a_level": number(values["min_a_level"] or "0"),
                        "registration_required": values["registration_required"] == "1"},
        "rubric": [{"criterion": r["criterion"], "weight": number(r["weight"])} for r in values["rubric"]
                   if r["criterion"] or r["weight"]],
    }
    if values["bid_deadline"]:
        data["bid_deadline"] = china_time(values["bid_deadline"])
    return data


async def _my_funds(session: Session, user: User) -> list[Any]:
    return (await funds.list_page(session, user, source=None, limit=100, cursor=None)).items


async def _opportunity_form(request: Request, session: Session, user: User, values: dict[str, Any], *,
                            rejected: Rejected | None = None) -> Response:
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_opportunity_form.html", {
        "values": values, "funds": await _my_funds(session, user), "labels": ref.labels[pick_language(request)],
        "regions": ref.place_options, **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=Words.of(request).t("new_opportunity"), status=rejected.status if rejected else 200)


@router.get("/opportunities/new")
async def opportunity_form(request: Request, session: Session, user: Buyer) -> Response:
    return await _opportunity_form(request, session, user, _opportunity_values(None))


@router.post("/opportunities/new")
async def create_opportunity(request: Request, session: Session, user: Buyer) -> Response:
    """Create the opportunity (``POST /opportunities``), earmark its money from one of my funds
    (``POST /opportunities/{id}/funding``) and, when asked, publish it (``…/publish``) — all or nothing: any
    refusal shows the form again with the API's messages and nothing is kept."""
    values = _opportunity_values(await request.form())

    async def publish() -> Any:
        body = OpportunityCreate.model_validate(_opportunity_data(values))
        opp = await opportunity_service.create(session, user=user, data=body.model_dump(mode="python"))
        if values["fund_id"]:
            amount = fen(values["earmark_yuan"]) if values["earmark_yuan"] else opp.budget_fen
            if amount is None:
                raise invalid(["body", "earmark_yuan"], "金额应为元，最多两位小数", "An amount in yuan, at most two decimals")
            await opportunity_flows.fund(session, user, opp.id, parse_uuid(values["fund_id"], "fund"), amount)
        if values["publish"] == "1":
            opp = await opportunity_service.act(session, user=user, opp=opp, action="publish", reason=None)
        return opp

    opp = await attempt(request, publish)
    if isinstance(opp, Rejected):
        return await _opportunity_form(request, session, user, values, rejected=opp)
    return see_other(f"/workspace/buyer/opportunities/{opp.id}?done={'published' if values['publish'] == '1' else 'saved'}")


async def _load_mine(session: Session, user: User, opp_id: str, *, lock: bool = False) -> Any:
    return await opportunity_flows.load(session, user, parse_uuid(opp_id, "opportunity"), lock=lock)


@router.post("/opportunities/{opp_id}/publish")
async def publish(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """Publish a draft (``POST /opportunities/{id}/publish``): the deadline must be set and in the future."""
    opp = await _load_mine(session, user, opp_id, lock=True)
    done = await attempt(request, lambda: opportunity_service.act(session, user=user, opp=opp, action="publish",
                                                                  reason=None))
    if isinstance(done, Rejected):
        return await opportunity_page(request, session, user, opp.id, rejected=done)
    return see_other(f"/workspace/buyer/opportunities/{opp.id}?done=published")


@router.post("/opportunities/{opp_id}/documents")
async def add_document(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """Add a tender document (``POST /opportunities/{id}/documents``) while the opportunity is editable."""
    opp = await _load_mine(session, user, opp_id)
    owner = await documents.read_owner(session, user, OwnerType.opportunity, opp.id)
    form = await request.form()
    fields = {k: str(form.get(k, "")) for k in ("document_type", "title") if form.get(k)}
    doc = await attempt(request, lambda: uploads.add_document(request, session, user, owner, form.get("file"), fields),
                        also=UPLOAD_REFUSALS)
    if isinstance(doc, Rejected):
        return await opportunity_page(request, session, user, opp.id, rejected=doc)
    return see_other(f"/workspace/buyer/opportunities/{opp.id}?done=document")


@router.post("/questions/{question_id}/answer")
async def answer(request: Request, session: Session, user: Buyer, question_id: str) -> Response:
    """Answer a clarification in public (``POST /questions/{id}/answer``); an amendment makes earlier bids
    reconfirm."""
    form = await request.form()
    text = str(form.get("answer", "")).strip()
    amends = form.get("amends_terms") == "1"
    q_id = parse_uuid(question_id, "question")
    done = await attempt(request, lambda: questions.answer(
        session, user, q_id, AnswerIn.model_validate({"answer": text, "amends_terms": amends}).answer, amends))
    if isinstance(done, Rejected):
        opp_id = parse_uuid(str(form.get("opportunity_id", "")), "opportunity")
        return await opportunity_page(request, session, user, opp_id, rejected=done)
    return see_other(f"/workspace/buyer/opportunities/{done.opportunity_id}?done=answered")


@router.post("/opportunities/{opp_id}/close-bidding")
async def close_bidding(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """Close bidding once the deadline has passed (``POST /opportunities/{id}/close-bidding``; the clock also
    does it): the bids are opened to the buyer."""
    opp = await tenders.close_bidding(session, user, parse_uuid(opp_id, "opportunity"))
    return see_other(f"/workspace/buyer/opportunities/{opp.id}?done=closed")


@router.post("/opportunities/{opp_id}/panel/draw")
async def draw_panel(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """Draw the review panel at random from the expert pool (``POST /opportunities/{id}/panel/draw``)."""
    the_id = parse_uuid(opp_id, "opportunity")
    form = await request.form()
    data = {"size": str(form.get("size", "")).strip(), "specialties": [str(v) for v in form.getlist("specialties")]}
    done = await attempt(request, lambda: draws.draw(session, user, the_id, **PanelDrawIn.model_validate(data).model_dump()))
    if isinstance(done, Rejected):
        return await opportunity_page(request, session, user, the_id, rejected=done)
    return see_other(f"/workspace/buyer/opportunities/{the_id}?done=panel")


@router.post("/opportunities/{opp_id}/panel")
async def name_panel(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """Name the panel from the expert pool (``POST /opportunities/{id}/panel``); the review begins."""
    the_id = parse_uuid(opp_id, "opportunity")
    chosen = [str(v) for v in (await request.form()).getlist("expert_user_ids")]

    async def name() -> Any:
        body = PanelIn.model_validate({"expert_user_ids": chosen})
        return await tenders.name_panel(session, user, await tenders.get_opportunity(session, the_id),
                                        body.expert_user_ids)

    done = await attempt(request, name)
    if isinstance(done, Rejected):
        return await opportunity_page(request, session, user, the_id, rejected=done)
    return see_other(f"/workspace/buyer/opportunities/{the_id}?done=panel")


@router.post("/objections/{objection_id}/resolve")
async def resolve(request: Request, session: Session, user: Buyer, objection_id: str) -> Response:
    """Resolve an objection (``POST /objections/{id}/resolve``): upholding it cancels the award. Asked first:
    the first post shows a confirmation page, which posts again with ``confirmed``."""
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("decision", "reason", "opportunity_id")}
    o_id = parse_uuid(objection_id, "objection")
    opp = await _load_mine(session, user, values["opportunity_id"])

    async def check() -> ResolveIn:
        return ResolveIn.model_validate({"decision": values["decision"], "reason": values["reason"]})

    body = await attempt(request, check)
    if isinstance(body, Rejected):
        return await opportunity_page(request, session, user, opp.id, rejected=body)
    words = Words.of(request)
    asked = await confirm_first(request, session, user, item=opp, detail=body.reason,
                                back=f"/workspace/buyer/opportunities/{opp.id}",
                                question=words.t("uphold_question" if body.decision == "upheld" else "dismiss_question"),
                                button=words.t("resolve"))
    if asked is not None:
        return asked
    done = await attempt(request, lambda: tenders.resolve(session, user, o_id, body.decision, body.reason))
    if isinstance(done, Rejected):
        return await opportunity_page(request, session, user, opp.id, rejected=done)
    return see_other(f"/workspace/buyer/opportunities/{opp.id}?done=resolved")


# -- one opportunity ---------------------------------------------------------------------------------------

async def opportunity_page(request: Request, session: Session, user: User, opp_id: uuid.UUID, *,
                           rejected: Rejected | None = None) -> Response:
    """One of my opportunities with what can be done at its stage (and a refused form's messages)."""
    opp = await opportunity_flows.load(session, user, opp_id)
    bids, sealed = await _bids(session, user, opp.id)
    ranked = [] if sealed else await tenders.ranking(session, user, opp.id)
    awards = await tenders.awards_of(session, user, opp.id)
    closed = tenders.is_closed(opp)
    panel = await tenders.panel_names(session, user, opp) if closed else []
    pool: list[tuple[Any, str]] = []
    if opp.status == "bidding_closed" and not panel:
        experts.ensure_reader(user)
        found = (await experts.page(session, specialty=None, q=None, active=True, affiliation=None, limit=100,
                                    cursor=None)).items
        names = await experts.names(session, list(found))
        pool = [(e, names.get(e.user_id, "")) for e in found]
    owner = await documents.read_owner(session, user, OwnerType.opportunity, opp.id)
    docs = [document_out(d) for d in await document_service.list_for(session, owner)]
    asked = await questions.of_opportunity(session, user, opp.id)
    names = await common.organization_names(request, session, [b.organization_id for b, _ in bids]
                                            + [a.organization_id for a, _ in awards])
    english = pick_language(request) == "en"
    ref = await common.reference(request, session)
    return await page(request, session, user, "ws_buyer_opportunity.html", {
        "opp": opp, "bids": bids, "sealed": sealed if not english else "Bids are sealed until bidding closes",
        "ranked": ranked, "org_names": names, "done": request.query_params.get("done", ""), "awards": awards,
        "panel": panel, "pool": pool, "docs": docs, "doc_types": DOCUMENT_TYPES[OwnerType.opportunity], "questions": asked,
        "deadline_passed": opp.bid_deadline is not None and opp.bid_deadline <= now(),
        "labels": ref.labels[pick_language(request)],
        **(rejected.context() if rejected else {"errors": {}, "general": ""}),
    }, title=opp.title, status=rejected.status if rejected else 200)


@router.get("/opportunities/{opp_id}")
async def opportunity(request: Request, session: Session, user: Buyer, opp_id: str) -> Response:
    """One of my opportunities: its documents and questions; after the close its bids (with documents), the
    panel, the ranking, the award and its objections, and the deal."""
    return await opportunity_page(request, session, user, parse_uuid(opp_id, "opportunity"))


@router.get("/opportunities/{opp_id}/award/{bid_id}")
async def award_step(request: Request, session: Session, user: Buyer, opp_id: str, bid_id: str) -> Response:
    """Awarding opens the public standstill: a page that asks first."""
    opp = await opportunity_flows.load(session, user, parse_uuid(opp_id, "opportunity"))
    words = Words.of(request)
    return await confirmation(request, session, user, {
        "item": opp, "action": f"/workspace/buyer/opportunities/{opp.id}/award/{parse_uuid(bid_id, 'bid')}",
        "question": words.t("award_question"), "button": words.t("award"),
        "back": f"/workspace/buyer/opportunities/{opp.id}",
    })


@router.post("/opportunities/{opp_id}/award/{bid_id}")
async def award(request: Request, session: Session, user: Buyer, opp_id: str, bid_id: str) -> Response:
    """Award the bid (``POST /opportunities/{id}/award``); the state machine and the objections rule answer."""
    item = await tenders.award(session, user, parse_uuid(opp_id, "opportunity"), parse_uuid(bid_id, "bid"))
    return see_other(f"/workspace/buyer/opportunities/{opp_id}?done=award&award={item.id}")


# -- my funds ------------------------------------------------------------------------------------------------

@router.get("/funds")
async def fund_list(request: Request, session: Session, user: Buyer, cursor: str | None = CursorParam) -> Response:
    """My organization's funds with their figures (``GET /funds``)."""
    found = await funds.list_page(session, user, source=None, limit=20, cursor=cursor)
    return await page(request, session, user, "ws_funds.html", {
        "items": found.items, "next_cursor": found.next_cursor, "cursor": cursor,
    }, title=Words.of(request).t("my_funds"))


@router.get("/funds/{fund_id}")
async def fund_statement(request: Request, session: Session, user: Buyer, fund_id: str,
                         format: Annotated[str, Query(pattern="^(html|xlsx)$")] = "html") -> Response:
    """A fund's statement (``GET /funds/{id}/statement``): opening balances, every entry, closing balances;
    ``?format=xlsx`` gives the same sheet as the API."""
    fund = await funds.get_visible(session, user, parse_uuid(fund_id, "fund"))
    result = await fund_statements.statement(session, fund, None, None)
    if format == "xlsx":
        return xlsx_response([fund_statements.statement_table(result)], f"{fund.name}对账单.xlsx", "fund-statement.xlsx")
    figures = (await funds.present(session, [fund]))[0]
    return await page(request, session, user, "ws_fund.html", {
        "fund": figures, "table": fund_statements.statement_table(result),
    }, title=fund.name)
