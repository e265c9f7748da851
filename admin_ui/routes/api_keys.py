"""API keys for machine clients of /api/v1 (managers and the owner): list, make, revoke.

Managers may make keys as well as the owner: every /api/v1 route is open to a manager's own
login, so no key can do more than the manager who makes it. The whole key is shown once, on
the page that answers the form, and never again (it is not in the session cookie either).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.web import business_timezone, engine_of, redirect, render, text_field
from core.db import session_scope
from core.errors import TeppanError
from core.timeutil import utcnow
from domain.api_keys import service as api_keys
from domain.api_keys.models import ApiKey
from domain.api_keys.rules import RESOURCES, refusal

router = APIRouter(prefix="/api-keys")

#: Form value → lifetime; "" never expires.
EXPIRY_CHOICES = {"": "Never", "30": "In 30 days", "90": "In 90 days", "365": "In a year"}


@dataclass(frozen=True)
class Row:
    key: ApiKey
    state: str  # active, revoked or expired


def _state(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "expired" if refusal(None, key.expires_at, utcnow()) else "active"


@router.get("", name="api_keys")
def key_list(request: Request, _user: ManagerUser) -> Response:
    with Session(engine_of(request)) as session:
        rows = [Row(key, _state(key)) for key in api_keys.all_keys(session)]
        zone = business_timezone(session)
    return render(request, "api_keys/list.html", {"rows": rows, "timezone": zone})


def _render_form(
    request: Request, values: dict[str, str], scopes: list[str], error: str = ""
) -> Response:
    return render(
        request,
        "api_keys/form.html",
        {
            "values": values,
            "chosen": set(scopes),
            "resources": RESOURCES,
            "expiries": EXPIRY_CHOICES,
            "general": [error] if error else [],
        },
        status_code=400 if error else 200,
    )


@router.get("/new")
def new_key(request: Request, _user: ManagerUser) -> Response:
    return _render_form(request, {"name": "", "expires_in_days": ""}, [])


@router.post("/new")
def create_key(request: Request, user: ManagerUser, form: PostedForm) -> Response:
    values = {name: text_field(form, name) for name in ("name", "expires_in_days")}
    scopes = [value for value in form.getlist("scopes") if isinstance(value, str)]
    if values["expires_in_days"] not in EXPIRY_CHOICES:
        return _render_form(request, values, scopes, "Choose when the key expires.")
    days = values["expires_in_days"]
    expires_at = utcnow() + timedelta(days=int(days)) if days else None
    try:
        with session_scope(engine_of(request)) as session:
            made = api_keys.create(
                session,
                name=values["name"],
                scopes=scopes,
                actor=actor_of(user),
                created_by_user_id=user.id,
                expires_at=expires_at,
            )
            zone = business_timezone(session)
    except TeppanError as error:
        return _render_form(request, values, scopes, error.message[0].upper() + error.message[1:])
    response = render(
        request, "api_keys/created.html", {"made": made.api_key, "key": made.key, "timezone": zone}
    )
    response.headers["Cache-Control"] = "no-store"  # the page holds the only copy of the key
    return response


@router.post("/{key_id}/revoke")
def revoke_key(request: Request, user: ManagerUser, _form: PostedForm, key_id: int) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            revoked = api_keys.revoke(session, key_id, actor_of(user))
            name = revoked.name
    except TeppanError as error:
        flash(request, f"Not revoked: {error.message}.")
        return redirect(request, "/api-keys")
    flash(request, f"Revoked API key {name}: calls with it now get 401.")
    return redirect(request, "/api-keys")
