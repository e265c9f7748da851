"""Rendering helpers shared by every admin page: templates, links, formats, pagination, forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from core.money import dollars
from core.pagination import Page
from core.settings import Settings
from core.timeutil import to_local
from domain.business import service as business
from domain.business.models import BusinessSettings
from domain.customers.rules import format_phone_for_display
from domain.tasks.models import Task, TaskStatus

HERE = Path(__file__).resolve().parent
CALLBACK = "callback"  # the kind of task a missed call raises
DEFAULT_TIMEZONE = "America/Los_Angeles"

templates = Jinja2Templates(directory=str(HERE / "templates"))


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def href(request: Request, path: str, **query: Any) -> str:
    """A path under the mount point (/admin), so links work wherever the panel is mounted.

    `url_for` is not used: inside a mounted app it resolves names against the parent's router.
    """
    root = str(request.scope.get("root_path", "")).rstrip("/")
    params = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{root}{path}" + (f"?{urlencode(params)}" if params else "")


def local_time(value: datetime | None, timezone: str, fmt: str = "%a %d %b %Y, %-I:%M %p") -> str:
    if value is None:
        return ""
    return to_local(value, timezone).strftime(fmt)


def phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_phone_for_display(value)
    except Exception:  # a number stored before normalisation still shows, just unformatted
        return value


templates.env.filters["dollars"] = dollars
templates.env.filters["phone"] = phone


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str | None  # None: the current page, or a gap ("…")
    current: bool = False


def page_links(request: Request, page: Page[Any]) -> list[PageLink]:
    """Links to the first, last and nearby pages, keeping the other query parameters."""
    if page.pages <= 1:
        return []
    wanted = {1, page.pages, *range(page.page - 2, page.page + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= page.pages)
    query = {key: value for key, value in request.query_params.items() if key != "page"}
    links: list[PageLink] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            links.append(PageLink("…", None))
        if number == page.page:
            links.append(PageLink(str(number), None, current=True))
        else:
            target = urlencode({**query, "page": number})
            links.append(PageLink(str(number), f"{request.url.path}?{target}"))
        previous = number
    return links


def field_errors(error: ValidationError) -> tuple[dict[str, str], list[str]]:
    """Messages by form field, and the ones that belong to no single field."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if location:
            by_field.setdefault(location[0], message)
        else:
            general.append(message)
    return by_field, general


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    from admin_ui.auth import csrf_token, pop_flashes

    settings = settings_of(request)
    full: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "sandbox_enabled": settings.uses_ringcentral_sandbox,
        "u": lambda path, **query: href(request, path, **query),
        "timezone": DEFAULT_TIMEZONE,
    }
    if full["user"] is not None:
        with Session(engine_of(request)) as session:
            full["callbacks_open"] = open_callbacks(session)
            full["texting_paused"] = business.texting_paused(session)
    full.update(context or {})
    timezone = str(full["timezone"])
    full["when"] = lambda value, fmt="%a %d %b %Y, %-I:%M %p": local_time(value, timezone, fmt)
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def open_callbacks(session: Session) -> int:
    """Callers nobody could take, still to call back: shown in the menu and the dashboard."""
    count = session.exec(
        select(func.count()).where(Task.status == TaskStatus.OPEN, Task.kind == CALLBACK)
    ).one()
    return int(count)


def business_timezone(session: Session) -> str:
    found = session.get(BusinessSettings, 1)
    return found.timezone if found is not None else DEFAULT_TIMEZONE


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def int_or_none(raw: str) -> int | None:
    """A select's value: empty means none; anything else not a number is left to validation."""
    return int(raw) if raw.strip().isdigit() else None


def redirect(request: Request, path: str, **query: Any) -> RedirectResponse:
    # 303 so the browser follows a POST with a GET (post/redirect/get).
    return RedirectResponse(href(request, path, **query), status_code=303)
