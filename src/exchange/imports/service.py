"""Imports: accept an upload, then check or import it as a job.

A real run is all or nothing: every row goes through the API's schema and service in ONE transaction, each
row behind a savepoint so that every error is found, not just the first; one error and the transaction is
rolled back, so the database is exactly as it was. A dry run does the same and always rolls back. Rows whose
``external_ref`` was imported before are skipped, so importing a file twice creates nothing the second time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import db, events
from exchange.accounts.models import Role, User
from exchange.accounts.repository import UserRepository
from exchange.audit import service as audit
from exchange.errors import VALIDATION_ZH, ExchangeError, forbidden, not_found
from exchange.imports.columns import SHEET_NAMES
from exchange.imports.kinds import KINDS, PREPARE, ImportKind, row_order
from exchange.imports.models import Import, ImportStatus
from exchange.imports.repository import ImportRepository
from exchange.imports.rows import HeaderMap, Lookups, RowError, read_row
from exchange.jobs import queue
from exchange.kit.clock import now
from exchange.kit.memory import gc_paused
from exchange.kit.pagination import Page
from exchange.sheets.reader import SheetProblem, Table, read_table

log = logging.getLogger("exchange.imports")
ORG_ROLES = (Role.org, Role.buyer, Role.community)
JOB_KIND = "import.run"
MAX_ERRORS = 1000  # a file with more errors than this is answered with the first thousand
BATCH = 5000  # rows handed to a domain service at once (offers are written 500 at a time within it)


def ref_scope(user: User) -> str:
    """Whose numbering an ``external_ref`` is: the importing organization's, or the staff's."""
    if user.role in ORG_ROLES and user.organization_id is not None:
        return str(user.organization_id)
    return "staff"


async def accept(session: AsyncSession, *, user: User, kind: str, filename: str, content: bytes,
                 dry_run: bool, max_rows: int) -> Import:
    """Record an upload to be checked (``dry_run``) or imported, and queue the job that does it (committed with
    the request); 403 for a kind the user may not create."""
    spec = KINDS[kind]
    if user.role not in spec.roles:
        raise forbidden(f"无权导入此类数据（{SHEET_NAMES[kind]}）", f"You may not import {kind}", code="role_not_allowed")
    if not content:
        raise ExchangeError("empty_file", 422, "上传的文件是空的", "The uploaded file is empty",
                            errors=[{"loc": ["body", "file"], "msg": "empty file", "msg_zh": "文件为空"}])
    imp = Import(id=uuid.uuid4(), kind=kind, dry_run=dry_run, status=ImportStatus.queued, author_id=user.id,
                 filename=filename[:255], content=content, rows_total=0, rows_done=0, created=0, skipped=0, errors=[])
    session.add(imp)
    await session.flush()
    audit.record(session, actor_id=user.id, action="import.accepted", entity_type="import", entity_id=imp.id,
                 summary={"kind": kind, "dry_run": dry_run, "filename": imp.filename, "bytes": len(content)})
    await queue.enqueue(session, JOB_KIND, {"import_id": str(imp.id), "max_rows": max_rows}, key=f"import:{imp.id}",
                        max_attempts=3)
    return imp


async def run_job(session: AsyncSession, payload: dict[str, Any]) -> None:
    """The job runner's handler for ``import.run`` (listed in :mod:`exchange.scheduled`)."""
    await run_import(session, uuid.UUID(payload["import_id"]), max_rows=int(payload["max_rows"]))


async def get_visible(session: AsyncSession, user: User, import_id: uuid.UUID) -> Import:
    """Its author and admins see an import; anyone else gets 404."""
    imp = await ImportRepository(session).get(import_id)
    if imp is None or (imp.author_id != user.id and user.role != Role.admin):
        raise not_found("import")
    return imp


async def list_visible(session: AsyncSession, user: User, *, limit: int, cursor: str | None) -> Page[Import]:
    """Imports newest first, as :func:`get_visible` lets ``user`` see them: an admin every one, anyone else
    their own."""
    return await ImportRepository(session).page(author_id=None if user.role == Role.admin else user.id, limit=limit,
                                                cursor=cursor)


# -- the job ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    rows_total: int = 0
    rows_done: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)




