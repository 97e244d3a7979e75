"""Engine, session factory, declarative base and the unit of work.

One unit of work per request or command: services ``flush()`` when they need ids and never
commit; :func:`unit_of_work` runs the registered pre-commit hooks (the audit chain writes its
events there), commits once, and rolls back on any error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, MetaData, Table, Uuid, event, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PreCommitHook = Callable[[AsyncSession], Awaitable[None]]
READ_ONLY_OPTION = "exchange_read_only"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Every table; constraint names follow one convention so migrations stay stable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime, uuid.UUID: Uuid, dict[str, Any]: JSONType}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def _json_text(value: Any) -> str:
    """JSON columns' text, written by orjson (some five times faster than :mod:`json`; an import writes a
    hundred thousand analyses and two hundred thousand audit summaries). Keys that are not text are written
    as text, as :func:`json.dumps` writes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and serialized write transactions."""
    json_options: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, **json_options)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800, **json_options
    )


async def insert_many(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dictionaries with the same keys: the columns to fill) in one executemany, in ``conn``'s
    transaction; columns the rows leave out take their server defaults.

    On SQLite the rows go to the driver with each column's bind processing (UUIDs, UTC times, JSON) looked up
    once per column: SQLAlchemy's own executemany resolves it again for every value, which costs a 100,000-row
    import some ten seconds. Elsewhere, SQLAlchemy's executemany."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        await conn.execute(insert(table), rows)
        return
    columns = [table.c[key] for key in rows[0]]
    processors = [(c.key, _remembering(process) if isinstance(c.type, UTCDateTime | DateTime) and process else process)
                  for c in columns for process in [c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)]]
    plain = [key for key, process in processors if process is None]
    if len(plain) == len(processors):
        values = [tuple(row[key] for key in plain) for row in rows]
    else:
        values = [tuple(row[key] if process is None else process(row[key]) for key, process in processors)
                  for row in rows]
    names = ", ".join(f'"{c.name}"' for c in columns)
    await conn.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', values)  # noqa: S608


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` answering a value it has seen from memory: a bulk insert's rows mostly share their times."""
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = process(value)
            return out

    return remembered


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE below is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # Reads through a memory map: a long list or an export reads pages without a system call each.
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            # A read: a deferred transaction takes no lock, so in WAL mode readers never wait for a
            # writer nor for each other; query_only makes a write attempted by mistake fail loudly.
            conn.exec_driver_sql("PRAGMA query_only=ON")
            conn.exec_driver_sql("BEGIN")
        else:
            # A write takes the write lock up front, so it can never fail to upgrade a read lock
            # half-way, and writers queue (busy_timeout) instead of colliding.
            conn.exec_driver_sql("PRAGMA query_only=OFF")
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def add_pre_commit_hook(session: AsyncSession, hook: PreCommitHook, *, order: int = 10) -> None:
    """Run ``hook`` once, just before this session's unit of work commits.

    Hooks run by ``order`` (then by registration), whatever order they were added in, so that the
    locks they take (the audit chain's head, then the events' head) are always taken in one order."""
    hooks: list[tuple[int, PreCommitHook]] = session.info.setdefault("pre_commit_hooks", [])
    if all(h is not hook for _, h in hooks):
        hooks.append((order, hook))


async def commit(session: AsyncSession) -> None:
    """Run the pre-commit hooks, then commit: the only commit path in the application."""
    for _, hook in sorted(session.info.pop("pre_commit_hooks", []), key=lambda item: item[0]):
        await hook(session)
    await session.commit()


@asynccontextmanager
async def unit_of_work(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session that commits once on success and rolls back on any exception."""
    async with factory() as session:
        try:
            yield session
            await commit(session)
        except BaseException:
            session.info.pop("pre_commit_hooks", None)
            await session.rollback()
            raise


async def begin_read_only(session: AsyncSession) -> None:
    """Make ``session``'s transaction a read: it is never committed, and on SQLite it takes no lock and
    refuses to write. Services that bring state up to the clock show it instead of writing it
    (:func:`is_read_only`)."""
    session.info[READ_ONLY_OPTION] = True
    await session.connection(execution_options={READ_ONLY_OPTION: True})


def is_read_only(session: AsyncSession) -> bool:
    return bool(session.info.get(READ_ONLY_OPTION))


@asynccontextmanager
async def read_only(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for reading only; it never commits (closing it ends the transaction)."""
    async with factory() as session:
        await begin_read_only(session)
        yield session


def _utcnow() -> dt.datetime:
    from exchange.kit.clock import now

    return now()


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=_utcnow, onupdate=_utcnow)
