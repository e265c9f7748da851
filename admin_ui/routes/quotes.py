"""Quotes: search, one quote's breakdown and timeline, create (any role), confirm an estimated
distance and cancel (manager and up).

A new quote's workflow (pricing, the text to the customer, reminders) starts from the inbox:
the page hands the inbox event to the forwarder once the request has committed, and the API's
periodic forwarder picks it up anyway if that attempt fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import booking_choices, customer_names
from admin_ui.routes.bookings import local_start
from admin_ui.web import (
    business_timezone,
    engine_of,
    int_or_none,
    page_links,
    redirect,
    render,
    settings_of,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError
from core.money import dollars
from domain.accounts.models import Role, User
from domain.bookings.models import Booking
from domain.business.models import AddOn, Package
from domain.customers import service as customers
from domain.quotes import service as quotes
from domain.quotes.models import OPEN_QUOTE_STATUSES, Quote, QuoteStatus
from domain.quotes.rules import meters_to_miles
from domain.quotes.schemas import QuoteCreate
from workflows.quote_signals import tell_quote_decided

router = APIRouter(prefix="/quotes")

PER_PAGE = 25
#: The list filter behind the dashboard's "Estimated distances to confirm".
TRAVEL_TO_CONFIRM = "to-confirm"
MAX_CORRECTED_MILES = Decimal(1000)
# The schema's field names, as the form names them.
_CUSTOMER_FIELD = {"full_name": "new_name", "phone": "new_phone", "email": "new_email"}
_FIELD_FOR = {"requested_start": "date", "customer": "new_name", "add_ons": "add_ons"}
_PHONE_PREFIX = "customer.phone: "


def _status_or_none(raw: str) -> QuoteStatus | None:
    try:
        return QuoteStatus(raw)
    except ValueError:
        return None


def needs_travel_check(quote: Quote) -> bool:
    """An offline ZIP estimate nobody has checked yet, on a quote still in play."""
    return (
        quote.travel_source == "estimate"
        and not quote.travel_confirmed
        and quote.status in OPEN_QUOTE_STATUSES
    )


@router.get("", name="quotes")
def quote_list(
    request: Request,
    _user: AnyUser,
    q: str = Query(default="", max_length=200),
    status: str = "",
    travel: str = "",
    page: int = Query(default=1, ge=1),
) -> Response:
    travel = TRAVEL_TO_CONFIRM if travel == TRAVEL_TO_CONFIRM else ""
    with Session(engine_of(request)) as session:
        found = quotes.search(
            session,
            text=q,
            status=_status_or_none(status),
            travel_unconfirmed=bool(travel),
            page=page,
            per_page=PER_PAGE,
        )
        context = {
            "q": q,
            "status": status,
            "travel": travel,
            "statuses": list(QuoteStatus),
            "result": found,
            "pages": page_links(request, found),
            "timezone": business_timezone(session),
            "customers": customer_names(session, [quote.customer_id for quote in found.items]),
            "miles": {
                quote.id: meters_to_miles(quote.distance_meters)
                for quote in found.items
                if quote.distance_meters is not None
            },
            "unchecked": {quote.id for quote in found.items if needs_travel_check(quote)},
        }
    return render(request, "quotes/list.html", context)


# --- the new-quote form ---------------------------------------------------------------


@dataclass(frozen=True)
class AddOnChoice:
    id: int
    field: str  # the form field holding its quantity
    label: str


def _add_on_choices(session: Session) -> list[AddOnChoice]:
    rows = session.exec(
        select(AddOn).where(col(AddOn.active).is_(True)).order_by(col(AddOn.name))
    ).all()
    return [
        AddOnChoice(
            row.id,
            f"add_on_{row.id}",
            f"{row.name} ({dollars(row.price_cents)} {'per guest' if row.per_person else 'each'})",
        )
        for row in rows
        if row.id is not None
    ]


FORM_FIELDS = (
    "customer_id",
    "new_name",
    "new_phone",
    "new_email",
    "address",
    "adults",
    "children",
    "date",
    "time",
    "package_id",
    "notes",
)


def _form_values(form: FormData, add_ons: list[AddOnChoice]) -> dict[str, str]:
    values = {name: text_field(form, name) for name in FORM_FIELDS}
    values["sms_consent"] = "on" if form.get("sms_consent") == "on" else ""
    for choice in add_ons:
        values[choice.field] = text_field(form, choice.field)
    return values


def _render_form(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    with Session(engine_of(request)) as session:
        choices = booking_choices(session, int_or_none(values.get("customer_id", "")))
        add_ons = _add_on_choices(session)
        zone = business_timezone(session)
    return render(
        request,
        "quotes/form.html",
        {
            "values": values,
            "choices": choices,
            "add_ons": add_ons,
            "timezone": zone,
            "errors": errors or {},
            "general": general or [],
        },
        status_code=400 if errors or general else 200,
    )


def _schema_errors(error: ValidationError) -> tuple[dict[str, str], list[str]]:
    """Messages by form field: the new customer's fields are nested under `customer`."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if message.startswith(_PHONE_PREFIX):
            by_field.setdefault("new_phone", message.removeprefix(_PHONE_PREFIX).capitalize())
        elif location[:1] == ["customer"] and len(location) > 1:
            by_field.setdefault(_CUSTOMER_FIELD.get(location[1], "new_name"), message)
        elif location:
            by_field.setdefault(_FIELD_FOR.get(location[0], location[0]), message)
        else:
            general.append(message)
    return by_field, general


