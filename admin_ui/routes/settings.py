"""The business's settings and prices, its packages and add-ons (owner only).

The forms parse dollars, percents and names; `domain.business.service` writes the rows and their
audit entries. Packages and add-ons are never deleted, only deactivated: bookings and quotes
refer to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import APIRouter, Request
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import OwnerUser, PostedForm, actor_of, flash
from admin_ui.web import engine_of, redirect, render, text_field
from core.db import session_scope
from core.errors import ConflictError, TeppanError
from domain.accounts.models import User
from domain.audit.service import Actor
from domain.business import service as business
from domain.business.models import AddOn, BusinessSettings, Package
from domain.customers.rules import InvalidPhoneNumber, normalise_email, normalise_phone

router = APIRouter()

#: Large enough for any price, small enough for a 32-bit integer column of cents.
MAX_DOLLARS = Decimal(1_000_000)


class FieldProblem(ValueError):
    pass


@dataclass(frozen=True)
class Setting:
    """One form field: its label, the column it fills, and how to read and show it."""

    field: str
    label: str
    column: str
    parse: Callable[[str], Any]
    show: Callable[[Any], str]


def _decimals(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def cents_to_dollars(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def parse_dollars(raw: str) -> int:
    """ "60", "60.00", "$1,200.50" → cents; more than two decimals or below zero is refused."""
    text = raw.strip().removeprefix("$").replace(",", "").strip()
    if not text:
        raise FieldProblem("Enter an amount in dollars, like 60.00.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldProblem("Enter an amount in dollars, like 60.00.") from None
    if not amount.is_finite():
        raise FieldProblem("Enter an amount in dollars, like 60.00.")
    if amount < 0:
        raise FieldProblem("An amount cannot be negative.")
    if _decimals(amount) > 2:
        raise FieldProblem("At most two decimals: cents are the smallest unit.")
    if amount > MAX_DOLLARS:
        raise FieldProblem(f"At most ${MAX_DOLLARS:,}.")
    return int(amount * 100)


def basis_points_to_percent(points: int) -> str:
    return f"{Decimal(points) / 100:.2f}"


def parse_percent_to_basis_points(raw: str) -> int:
    """A tax rate as a percentage ("9.25") → basis points (925)."""
    text = raw.strip().removesuffix("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise FieldProblem("Enter a percentage, like 9.25.") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise FieldProblem("Enter a percentage from 0 to 100.")
    if _decimals(percent) > 2:
        raise FieldProblem("At most two decimals, like 9.25.")
    return int(percent * 100)


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        text = raw.strip()
        if not text.isdigit() or not low <= int(text) <= high:
            raise FieldProblem(f"Enter a whole number from {low} to {high}.")
        return int(text)

    return parse


def required_text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        text = raw.strip()
        if not text:
            raise FieldProblem("This cannot be empty.")
        if len(text) > limit:
            raise FieldProblem(f"At most {limit} characters.")
        return text

    return parse


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise FieldProblem("Give the business's time zone, like America/Los_Angeles.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldProblem(
            "Not a time zone: use a name like America/Los_Angeles or America/New_York."
        ) from None
    return name


def parse_phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhoneNumber as error:
        raise FieldProblem(str(error)) from None


def parse_email(raw: str) -> str | None:
    try:
        return normalise_email(raw)
    except ValueError as error:
        raise FieldProblem(str(error)) from None


def parse_clock(raw: str) -> str:
    """A time of day, "10:00" or "9:30" (24-hour), kept as HH:MM."""
    hours, _, minutes = raw.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise FieldProblem("Enter a time like 10:00 (24-hour clock).")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise FieldProblem("Enter a time like 10:00 (24-hour clock).")
    return f"{int(hours):02d}:{minutes}"


def parse_link(raw: str) -> str:
    """A web address, or nothing (then no review requests are sent)."""
    text = raw.strip()
    if not text:
        return ""
    if not text.startswith(("https://", "http://")) or " " in text or len(text) < 12:
        raise FieldProblem("Paste the full link, starting with https://.")
    if len(text) > 400:
        raise FieldProblem("At most 400 characters.")
    return text


def _same(value: Any) -> str:
    return "" if value is None else str(value)


def _text(field: str, label: str, parse: Callable[[str], Any]) -> Setting:
    return Setting(field, label, field, parse, _same)


def _money(field: str, label: str) -> Setting:
    return Setting(field, label, f"{field}_cents", parse_dollars, cents_to_dollars)


def _count(field: str, label: str, low: int, high: int) -> Setting:
    return Setting(field, label, field, whole_number(low, high), _same)


SETTINGS = (
    _text("name", "Business name", required_text(200)),
    _text("timezone", "Time zone", parse_timezone),
    _text("base_address", "Base address", required_text(400)),
    _text("phone_number", "Phone number", parse_phone),
    _text("email", "Email", parse_email),
    _money("price_per_adult", "Price per adult"),
    _money("price_per_child", "Price per child"),
    _money("minimum_spend", "Minimum spend"),
    _count("deposit_percent", "Deposit", 0, 100),
    Setting(
        "tax_rate",
        "Tax rate",
        "tax_rate_basis_points",
        parse_percent_to_basis_points,
        basis_points_to_percent,
    ),
    _count("travel_free_radius_miles", "Free travel radius", 0, 1000),
    _money("travel_fee_per_mile", "Travel fee per mile"),
    _count("travel_max_distance_miles", "Maximum distance", 0, 1000),
    _count("event_duration_minutes", "Event length", 30, 24 * 60),
    _count("quote_valid_days", "Quotes valid for", 1, 90),
    _count("quote_reminder_lead_hours", "Quote reminder", 1, 24 * 30),
    _count("event_reminder_days_before", "Reminder days before the event", 0, 14),
    _text("event_reminder_local_time", "Reminder time", parse_clock),
    _count("arrival_lead_minutes", "Chef arrives early by", 0, 240),
    _count("review_request_hours_after", "Review request after the event", 0, 24 * 14),
    _count("balance_reminder_hours_after", "Balance reminder after the event", 1, 24 * 30),
    _text("review_link", "Review link", parse_link),
)
LABELS = {setting.column: setting.label for setting in SETTINGS}
ZONE_PREFIXES = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Pacific/")
ZONES = sorted(zone for zone in available_timezones() if zone.startswith(ZONE_PREFIXES))


def _values_of(row: BusinessSettings) -> dict[str, str]:
    return {setting.field: setting.show(getattr(row, setting.column)) for setting in SETTINGS}


@dataclass(frozen=True)
class ItemForm:
    """One package's or add-on's form on the page: its values as shown or typed, its errors."""

    prefix: str  # makes the field ids unique on the page: "package-3", "add-on-new"
    action: str
    title: str
    values: dict[str, str]
    errors: dict[str, str]
    active: bool = True


@dataclass(frozen=True)
class Failed:
    """The package or add-on form that was posted with mistakes, to show again as typed."""

    prefix: str
    values: dict[str, str]
    errors: dict[str, str]


def _checkbox(value: bool) -> str:
    return "on" if value else ""


def _package_values(row: Package) -> dict[str, str]:
    return {
        "name": row.name,
        "description": row.description,
        "price_per_adult": cents_to_dollars(row.price_per_adult_cents),
        "price_per_child": cents_to_dollars(row.price_per_child_cents),
        "active": _checkbox(row.active),
    }


def _add_on_values(row: AddOn) -> dict[str, str]:
    return {
        "name": row.name,
        "price": cents_to_dollars(row.price_cents),
        "per_person": _checkbox(row.per_person),
        "active": _checkbox(row.active),
    }


NEW_PACKAGE = {
    "name": "",
    "description": "",
    "price_per_adult": "",
    "price_per_child": "",
    "active": "on",
}
NEW_ADD_ON = {"name": "", "price": "", "per_person": "on", "active": "on"}


def _item_form(
    prefix: str,
    action: str,
    title: str,
    values: dict[str, str],
    failed: Failed | None,
    active: bool = True,
) -> ItemForm:
    if failed is not None and failed.prefix == prefix:
        return ItemForm(prefix, action, title, failed.values, failed.errors, active)
    return ItemForm(prefix, action, title, values, {}, active)


def _render(
    request: Request,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    failed: Failed | None = None,
) -> Response:
    with Session(engine_of(request)) as session:
        packages = session.exec(select(Package).order_by(col(Package.name))).all()
        add_ons = session.exec(select(AddOn).order_by(col(AddOn.name))).all()
        zone = business.get_settings(session).timezone
    package_forms = [
        _item_form(
            f"package-{row.id}",
            f"/settings/packages/{row.id}",
            row.name,
            _package_values(row),
            failed,
            row.active,
        )
        for row in packages
    ]
    add_on_forms = [
        _item_form(
            f"add-on-{row.id}",
            f"/settings/add-ons/{row.id}",
            row.name,
            _add_on_values(row),
            failed,
            row.active,
        )
        for row in add_ons
    ]
    return render(
        request,
        "settings/form.html",
        {
            "values": values,
            "errors": errors or {},
            "general": ["Nothing was saved: correct the fields marked below."] if errors else [],
            "package_forms": package_forms,
            "new_package": _item_form(
                "package-new", "/settings/packages", "Add a package", NEW_PACKAGE, failed
            ),
            "add_on_forms": add_on_forms,
            "new_add_on": _item_form(
                "add-on-new", "/settings/add-ons", "Add an add-on", NEW_ADD_ON, failed
            ),
            "catalogue_general": (
                ["Nothing was saved: correct the fields marked below."] if failed else []
            ),
            "timezone": zone,
            "zones": ZONES,
        },
        status_code=400 if errors or failed else 200,
    )


def _render_failed(request: Request, failed: Failed) -> Response:
    with Session(engine_of(request)) as session:
        values = _values_of(business.get_settings(session))
    return _render(request, values, failed=failed)


@router.get("/settings", name="settings")
def settings_page(request: Request, _user: OwnerUser) -> Response:
    with Session(engine_of(request)) as session:
        values = _values_of(business.get_settings(session))
    return _render(request, values)


def _parsed(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The values as typed, the columns they set, and what is wrong with them."""
    values = {setting.field: text_field(form, setting.field) for setting in SETTINGS}
    columns: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for setting in SETTINGS:
        try:
            columns[setting.column] = setting.parse(values[setting.field])
        except FieldProblem as problem:
            errors[setting.field] = str(problem)
    free, most = columns.get("travel_free_radius_miles"), columns.get("travel_max_distance_miles")
    if free is not None and most is not None and most < free:
        errors["travel_max_distance_miles"] = "The maximum cannot be less than the free radius."
    return values, columns, errors