async def run_import(session: AsyncSession, import_id: uuid.UUID, *, max_rows: int) -> None:
    """The job: check or import one accepted upload, in ``session``'s transaction (the job runner's).

    The rows are created behind a savepoint: with any error, or in a dry run, the savepoint is rolled back
    and only the import's result is written, so the database is exactly as it was. Only a queued import runs."""
    imp = await ImportRepository(session).get(import_id)
    if imp is None or imp.status != ImportStatus.queued:
        return
    user = await UserRepository(session).get(imp.author_id)
    assert user is not None
    outcome = Outcome()
    progress = _progress_writer(session, imp.id)
    try:
        table = await asyncio.to_thread(read_table, imp.content or b"", imp.filename, max_rows=max_rows,
                                        sheet_names=(SHEET_NAMES[imp.kind], imp.kind))
    except SheetProblem as problem:
        outcome.errors.append(RowError(problem.row, problem.column, problem.code, problem.message))
    else:
        outcome.rows_total = len(table.rows)
        await progress(0, outcome.rows_total)
        with gc_paused():  # the rows read and the audit trail queued live to the end: no full collection walks them
            await _apply_all_or_nothing(session, KINDS[imp.kind], user, imp, table, outcome, progress)
    await _record_finish(session, imp, outcome)


async def _apply_all_or_nothing(session: AsyncSession, spec: ImportKind, user: User, imp: Import, table: Table,
                                outcome: Outcome, progress: Progress) -> None:
    queued = {key: len(session.info.get(key, [])) for key in QUEUED_ON_SESSION}
    savepoint = await session.begin_nested()
    try:
        await _apply(session, spec, user, imp, table, outcome, progress)
    except Exception:  # a fault of ours: the import fails and says so; nothing of it stays
        log.exception("import %s failed", imp.id)
        outcome.errors.append(RowError(None, None, "internal_error", "导入时发生内部错误，未导入任何数据"))
    if outcome.errors or imp.dry_run:
        await savepoint.rollback()
        for key, length in queued.items():  # what the rolled-back rows queued for the commit goes with them
            if key in session.info:
                del session.info[key][length:]
        for key in MEMOS_ON_SESSION:
            session.info.pop(key, None)
        if not imp.dry_run:
            outcome.created = 0
    else:
        await savepoint.commit()


Progress = Callable[[int, int], Awaitable[None]]
# Lists the services queue on the session for its commit (audit trail, events): trimmed when rows roll back.
QUEUED_ON_SESSION = ("audit_pending", "events_pending")
MEMOS_ON_SESSION = ("regions_read", "vocabulary_codes")