@router.get("/new")
def new_quote(request: Request, _user: AnyUser, customer_id: str = "") -> Response:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update({"customer_id": customer_id, "children": "0", "time": "18:00"})
    return _render_form(request, values)


def _quote_fields(
    values: dict[str, str], add_ons: list[AddOnChoice], zone: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """What to validate as a QuoteCreate, and the problems the schema cannot name."""
    errors: dict[str, str] = {}
    customer_id = int_or_none(values["customer_id"])
    new_customer = values["new_name"] or values["new_phone"] or values["new_email"]
    fields: dict[str, Any] = {
        "address": values["address"],
        "adults": values["adults"] or "0",
        "children": values["children"] or "0",
        "package_id": int_or_none(values["package_id"]),
        "notes": values["notes"],
        "source": "admin",
    }
    if customer_id is not None and new_customer:
        errors["customer_id"] = "Choose a customer or enter a new one, not both."
    elif customer_id is not None:
        fields["customer_id"] = customer_id
    elif new_customer:
        if not values["new_phone"]:
            errors["new_phone"] = "The quote is sent by text: give the customer's phone."
        fields["customer"] = {
            "full_name": values["new_name"],
            "phone": values["new_phone"] or None,
            "email": values["new_email"] or None,
            "sms_consent": values["sms_consent"] == "on",
        }
    else:
        errors["customer_id"] = "Choose a customer, or enter a new customer's name and phone."
    if values["date"]:
        start, problem = local_start(values["date"], values["time"] or "18:00", zone)
        if start is None:
            errors["date"] = problem
        fields["requested_start"] = start
    selections = []
    for choice in add_ons:
        raw = values[choice.field]
        if not raw or raw == "0":
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 500:
            errors[choice.field] = "A quantity from 0 to 500."
            continue
        selections.append({"add_on_id": choice.id, "quantity": int(raw)})
    fields["add_ons"] = selections
    return fields, errors


@router.post("/new")
def create_quote(request: Request, user: AnyUser, form: PostedForm) -> Response:
    with Session(engine_of(request)) as session:
        add_ons = _add_on_choices(session)
        zone = business_timezone(session)
    values = _form_values(form, add_ons)
    fields, errors = _quote_fields(values, add_ons, zone)
    try:
        data = QuoteCreate.model_validate(fields)
    except ValidationError as error:
        schema_errors, general = _schema_errors(error)
        if "customer_id" in errors:  # the schema's own words for it are less helpful
            general = [message for message in general if "customer_id" not in message]
        return _render_form(request, values, schema_errors | errors, general)
    if errors:
        return _render_form(request, values, errors)
    try:
        with session_scope(engine_of(request)) as session:
            created = quotes.create(session, data, actor_of(user))
    except TeppanError as error:
        return _render_form(request, values, general=[error.message])
    flash(request, f"Created {created.quote.reference}: it is being priced and texted.")
    response = redirect(request, f"/quotes/{created.quote.id}")
    # Committed: start the workflow now (without a forwarder, the periodic pass starts it).
    forwarder = getattr(request.app.state, "forwarder", None)
    if forwarder is not None:
        response.background = BackgroundTask(forwarder.forward, created.inbox_event_id)
    return response


# --- one quote ------------------------------------------------------------------------


def public_link(request: Request, quote: Quote) -> str:
    return f"{settings_of(request).public_base_url.rstrip('/')}/q/{quote.public_token}"


def _render_detail(
    request: Request,
    user: User,
    quote_id: int,
    travel_error: str = "",
    miles_value: str = "",
    status_code: int = 200,
) -> Response:
    with Session(engine_of(request)) as session:
        quote = quotes.get(session, quote_id)
        context = {
            "quote": quote,
            "customer": customers.get(session, quote.customer_id),
            "package": session.get(Package, quote.package_id) if quote.package_id else None,
            "booking": session.get(Booking, quote.booking_id) if quote.booking_id else None,
            "events": quotes.timeline(session, quote_id),
            "timezone": business_timezone(session),
            "miles": meters_to_miles(quote.distance_meters)
            if quote.distance_meters is not None
            else None,
            "minutes": round(quote.duration_seconds / 60)
            if quote.duration_seconds is not None
            else None,
            "public_url": public_link(request, quote),
            "can_manage": user.has_role(Role.MANAGER),
            "cancellable": quote.status in OPEN_QUOTE_STATUSES,
            "travel_unchecked": needs_travel_check(quote),
            "travel_error": travel_error,
            "miles_value": miles_value,
        }
    return render(request, "quotes/detail.html", context, status_code=status_code)


@router.get("/{quote_id}")
def quote_detail(request: Request, user: AnyUser, quote_id: int) -> Response:
    return _render_detail(request, user, quote_id)


def corrected_miles(raw: str) -> tuple[float | None, str]:
    """The distance typed in, if any (empty: the estimate is right), or why it is refused."""
    text = raw.strip().replace(",", "")
    if not text:
        return None, ""
    try:
        miles = Decimal(text)
    except InvalidOperation:
        return None, "Give the driving distance in miles, like 42.5."
    if not miles.is_finite() or miles < 0 or miles > MAX_CORRECTED_MILES:
        return None, f"Give a distance from 0 to {MAX_CORRECTED_MILES} miles."
    return float(miles), ""


@router.post("/{quote_id}/confirm-travel")
def confirm_travel(
    request: Request, user: ManagerUser, form: PostedForm, quote_id: int
) -> Response:
    raw = text_field(form, "miles")
    miles, problem = corrected_miles(raw)
    if problem:
        return _render_detail(request, user, quote_id, problem, raw, status_code=400)
    try:
        with session_scope(engine_of(request)) as session:
            quote = quotes.confirm_travel(session, quote_id, miles, actor_of(user))
            reference, status, total = quote.reference, quote.status, quote.total_cents
    except TeppanError as error:
        flash(request, f"Travel not confirmed: {error.message}")
        return redirect(request, f"/quotes/{quote_id}")
    if miles is None:
        flash(request, f"Confirmed the estimated distance of {reference}.")
    elif status == QuoteStatus.DECLINED:
        flash(request, f"{reference} re-priced at {miles:g} miles: too far, so it is declined.")
    else:
        flash(request, f"{reference} re-priced at {miles:g} miles: total ${total / 100:,.2f}.")
    return redirect(request, f"/quotes/{quote_id}")


@router.post("/{quote_id}/cancel")
def cancel_quote(request: Request, user: ManagerUser, _form: PostedForm, quote_id: int) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            quote = quotes.cancel(session, quote_id, actor_of(user))
    except TeppanError as error:
        flash(request, f"Not cancelled: {error.message}")
        return redirect(request, f"/quotes/{quote_id}")
    flash(request, f"Cancelled {quote.reference}.")
    response = redirect(request, f"/quotes/{quote_id}")
    # Committed: tell the workflow so it stops reminding (it also rereads the quote later).
    temporal = getattr(request.app.state, "temporal", None)
    if temporal is not None:
        response.background = BackgroundTask(tell_quote_decided, temporal, quote_id)
    return response