@router.post("/settings")
def save_settings(request: Request, user: OwnerUser, form: PostedForm) -> Response:
    values, columns, errors = _parsed(form)
    if errors:
        return _render(request, values, errors)
    with session_scope(engine_of(request)) as session:
        current = business.get_settings(session)
        named = ", ".join(
            LABELS.get(column, column).lower()
            for column, value in columns.items()
            if getattr(current, column) != value
        )
        changes = business.update_settings(session, columns, actor_of(user), f"Changed {named}")
    flash(request, "Settings saved." if changes else "Nothing changed.")
    return redirect(request, "/settings")


# --- packages and add-ons -------------------------------------------------------------


def _package_form(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The package's values as typed, the columns they set, and what is wrong with them."""
    values = {name: text_field(form, name) for name in NEW_PACKAGE}
    values["active"] = _checkbox(form.get("active") == "on")
    columns: dict[str, Any] = {"active": bool(values["active"])}
    errors: dict[str, str] = {}
    parsers: dict[str, tuple[str, Callable[[str], Any]]] = {
        "name": ("name", required_text(business.NAME_LIMIT)),
        "description": ("description", _optional_text(business.DESCRIPTION_LIMIT)),
        "price_per_adult": ("price_per_adult_cents", parse_dollars),
        "price_per_child": ("price_per_child_cents", parse_dollars),
    }
    for field, (column, parse) in parsers.items():
        try:
            columns[column] = parse(values[field])
        except FieldProblem as problem:
            errors[field] = str(problem)
    return values, columns, errors


def _add_on_form(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The add-on's values as typed, the columns they set, and what is wrong with them."""
    values = {name: text_field(form, name) for name in NEW_ADD_ON}
    for box in ("per_person", "active"):
        values[box] = _checkbox(form.get(box) == "on")
    columns: dict[str, Any] = {
        "per_person": bool(values["per_person"]),
        "active": bool(values["active"]),
    }
    errors: dict[str, str] = {}
    parsers: dict[str, tuple[str, Callable[[str], Any]]] = {
        "name": ("name", required_text(business.NAME_LIMIT)),
        "price": ("price_cents", parse_dollars),
    }
    for field, (column, parse) in parsers.items():
        try:
            columns[column] = parse(values[field])
        except FieldProblem as problem:
            errors[field] = str(problem)
    return values, columns, errors


def _optional_text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        text = raw.strip()
        if len(text) > limit:
            raise FieldProblem(f"At most {limit} characters.")
        return text

    return parse


def _refused(error: TeppanError) -> dict[str, str]:
    """A service's refusal, placed next to the field it is about."""
    if isinstance(error, ConflictError):
        return {"name": error.message}
    return {"name": error.message[:1].upper() + error.message[1:] + "."}


ItemParser = Callable[[FormData], tuple[dict[str, str], dict[str, Any], dict[str, str]]]


def _add_item(
    request: Request,
    user: User,
    form: FormData,
    *,
    parse: ItemParser,
    create: Callable[..., Package | AddOn],
    prefix: str,
    label: str,
) -> Response:
    """A new package or add-on: the form's errors, or the service's refusal, next to it."""
    values, columns, errors = parse(form)
    if errors:
        return _render_failed(request, Failed(prefix, values, errors))
    try:
        with session_scope(engine_of(request)) as session:
            item = create(session, actor=actor_of(user), **columns)
    except TeppanError as error:
        return _render_failed(request, Failed(prefix, values, _refused(error)))
    flash(request, f"{label} “{item.name}” added.")
    return redirect(request, "/settings")


def _save_item(
    request: Request,
    user: User,
    form: FormData,
    item_id: int,
    *,
    parse: ItemParser,
    update: Callable[[Session, int, dict[str, Any], Actor], dict[str, list[Any]]],
    prefix: str,
    label: str,
) -> Response:
    values, columns, errors = parse(form)
    if errors:
        return _render_failed(request, Failed(prefix, values, errors))
    try:
        with session_scope(engine_of(request)) as session:
            changes = update(session, item_id, columns, actor_of(user))
    except ConflictError as error:
        return _render_failed(request, Failed(prefix, values, _refused(error)))
    flash(request, f"{label} “{columns['name']}” saved." if changes else "Nothing changed.")
    return redirect(request, "/settings")


@router.post("/settings/packages")
def add_package(request: Request, user: OwnerUser, form: PostedForm) -> Response:
    return _add_item(
        request,
        user,
        form,
        parse=_package_form,
        create=business.create_package,
        prefix="package-new",
        label="Package",
    )


@router.post("/settings/packages/{package_id}")
def save_package(request: Request, user: OwnerUser, form: PostedForm, package_id: int) -> Response:
    return _save_item(
        request,
        user,
        form,
        package_id,
        parse=_package_form,
        update=business.update_package,
        prefix=f"package-{package_id}",
        label="Package",
    )


@router.post("/settings/add-ons")
def add_add_on(request: Request, user: OwnerUser, form: PostedForm) -> Response:
    return _add_item(
        request,
        user,
        form,
        parse=_add_on_form,
        create=business.create_add_on,
        prefix="add-on-new",
        label="Add-on",
    )


@router.post("/settings/add-ons/{add_on_id}")
def save_add_on(request: Request, user: OwnerUser, form: PostedForm, add_on_id: int) -> Response:
    return _save_item(
        request,
        user,
        form,
        add_on_id,
        parse=_add_on_form,
        update=business.update_add_on,
        prefix=f"add-on-{add_on_id}",
        label="Add-on",
    )