def _progress_writer(session: AsyncSession, import_id: uuid.UUID) -> Progress:
    """``status``, ``rows_done`` and ``rows_total`` written from a second connection while the import's own
    transaction is open, so that ``GET /imports/{id}`` shows progress. SQLite lets one transaction write at a
    time, so there the import reads ``queued`` until it has finished."""
    bind = session.bind
    if bind is None or bind.dialect.name == "sqlite":
        async def nothing(done: int, total: int) -> None:
            return None

        return nothing
    factory = db.create_session_factory(bind)  # type: ignore[arg-type]

    async def report(done: int, total: int) -> None:
        if done == 0 or done % max(200, total // 50) == 0:
            async with db.unit_of_work(factory) as other:
                await ImportRepository(other).set_fields(import_id, status=ImportStatus.running, rows_total=total,
                                                         rows_done=done)

    return report


async def _apply(session: AsyncSession, spec: ImportKind, user: User, imp: Import, table: Table, outcome: Outcome,
                 progress: Progress) -> None:
    header = HeaderMap.build(table.headers, spec.columns)
    outcome.errors.extend(header.errors)
    if any(e.code in ("missing_column", "duplicate_column") for e in header.errors):
        return
    lookups = await Lookups(session).load()
    scope = ref_scope(user)
    known = await ImportRepository(session).known_refs(spec.name, scope)
    read: list[tuple[int, dict[str, Any]]] = []
    for number, cells in table.rows:
        data, errors = await read_row(lookups, header, number, cells, table.formula_cells)
        outcome.errors.extend(errors)
        read.append((number, data if not errors else {}))
    seen_refs: dict[str, int] = {}
    batch: list[tuple[int, Any, dict[str, Any]]] = []
    for number, data in row_order(spec.name, read):
        outcome.rows_done += 1
        await progress(outcome.rows_done, outcome.rows_total)
        if not data:
            continue
        ref = data.get("external_ref")
        if ref is not None:
            if ref in seen_refs:
                outcome.errors.append(RowError(number, header.letter_of("external_ref"), "duplicate_ref",
                                               f"外部编号「{ref}」与第 {seen_refs[ref]} 行重复"))
                continue
            seen_refs[ref] = number
            if ref in known:
                outcome.skipped += 1
                continue
        fields, extra = spec.split(PREPARE.get(spec.name, dict)(dict(data)))
        try:
            batch.append((number, spec.schema.model_validate(fields), extra))
        except ValidationError as exc:
            outcome.errors.extend(_schema_errors(exc, header, number))
        if len(batch) >= BATCH:
            await _create_rows(session, spec, user, imp, header, batch, lookups, scope, outcome)
            batch = []
        if len(outcome.errors) >= MAX_ERRORS:
            return
    await _create_rows(session, spec, user, imp, header, batch, lookups, scope, outcome)


async def _create_rows(session: AsyncSession, spec: ImportKind, user: User, imp: Import, header: HeaderMap,
                       batch: list[tuple[int, Any, dict[str, Any]]], lookups: Lookups, scope: str,
                       outcome: Outcome) -> None:
    if not batch:
        return
    results = await spec.create_rows(session, user, [(body, extra) for _, body, extra in batch], lookups)
    refs = []
    for (number, _, extra), result in zip(batch, results, strict=True):
        if isinstance(result, ExchangeError):
            outcome.errors.append(_service_error(result, header, number))
        elif result is None:
            outcome.skipped += 1
        else:
            outcome.created += 1
            if extra.get("external_ref") is not None:
                refs.append({"kind": spec.name, "scope": scope, "external_ref": str(extra["external_ref"])[:100],
                             "entity_id": result, "import_id": imp.id, "created_at": now()})
    await ImportRepository(session).add_refs(refs)


def _column_for(loc: list[Any] | tuple[Any, ...], header: HeaderMap) -> str | None:
    parts = [p for p in loc if p != "body"]
    if not parts:
        return None
    key = str(parts[0])
    if key == "eligibility" and len(parts) > 1:
        key = str(parts[1])
    return header.letter_of(key) or header.letter_of(key.removesuffix("s"))


def _schema_errors(exc: ValidationError, header: HeaderMap, number: int) -> list[RowError]:
    out = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        column = _column_for(loc, header)
        key = str(loc[0]) if loc else ""
        name = next((c.zh for c, _ in header.positions.values() if c.key == key), key)
        kind = str(err.get("type"))
        zh = VALIDATION_ZH.get(kind, "取值无效")
        detail = _constraint_zh(err.get("ctx") or {})
        message = f"「{name}」：{zh}{detail}" if kind != "missing" else f"「{name}」：必填，不能为空"
        out.append(RowError(number, column, kind, message))
    return out


def _constraint_zh(ctx: dict[str, Any]) -> str:
    for key, zh in (("min_length", "至少 {} 个字符"), ("max_length", "最多 {} 个字符"), ("ge", "不小于 {}"),
                    ("le", "不大于 {}"), ("gt", "大于 {}"), ("lt", "小于 {}")):
        if key in ctx:
            return f"（{zh.format(ctx[key])}）"
    if "error" in ctx:
        return f"（{ctx['error']}）"
    return ""


def _service_error(exc: ExchangeError, header: HeaderMap, number: int) -> RowError:
    loc = (exc.errors or [{}])[0].get("loc") or []
    return RowError(number, _column_for(loc, header), exc.code, exc.zh)


async def _record_finish(session: AsyncSession, imp: Import, outcome: Outcome) -> None:
    """The import's result, in the job's transaction (with the rows when they were created)."""
    errors = sorted(outcome.errors, key=lambda e: (e.row or 0, e.column or ""))[:MAX_ERRORS]
    status = ImportStatus.failed if errors else ImportStatus.succeeded
    await ImportRepository(session).set_fields(
        imp.id, status=status, rows_total=outcome.rows_total, rows_done=outcome.rows_done, created=outcome.created,
        skipped=outcome.skipped, errors=[e.as_dict() for e in errors], content=None, finished_at=now())
    audit.record(session, actor_id=imp.author_id, action="import.finished", entity_type="import", entity_id=imp.id,
                 summary={"kind": imp.kind, "dry_run": imp.dry_run, "status": status, "created": outcome.created,
                          "skipped": outcome.skipped, "errors": len(errors)})
    events.record(session, events.ImportFinished(import_id=imp.id, kind=imp.kind, status=status,
                                                 audience=events.Audience.only(users=[imp.author_id])))
