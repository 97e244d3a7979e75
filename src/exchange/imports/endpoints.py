"""Imports over HTTP: templates, uploads, and how an upload went."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from exchange.accounts.deps import CurrentUser
from exchange.errors import ExchangeError, problems
from exchange.imports import service, templates
from exchange.imports.columns import SHEET_NAMES
from exchange.imports.models import ImportKind
from exchange.imports.schemas import ImportOut
from exchange.kit.http import API_PREFIX, Session
from exchange.kit.ids import parse_uuid
from exchange.kit.routing import UnitOfWorkRoute
from exchange.sheets.writer import XLSX_TYPE, attachment

router = APIRouter(route_class=UnitOfWorkRoute, tags=["imports"])
XLSX_RESPONSE = {200: {"content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                       "description": "An .xlsx workbook"}}


@router.get("/imports/templates/{kind}", operation_id="getImportTemplate", response_class=Response,
            responses={**XLSX_RESPONSE, **problems(401, 404)})
async def get_template(kind: str, user: CurrentUser, session: Session) -> Response:
    """The import template of a kind (`opportunities`, `offers`, `needs`, `organizations`, `users`, `regions`):
    Chinese headers, an example row, drop-down lists for codes and a sheet 说明 with every allowed code."""
    if kind not in ImportKind.__members__:
        raise ExchangeError("import_kind_not_found", 404, f"没有此类导入：{kind}", f"No such import kind: {kind}")
    content = await templates.template(session, kind)
    return Response(content, media_type=XLSX_TYPE,
                    headers=attachment(f"{SHEET_NAMES[kind]}导入模板.xlsx", f"{kind}-template.xlsx"))


@router.post("/imports", response_model=ImportOut, status_code=202, operation_id="createImport",
             responses=problems(401, 403, 413, 422))
async def create_import(
    request: Request, user: CurrentUser, session: Session, response: Response,
    file: Annotated[UploadFile, File(description=".xlsx, or .csv in UTF-8 (with or without BOM) or GB18030")],
    kind: Annotated[ImportKind, Form()],
    dry_run: Annotated[bool, Form(description="Only check the rows (default); false imports them, all or nothing")] = True,
) -> ImportOut:
    """Upload a sheet to check (`dry_run`, the default) or import. Answers 202 with the import; follow it with
    `GET /imports/{id}`: every row is checked as the API checks it, and errors come back as
    `{row, column, code, message}`. A real run creates everything or nothing; rows whose `external_ref` was
    imported before are skipped. Admins and managers import any kind the API lets them create; a buyer
    imports opportunities, an organization its offers. The upload limit is `EXCHANGE_IMPORT_MAX_BYTES`."""
    content = await file.read()
    imp = await service.accept(session, user=user, kind=kind.value, filename=file.filename or "upload",
                               content=content, dry_run=dry_run, max_rows=request.app.state.settings.import_max_rows)
    response.headers["Location"] = f"{API_PREFIX}/imports/{imp.id}"
    return ImportOut.model_validate(imp)


@router.get("/imports/{import_id}", response_model=ImportOut, operation_id="getImport", responses=problems(401, 404))
async def get_import(import_id: str, user: CurrentUser, session: Session) -> ImportOut:
    """An import: its status, progress (`rows_done` of `rows_total`), what it created or skipped, every error.
    Its author and admins only."""
    imp = await service.get_visible(session, user, parse_uuid(import_id, "import"))
    return ImportOut.model_validate(imp)
