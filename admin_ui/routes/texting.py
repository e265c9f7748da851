"""Texting and consent: the owner's emergency switch, texts waiting or refused, and the consent
log (who agreed to texts or stopped them, when and how)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import customer_names
from admin_ui.web import business_timezone, engine_of, page_links, redirect, render
from core.db import session_scope
from domain.business import service as business
from domain.messaging import consent
from domain.messaging.models import MessageStatus

router = APIRouter(prefix="/texting")


@router.get("", name="texting")
def texting(
    request: Request,
    _user: ManagerUser,
    number: str = Query(default="", max_length=40),
    page: int = Query(default=1, ge=1, le=10_000),
) -> Response:
    with Session(engine_of(request)) as session:
        records = consent.search_records(session, number, page)
        held = consent.texts_not_sent(session, MessageStatus.HELD)
        suppressed = consent.texts_not_sent(session, MessageStatus.SUPPRESSED, limit=25)
        context = {
            "paused": business.get_settings(session).texting_paused,
            "number": number,
            "records": records,
            "pages": page_links(request, records),
            "held": held,
            "suppressed": suppressed,
            "customers": customer_names(
                session, [r.customer_id for r in records.items if r.customer_id is not None]
            ),
            "timezone": business_timezone(session),
        }
    return render(request, "texting/index.html", context)


@router.post("/pause")
def pause(request: Request, user: ManagerUser, _form: PostedForm) -> Response:
    return _switch(request, user, paused=True)


@router.post("/resume")
def resume(request: Request, user: ManagerUser, _form: PostedForm) -> Response:
    return _switch(request, user, paused=False)


def _switch(request: Request, user: ManagerUser, *, paused: bool) -> Response:
    with session_scope(engine_of(request)) as session:
        business.update_settings(
            session,
            {"texting_paused": paused},
            actor_of(user),
            "Paused every outbound text" if paused else "Resumed outbound texts",
        )
    flash(
        request,
        "Texting paused: no text leaves until you resume. Waiting texts are kept."
        if paused
        else "Texting resumed: waiting texts go out within five minutes, in allowed hours.",
    )
    return redirect(request, "/texting")
