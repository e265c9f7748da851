"""The customer's quote page: `/q/{token}` shows the price and its breakdown; accepting it
turns the quote into a booking and tells the quote's workflow to confirm by text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import SessionDep
from core.errors import TeppanError
from core.money import dollars
from core.timeutil import to_local
from domain.audit.service import Actor
from domain.business import service as business
from domain.customers import service as customers
from domain.quotes import service as quotes
from domain.quotes.models import Quote
from domain.quotes.rules import meters_to_miles
from workflows.quote_signals import tell_quote_decided

router = APIRouter(tags=["public"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["dollars"] = dollars


def _context(session: SessionDep, quote: Quote, **extra: Any) -> dict[str, Any]:
    settings = business.get_settings(session)
    zone = settings.timezone

    def local(value: datetime | None, fmt: str = "%A %B %d, %Y at %I:%M %p") -> str:
        return to_local(value, zone).strftime(fmt).replace(" 0", " ") if value else ""

    start = to_local(quote.requested_start, zone) if quote.requested_start else None
    return {
        "business": settings,
        "quote": quote,
        "customer": customers.get(session, quote.customer_id),
        "miles": meters_to_miles(quote.distance_meters) if quote.distance_meters else None,
        "minutes": round(quote.duration_seconds / 60) if quote.duration_seconds else None,
        "expires": local(quote.expires_at),
        "event_time": local(quote.requested_start),
        "date_value": start.strftime("%Y-%m-%d") if start else "",
        "time_value": start.strftime("%H:%M") if start else "17:00",
        **extra,
    }


@router.get("/q/{token}", response_class=HTMLResponse)
def show_quote(request: Request, session: SessionDep, token: str) -> Response:
    try:
        quote = quotes.get_by_token(session, token)
    except TeppanError as error:
        return templates.TemplateResponse(
            request, "quote_missing.html", {"message": error.message}, status_code=404
        )
    return templates.TemplateResponse(request, "quote.html", _context(session, quote))


@router.post("/q/{token}/accept", response_class=HTMLResponse)
def accept_quote(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    token: str,
    event_date: Annotated[str, Form(max_length=10)] = "",
    event_time: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        quote = quotes.get_by_token(session, token)
    except TeppanError as error:
        return templates.TemplateResponse(
            request, "quote_missing.html", {"message": error.message}, status_code=404
        )
    zone = ZoneInfo(business.get_settings(session).timezone)
    try:
        start = (
            datetime.strptime(f"{event_date} {event_time}", "%Y-%m-%d %H:%M").replace(tzinfo=zone)
            if event_date
            else None
        )
    except ValueError:
        return _refused(request, session, quote, "Please give the date and time of your event.")
    customer = customers.get(session, quote.customer_id)
    actor = Actor(key=f"customer:{customer.id}", name=customer.full_name)
    try:
        with session.begin_nested():
            quotes.accept(session, token, start, actor)
    except TeppanError as error:
        return _refused(request, session, quote, error.message)
    background.add_task(tell_quote_decided, request.app.state.temporal, quote.id or 0)
    return RedirectResponse(f"/q/{token}", status_code=303)


def _refused(request: Request, session: SessionDep, quote: Quote, message: str) -> Response:
    session.refresh(quote)
    return templates.TemplateResponse(
        request, "quote.html", _context(session, quote, error=message), status_code=409
    )
