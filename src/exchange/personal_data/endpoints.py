"""A user's rights over their data over HTTP: export and erasure."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.accounts.deps import CurrentUser
from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.routing import UnitOfWorkRoute
from exchange.personal_data import service
from exchange.personal_data.schemas import ErasureIn, ErasureOut, MyData

router = APIRouter(route_class=UnitOfWorkRoute, tags=["accounts"])


@router.get("/me/data", response_model=MyData, operation_id="exportMyData", responses=problems(401, 403))
async def my_data(user: CurrentUser, session: Session) -> MyData:
    """A JSON export of everything the exchange holds about me: account, needs I posted or claimed,
    supports, points, objections and what the audit trail recorded of my actions."""
    return await service.export(session, user)


@router.post("/me/erasure", response_model=ErasureOut, operation_id="eraseMe", responses=problems(401, 403, 409, 422))
async def erase_me(body: ErasureIn, user: CurrentUser, session: Session) -> ErasureOut:
    """Erase my account: my name, username, phone and the text of my needs and objections are
    anonymized, my open needs withdrawn, and every token revoked. The points ledger and the audit chain are kept
    intact (they hold ids and amounts only of an account that is now anonymous)."""
    return await service.erase(session, user, body.password)
