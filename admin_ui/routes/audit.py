"""The audit log: every change by a person or a workflow, newest first (owner only)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import OwnerUser
from admin_ui.web import business_timezone, engine_of, page_links, render
from domain.audit import service as audit

router = APIRouter()

PER_PAGE = 50
ENTITY_TYPES = (
    "booking",
    "quote",
    "customer",
    "call",
    "extension",
    "task",
    "user",
    "message",
    "payment",
    "business",
    "package",
    "add_on",
)


@router.get("/audit", name="audit")
def audit_log(
    request: Request,
    _user: OwnerUser,
    q: str = Query(default="", max_length=200),
    entity: str = Query(default="", max_length=40),
    page: int = Query(default=1, ge=1),
) -> Response:
    with Session(engine_of(request)) as session:
        found = audit.search(
            session, text=q.strip(), entity_type=entity or None, page=page, per_page=PER_PAGE
        )
        zone = business_timezone(session)
    return render(
        request,
        "audit/list.html",
        {
            "q": q,
            "entity": entity,
            "entity_types": ENTITY_TYPES,
            "result": found,
            "pages": page_links(request, found),
            "timezone": zone,
        },
    )
