"""Every query on users."""

from __future__ import annotations

from sqlalchemy import select

from exchange.accounts.models import User
from exchange.kit.repository import RepositoryBase


class UserRepository(RepositoryBase[User]):
    model = User

    async def by_username(self, username: str) -> User | None:
        return (await self.session.execute(select(User).where(User.username == username))).scalar_one_or_none()

