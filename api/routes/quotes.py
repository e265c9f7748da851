"""Quotes over REST: create one (its workflow prices and texts it), follow it, confirm an
estimated travel distance, cancel it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, status

from api.auth import StaffActor
from api.deps import SessionDep, SettingsDep
from api.pages import PageOut, page_out
from domain.quotes import service
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.rules import meters_to_miles
from domain.quotes.schemas import QuoteCreate, QuoteEventPublic, QuotePublic, TravelConfirmation
from domain.storable import PageNumber, RowId, Text
from workflows.quote_signals import tell_quote_decided

router = APIRouter(prefix="/quotes", tags=["quotes"])


def public_url(base_url: str, quote: Quote) -> str:
    return f"{base_url.rstrip('/')}/q/{quote.public_token}"


def to_public(
    quote: Quote, base_url: str, events: list[QuoteEventPublic] | None = None
) -> QuotePublic:
    out = QuotePublic.model_validate(quote)
    if quote.distance_meters is not None:
        out.distance_miles = meters_to_miles(quote.distance_meters)
    if quote.duration_seconds is not None:
        out.duration_minutes = round(quote.duration_seconds / 60)
    out.public_url = public_url(base_url, quote)
    out.timeline = events or []
    return out


def _with_timeline(session: SessionDep, quote: Quote, base_url: str) -> QuotePublic:
    events = [QuoteEventPublic.model_validate(e) for e in service.timeline(session, quote.id or 0)]
    return to_public(quote, base_url, events)


@router.post("", response_model=QuotePublic, status_code=status.HTTP_201_CREATED)
def create_quote(
    actor: StaffActor,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    data: QuoteCreate,
    background: BackgroundTasks,
) -> QuotePublic:
    """Stores the quote as `pricing`; its workflow prices it and texts it within seconds
    (poll `GET /api/v1/quotes/{id}` for the price and the timeline)."""
    created = service.create(session, data, actor)
    # Commit before answering: the workflow is started right after the response, and it must
    # find the quote (FastAPI would otherwise commit only once the background task has run).
    session.commit()
    background.add_task(request.app.state.forwarder.forward, created.inbox_event_id)
    return _with_timeline(session, created.quote, settings.public_base_url)


@router.get("", response_model=PageOut[QuotePublic])
def list_quotes(
    _reader: StaffActor,
    session: SessionDep,
    settings: SettingsDep,
    # Annotated: with `= Query(...)` FastAPI drops the type's own validator.
    q: Annotated[Text, Query(max_length=200, description="reference, address, customer")] = "",
    status_filter: QuoteStatus | None = Query(default=None, alias="status"),
    page: PageNumber = 1,
    per_page: int = Query(default=25, ge=1, le=200),
) -> PageOut[QuotePublic]:
    found = service.search(session, text=q, status=status_filter, page=page, per_page=per_page)
    return page_out(found, QuotePublic, lambda quote: to_public(quote, settings.public_base_url))


@router.get("/{quote_id}", response_model=QuotePublic)
def get_quote(
    _reader: StaffActor, session: SessionDep, settings: SettingsDep, quote_id: RowId
) -> QuotePublic:
    return _with_timeline(session, service.get(session, quote_id), settings.public_base_url)


@router.post("/{quote_id}/confirm-travel", response_model=QuotePublic)
def confirm_travel(
    actor: StaffActor,
    session: SessionDep,
    settings: SettingsDep,
    quote_id: RowId,
    data: TravelConfirmation,
) -> QuotePublic:
    quote = service.confirm_travel(session, quote_id, data.distance_miles, actor)
    return _with_timeline(session, quote, settings.public_base_url)


@router.post("/{quote_id}/cancel", response_model=QuotePublic)
def cancel_quote(
    actor: StaffActor,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    quote_id: RowId,
    background: BackgroundTasks,
) -> QuotePublic:
    quote = service.cancel(session, quote_id, actor)
    background.add_task(tell_quote_decided, request.app.state.temporal, quote_id)
    return _with_timeline(session, quote, settings.public_base_url)
