"""Staff extensions escalated calls ring (manager and up): list, create, edit, remove.

The form shows a week of working hours, one row per weekday with up to two intervals;
`domain.staff.service` validates, writes and audits every change, and keeps exactly one
extension the primary escalation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import Choice
from admin_ui.web import (
    business_timezone,
    engine_of,
    field_errors,
    int_or_none,
    redirect,
    render,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError
from domain.staff import service as staff
from domain.staff.models import Extension, ExtensionStatus, StaffMember
from domain.staff.rules import WEEKDAYS, InvalidWorkingHours, WorkingHours, validate_working_hours
from domain.staff.schemas import ExtensionCreate, ExtensionUpdate

router = APIRouter(prefix="/extensions")

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
INTERVALS_PER_DAY = 2
_HOUR_WITHOUT_ZERO = re.compile(r"^\d:\d\d$")
BASE_FIELDS = ("extension_number", "staff_member_id", "ringcentral_extension_id", "status")


# --- working hours, as a form and as one line ----------------------------------------------


def _interval_text(interval: list[str]) -> str:
    return f"{interval[0]}\u2013{interval[1]}"


def hours_summary(hours: WorkingHours) -> str:
    """Runs of days that keep the same hours, like "Mon-Fri 09:00-18:00, Sat-Sun 10:00-21:00"
    (with en dashes)."""
    if not hours:
        return "Around the clock"
    runs: list[tuple[str, str, str]] = []  # first day, last day, hours
    for day in WEEKDAYS:
        intervals = hours.get(day) or []
        if not intervals:
            continue
        text = " and ".join(_interval_text(interval) for interval in intervals)
        previous = WEEKDAYS[WEEKDAYS.index(day) - 1] if day != WEEKDAYS[0] else None
        if runs and runs[-1][2] == text and runs[-1][1] == previous:
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
    if not runs:
        return "Never (no hours on any day)"
    return ", ".join(
        f"{first.title()}{'' if first == last else chr(0x2013) + last.title()} {text}"
        for first, last, text in runs
    )


def hour_field(day: str, part: str, slot: int) -> str:
    return f"{day}_{part}_{slot}"


def _clock(raw: str) -> str:
    """A typed "9:00" is the "09:00" the rules want (a browser's time input sends the latter)."""
    return f"0{raw}" if _HOUR_WITHOUT_ZERO.match(raw) else raw


def hours_from_form(values: dict[str, str]) -> tuple[WorkingHours, dict[str, str]]:
    """The week the form describes, and each day's problem under `hours_<day>`."""
    hours: WorkingHours = {}
    errors: dict[str, str] = {}
    for day in WEEKDAYS:
        intervals: list[list[str]] = []
        for slot in range(1, INTERVALS_PER_DAY + 1):
            start = _clock(values.get(hour_field(day, "start", slot), ""))
            end = _clock(values.get(hour_field(day, "end", slot), ""))
            if not start and not end:
                continue
            if not start or not end:
                errors[f"hours_{day}"] = "Give both a start and an end time."
                continue
            intervals.append([start, end])
        if not intervals or f"hours_{day}" in errors:
            continue
        try:
            validate_working_hours({day: intervals})
        except InvalidWorkingHours as problem:
            errors[f"hours_{day}"] = _day_message(str(problem))
            continue
        if len(intervals) == 2 and not intervals[0][1] <= intervals[1][0]:
            errors[f"hours_{day}"] = "The second interval must start after the first one ends."
            continue
        hours[day] = intervals
    return hours, errors


def _day_message(message: str) -> str:
    # The rules say "mon: 18:00 is not before 09:00"; the form's row already names the day.
    day, _, rest = message.partition(": ")
    text = rest if day in WEEKDAYS and rest else message
    return text[0].upper() + text[1:] if text else text


def hours_to_form(hours: WorkingHours) -> dict[str, str]:
    values: dict[str, str] = {}
    for day in WEEKDAYS:
        intervals = hours.get(day) or []
        for slot in range(1, INTERVALS_PER_DAY + 1):
            interval = intervals[slot - 1] if len(intervals) >= slot else ["", ""]
            values[hour_field(day, "start", slot)] = interval[0]
            values[hour_field(day, "end", slot)] = interval[1]
    return values


# --- pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    extension: Extension
    member: StaffMember | None
    hours: str


def _staff_choices(session: Session, include: int | None) -> list[Choice]:
    members = list(
        session.exec(
            select(StaffMember)
            .where(col(StaffMember.active).is_(True))
            .order_by(col(StaffMember.full_name))
        ).all()
    )
    if include is not None and all(member.id != include for member in members):
        extra = session.get(StaffMember, include)
        if extra is not None:
            members.insert(0, extra)
    return [
        Choice(member.id, f"{member.full_name} ({member.role.value})")
        for member in members
        if member.id is not None
    ]


@router.get("", name="extensions")
def extension_list(request: Request, _user: ManagerUser) -> Response:
    with Session(engine_of(request)) as session:
        extensions = staff.all_extensions(session)
        members = {
            member.id: member
            for member in session.exec(
                select(StaffMember).where(
                    col(StaffMember.id).in_({e.staff_member_id for e in extensions})
                )
            ).all()
        }
        rows = [
            Row(
                extension,
                members.get(extension.staff_member_id),
                hours_summary(extension.working_hours),
            )
            for extension in extensions
        ]
        zone = business_timezone(session)
    return render(request, "extensions/list.html", {"rows": rows, "timezone": zone})


def _form_values(form: FormData) -> dict[str, str]:
    values = {name: text_field(form, name) for name in BASE_FIELDS}
    values["is_primary_escalation"] = "on" if form.get("is_primary_escalation") == "on" else ""
    for day in WEEKDAYS:
        for part in ("start", "end"):
            for slot in range(1, INTERVALS_PER_DAY + 1):
                name = hour_field(day, part, slot)
                values[name] = text_field(form, name)
    return values


def _render_form(
    request: Request,
    values: dict[str, str],
    extension: Extension | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    with Session(engine_of(request)) as session:
        choices = _staff_choices(session, int_or_none(values.get("staff_member_id", "")))
        zone = business_timezone(session)
    return render(
        request,
        "extensions/form.html",
        {
            "values": values,
            "extension": extension,
            "choices": choices,
            "statuses": list(ExtensionStatus),
            "days": [(day, DAY_NAMES[day]) for day in WEEKDAYS],
            "slots": range(1, INTERVALS_PER_DAY + 1),
            "field": hour_field,
            "timezone": zone,
            "errors": errors or {},
            "general": general or [],
        },
        status_code=400 if errors or general else 200,
    )


def _fields(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    hours, errors = hours_from_form(values)
    fields: dict[str, Any] = {
        "extension_number": values["extension_number"],
        "staff_member_id": int_or_none(values["staff_member_id"]),
        "ringcentral_extension_id": values["ringcentral_extension_id"] or None,
        "status": values["status"] or ExtensionStatus.AVAILABLE.value,
        "working_hours": hours,
        "is_primary_escalation": values["is_primary_escalation"] == "on",
    }
    if fields["staff_member_id"] is None:
        errors["staff_member_id"] = "Choose who answers this extension."
    return fields, errors


def _schema_errors(error: ValidationError) -> tuple[dict[str, str], list[str]]:
    errors, general = field_errors(error)
    if "extension_number" in errors:
        errors["extension_number"] = "Two to six digits, like 105."
    if "working_hours" in errors:  # the form checked each day already; say it in general
        general.append(errors.pop("working_hours"))
    return errors, general


@router.get("/new")
def new_extension(request: Request, _user: ManagerUser) -> Response:
    values = dict.fromkeys(BASE_FIELDS, "") | hours_to_form({})
    values.update({"status": ExtensionStatus.AVAILABLE.value, "is_primary_escalation": ""})
    return _render_form(request, values)


@router.post("/new")
def create_extension(request: Request, user: ManagerUser, form: PostedForm) -> Response:
    values = _form_values(form)
    fields, errors = _fields(values)
    try:
        data = ExtensionCreate.model_validate(fields)
    except ValidationError as error:
        schema_errors, general = _schema_errors(error)
        return _render_form(request, values, errors=schema_errors | errors, general=general)
    if errors:
        return _render_form(request, values, errors=errors)
    try:
        with session_scope(engine_of(request)) as session:
            extension = staff.create(session, data, actor_of(user))
            number = extension.extension_number
    except TeppanError as error:
        return _render_form(request, values, general=[error.message])
    flash(request, f"Added extension {number}.")
    return redirect(request, "/extensions")


def _values_of(extension: Extension) -> dict[str, str]:
    values = {
        "extension_number": extension.extension_number,
        "staff_member_id": str(extension.staff_member_id),
        "ringcentral_extension_id": extension.ringcentral_extension_id or "",
        "status": extension.status.value,
        "is_primary_escalation": "on" if extension.is_primary_escalation else "",
    }
    return values | hours_to_form(extension.working_hours)


@router.get("/{extension_id}/edit")
def edit_extension(request: Request, _user: ManagerUser, extension_id: int) -> Response:
    with Session(engine_of(request), expire_on_commit=False) as session:
        extension = staff.get(session, extension_id)
    return _render_form(request, _values_of(extension), extension)


@router.post("/{extension_id}/edit")
def update_extension(
    request: Request, user: ManagerUser, form: PostedForm, extension_id: int
) -> Response:
    with Session(engine_of(request), expire_on_commit=False) as session:
        existing = staff.get(session, extension_id)
    values = _form_values(form)
    fields, errors = _fields(values)
    try:
        data = ExtensionUpdate.model_validate(fields)
    except ValidationError as error:
        schema_errors, general = _schema_errors(error)
        return _render_form(request, values, existing, schema_errors | errors, general)
    if errors:
        return _render_form(request, values, existing, errors)
    try:
        with session_scope(engine_of(request)) as session:
            extension = staff.update_extension(session, extension_id, data, actor_of(user))
            number = extension.extension_number
    except TeppanError as error:
        return _render_form(request, values, existing, general=[error.message])
    flash(request, f"Saved extension {number}.")
    return redirect(request, "/extensions")


@router.post("/{extension_id}/delete")
def delete_extension(
    request: Request, user: ManagerUser, _form: PostedForm, extension_id: int
) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            number = staff.get(session, extension_id).extension_number
            staff.delete(session, extension_id, actor_of(user))
    except TeppanError as error:
        flash(request, f"Not removed: {error.message}.")
        return redirect(request, "/extensions")
    flash(request, f"Removed extension {number}.")
    return redirect(request, "/extensions")
