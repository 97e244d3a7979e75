"""Points (幸福积分) over HTTP: one's own ledger, and an admin's corrections."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.accounts.deps import AdminUser, CurrentUser
from exchange.errors import problems
from exchange.kit.http import Session
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.points import service
from exchange.points.schemas import AdjustmentIn, PointsEntryOut, PointsOut

router = APIRouter(route_class=UnitOfWorkRoute, tags=["points"])


@router.get("/me/points", response_model=PointsOut, operation_id="getMyPoints", responses=problems(401))
async def my_points(user: CurrentUser, session: Session) -> PointsOut:
    """The signed-in user's balance and entries (newest first); the balance is the sum of all entries."""
    balance, entries = await service.ledger(session, user.id)
    return PointsOut(balance=balance, entries=[PointsEntryOut.model_validate(e) for e in entries])


@router.post("/users/{user_id}/points/adjustments", response_model=PointsEntryOut, status_code=201,
             operation_id="adjustPoints", responses=problems(401, 403, 404, 409, 422))
async def adjust_points(user_id: str, body: AdjustmentIn, admin: AdminUser, session: Session) -> PointsEntryOut:
    """An admin's correction with a reason; a balance never goes below zero (409 `points_insufficient`)."""
    entry = await service.adjust_checked(session, user_id=parse_uuid(user_id, "user"), amount=body.amount,
                                         reason=body.reason, actor_id=admin.id)
    return PointsEntryOut.model_validate(entry)
