"""Every query on users."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from exchange.accounts.models import Role, User
from exchange.kit.pagination import Page, SortKey
from exchange.kit.repository import RepositoryBase


class UserRepository(RepositoryBase[User]):
    model = User

    async def by_username(self, username: str) -> User | None:
        return (await self.session.execute(select(User).where(User.username == username))).scalar_one_or_none()

    async def page(self, *, role: Role | None, q: str | None, active: bool | None, limit: int,
                   cursor: str | None) -> Page[User]:
        """Users, newest first; ``q`` is a case-insensitive substring of the username or display name."""
        stmt = select(User)
        if role is not None:
            stmt = stmt.where(User.role == role.value)
        if active is not None:
            stmt = stmt.where(User.is_active.is_(active))
        if q:
            escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            stmt = stmt.where(or_(func.lower(User.username).like(pattern, escape="\\"),
                                  func.lower(User.display_name).like(pattern, escape="\\")))
        keys = [SortKey(User.created_at, descending=True), SortKey(User.id, descending=True)]
        return await self.list_page(stmt, keys, limit=limit, cursor=cursor, tag="users")
