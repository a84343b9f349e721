"""Bulk import of dossiers from the one-stop system's export (CSV or XLSX).

``POST /api/v1/imports/dossiers`` (multipart ``file``; ``mode=all|valid_only``,
``dry_run``): 200 with the per-row report when it wrote (or, dry run, would write)
everything asked; 422 ``import_refused`` with the same report when rows are refused
and nothing was written. A file that cannot be read at all (header, format) is a 422
with its own code. ``/imports`` is the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api_core.deps import SessionDep, require_roles
from api_core.errors import error_responses
from logistics.imports import reading, service
from logistics.models import User
from logistics.models.enums import Role

router = APIRouter(prefix="/api/v1/imports", tags=["imports"], responses=error_responses(401, 403, 422))
pages = APIRouter(tags=["import pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))

Importer = Annotated[User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN))]


def _report_body(report: service.ImportReport) -> dict[str, Any]:
    return {
        "written": report.written, "mode": report.mode, "dry_run": report.dry_run, "counts": report.counts,
        "rows": [
            {"line": r.line, "dossier_code": r.dossier_code, "leg": r.leg, "status": r.status,
             "errors": [{"column": e.column, "code": e.code, "message": e.message} for e in r.errors]}
            for r in report.rows
        ],
    }


@router.post("/dossiers", summary="Import dossiers and legs from a CSV or XLSX file (Nhập hồ sơ từ tệp)")
async def import_dossiers(
    session: SessionDep,
    actor: Importer,
    file: UploadFile,
    mode: Annotated[service.Mode, Query(description="all: nothing unless every row is valid; valid_only: the valid dossiers")] = service.Mode.ALL,
    dry_run: Annotated[bool, Query(description="check only, write nothing")] = False,
) -> Any:
    content = await file.read(reading.MAX_BYTES + 1)
    _header, rows = reading.read_table(file.filename or "", content)
    report = service.import_rows(session, actor=actor, rows=rows, mode=mode, dry_run=dry_run,
                                 source=file.filename or "")
    body = _report_body(report)
    if report.ok or report.written:
        return body
    refused = report.counts.get("error", 0)
    return JSONResponse(status_code=422, content={
        "error": "import_refused",
        "detail": f"{refused} row(s) refused; nothing was written. Fix them or import the valid rows only.",
        **body,
    })


@router.get("/template.csv", summary="An empty import file with every column", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the columns"}})
def template() -> Any:
    return Response(",".join(reading.COLUMNS) + "\n", media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="mau-nhap-ho-so.csv"'})


@pages.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, lang: Literal["vi", "en"] = "vi") -> HTMLResponse:
    return templates.TemplateResponse(request, "reports/imports.html", {"lang": lang, "columns": reading.COLUMNS,
                                                                        "required": reading.REQUIRED})
