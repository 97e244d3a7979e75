"""How a test plays the attacker who owns the database: past the append-only triggers."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def bypass_append_only(session: AsyncSession) -> None:
    """Let this transaction update and delete audit rows (a superuser on PostgreSQL; the file's owner on SQLite)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        for action in ("update", "delete"):
            await session.execute(text(f"DROP TRIGGER IF EXISTS audit_events_no_{action}"))
