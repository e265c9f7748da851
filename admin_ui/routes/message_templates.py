"""The texts customers receive about their booking, in the owner's words (manager and up).

Each kind of text shows its current wording; editing one previews it as a customer would read
it (with sample values and the business's own name, number and review link), live while typing
through the JSON preview, and with the "Preview" button without JavaScript. Saving refuses
unknown placeholders with the list of those that work; "Use our wording" goes back to the
default.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.web import engine_of, redirect, render
from core.db import session_scope
from core.errors import NotFoundError
from domain.business import service as business
from domain.customers.rules import format_phone_for_display
from domain.messaging import templates
from domain.messaging.models import TemplateKind

router = APIRouter(prefix="/message-templates")


def _kind(raw: str) -> TemplateKind:
    try:
        return TemplateKind(raw)
    except ValueError:
        raise NotFoundError(f"there is no {raw!r} text") from None


def _business_values(session: Session) -> dict[str, str]:
    """The preview shows the business's own name, number and review link."""
    settings = business.get_settings(session)
    values = {
        "business_name": settings.name,
        "business_phone": format_phone_for_display(settings.phone_number),
    }
    if settings.review_link.strip():
        values["review_link"] = settings.review_link.strip()
    return values


def _preview(kind: TemplateKind, body: str, own: dict[str, str]) -> dict[str, Any]:
    try:
        shown = templates.preview(kind, body, own)
    except templates.TemplateError as problem:
        return {"ok": False, "error": problem.message}
    return {
        "ok": True,
        "text": shown.text,
        "characters": shown.length.characters,
        "segments": shown.length.segments,
        "unicode": shown.length.unicode,
    }


@router.get("", name="message_templates")
def list_page(request: Request, _user: ManagerUser) -> Response:
    with Session(engine_of(request)) as session:
        views = templates.list_templates(session)
        own = _business_values(session)
        review_link_set = bool(business.get_settings(session).review_link.strip())
    rows = [(view, _preview(view.kind, view.body, own)) for view in views]
    return render(
        request,
        "messaging/templates.html",
        {"rows": rows, "review_link_set": review_link_set},
    )


def _edit_page(
    request: Request,
    kind: TemplateKind,
    body: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with Session(engine_of(request)) as session:
        view = templates.view(session, kind)
        own = _business_values(session)
    return render(
        request,
        "messaging/edit.html",
        {
            "view": view,
            "body": body,
            "error": error,
            "preview": _preview(kind, body, own),
            "placeholders": [(name, templates.PLACEHOLDERS[name]) for name in view.placeholders],
            "limit": templates.BODY_LIMIT,
        },
        status_code=status_code,
    )


@router.get("/{kind}")
def edit_page(request: Request, _user: ManagerUser, kind: str) -> Response:
    chosen = _kind(kind)
    with Session(engine_of(request)) as session:
        body = templates.current_body(session, chosen)
    return _edit_page(request, chosen, body)


def _posted_body(form: Any) -> str:
    value = form.get("body")
    return value if isinstance(value, str) else ""


@router.post("/{kind}")
def save(request: Request, user: ManagerUser, form: PostedForm, kind: str) -> Response:
    chosen = _kind(kind)
    body = _posted_body(form)
    try:
        with session_scope(engine_of(request)) as session:
            changed = templates.update_template(session, chosen, body, actor_of(user))
    except templates.TemplateError as problem:
        return _edit_page(request, chosen, body, problem.message, status_code=400)
    title = templates.TITLES[chosen]
    flash(request, f"{title} text saved." if changed else "Nothing changed.")
    return redirect(request, "/message-templates")


@router.post("/{kind}/reset")
def reset(request: Request, user: ManagerUser, _form: PostedForm, kind: str) -> Response:
    chosen = _kind(kind)
    with session_scope(engine_of(request)) as session:
        changed = templates.reset_template(session, chosen, actor_of(user))
    title = templates.TITLES[chosen]
    flash(request, f"{title} text is back to our wording." if changed else "Nothing changed.")
    return redirect(request, "/message-templates")


@router.post("/{kind}/preview")
def preview(request: Request, _user: ManagerUser, form: PostedForm, kind: str) -> Response:
    """JSON for the live preview; without JavaScript, the edit page with the preview shown."""
    chosen = _kind(kind)
    body = _posted_body(form)
    if "application/json" in request.headers.get("accept", ""):
        with Session(engine_of(request)) as session:
            own = _business_values(session)
        return JSONResponse(_preview(chosen, body, own))
    return _edit_page(request, chosen, body)
