"""Vocabularies over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Response

from exchange.accounts.deps import AdminUser
from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.vocabularies import service
from exchange.vocabularies.repository import VocabularyRepository
from exchange.vocabularies.schemas import Term, TermCreate, Vocabularies

router = APIRouter(route_class=UnitOfWorkRoute, tags=["vocabularies"])


@router.get("/vocabularies", response_model=Vocabularies, operation_id="getVocabularies")
async def get_vocabularies(session: Session, response: Response) -> Vocabularies:
    """Service categories and target groups with Chinese and English labels."""
    terms = await VocabularyRepository(session).all()
    response.headers["Cache-Control"] = "public, max-age=60"
    return Vocabularies(
        categories=[Term.model_validate(t) for t in terms if t.kind == "category"],
        target_groups=[Term.model_validate(t) for t in terms if t.kind == "target_group"],
    )


@router.post("/vocabularies", response_model=Term, status_code=201, operation_id="addVocabularyTerm",
             responses=problems(401, 403, 409, 422))
async def add_term(body: TermCreate, admin: AdminUser, session: Session) -> Term:
    """Add a category or target-group code (admin)."""
    term = await service.add_term(session, actor_id=admin.id, kind=body.kind, code=body.code, zh=body.zh, en=body.en)
    return Term.model_validate(term)
