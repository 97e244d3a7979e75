"""A user's rights over their data: a JSON export of everything held, and erasure.

Erasure anonymizes the account (name, username, phone, password) and the free text the user wrote
(needs, objections); it never touches the ledgers (points, funds) or the audit chain, which stay
intact and verifiable — they hold ids and amounts, and the account they point to is now anonymous.
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.accounts.schemas import UserAdminOut
from exchange.accounts.service import revoke_tokens
from exchange.audit import service as audit
from exchange.audit.schemas import AuditEventOut
from exchange.errors import ExchangeError, invalid
from exchange.kit.clock import now
from exchange.kit.security import hash_password_async, verify_password_async
from exchange.needs import service as needs
from exchange.needs.schemas import NeedOut
from exchange.personal_data.repository import PersonalDataRepository
from exchange.personal_data.schemas import ErasureOut, MyData, SupportOut
from exchange.points.schemas import PointsEntryOut
from exchange.tenders.schemas import ObjectionOut

ERASED_NAME = "已注销用户"
ERASED_TEXT = "（内容已应本人要求删除）"
KEPT = [
    "points ledger entries (amounts and need ids): the ledger is append-only",
    "audit events: the hash chain must stay verifiable",
    "the account id, so the ledgers and the audit chain still point to one (now anonymous) account",
]


async def export(session: AsyncSession, user: User) -> MyData:
    repo = PersonalDataRepository(session)
    return MyData(
        exported_at=now(),
        account=UserAdminOut.model_validate(user),
        needs=[NeedOut.model_validate(n) for n in await repo.needs_of(user.id)],
        supports=[SupportOut.model_validate(s) for s in await repo.supports_of(user.id)],
        points=[PointsEntryOut.model_validate(p) for p in await repo.points_of(user.id)],
        objections=[ObjectionOut.model_validate(o) for o in await repo.objections_of(user.id)],
        activity=[AuditEventOut.model_validate(e) for e in await repo.audit_by(user.id)],
        notes={"password": "stored only as an argon2 hash, not exported"},
    )


async def erase(session: AsyncSession, user: User, password: str) -> ErasureOut:
    """Anonymize the account and what it wrote; the user is signed out everywhere."""
    if user.role == "admin":
        raise ExchangeError("admin_cannot_erase", 409, "管理员账号不能自行注销，请先由其他管理员变更角色",
                            "An administrator account cannot erase itself; have another admin change its role first")
    if not await verify_password_async(user.password_hash, password):
        raise invalid(["body", "password"], "密码不正确", "The password is wrong", code="wrong_password")
    repo = PersonalDataRepository(session)
    erased_needs = 0
    for need in await repo.needs_of(user.id, lock=True):
        if need.requester_id == user.id:
            await needs.anonymize(session, need, title=ERASED_TEXT, description="")
            erased_needs += 1
    objections = await repo.objections_of(user.id, lock=True)
    for objection in objections:
        objection.reason = ERASED_TEXT
    at = now()
    user.username = f"erased-{uuid.uuid4().hex[:16]}"
    user.display_name, user.phone, user.region_code = ERASED_NAME, None, None
    user.password_hash = await hash_password_async(secrets.token_urlsafe(32))  # nobody knows it
    user.is_active, user.must_change_password, user.erased_at = False, False, at
    revoke_tokens(user)
    await session.flush()
    audit.record(session, actor_id=user.id, action="user.erased", entity_type="user", entity_id=user.id,
                 summary={"needs": erased_needs, "objections": len(objections)})
    return ErasureOut(erased_at=at, needs_anonymized=erased_needs, objections_anonymized=len(objections), kept=KEPT)
