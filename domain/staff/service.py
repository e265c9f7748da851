"""Staff extensions: edit them (exactly one is the primary escalation), and choose who takes
the next escalated call."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.staff.models import Extension, ExtensionStatus, RotationCursor, StaffMember
from domain.staff.rules import is_working, next_in_rotation
from domain.staff.schemas import ExtensionCreate, ExtensionUpdate

ESCALATION_ROTATION = "escalation"


def get(session: Session, extension_id: int) -> Extension:
    extension = session.get(Extension, extension_id)
    if extension is None:
        raise NotFoundError(f"extension {extension_id} not found")
    return extension


def all_extensions(session: Session) -> list[Extension]:
    return list(session.exec(select(Extension).order_by(col(Extension.extension_number))).all())


def staff_member(session: Session, staff_member_id: int) -> StaffMember:
    member = session.get(StaffMember, staff_member_id)
    if member is None or not member.active:
        raise ValidationFailed(f"staff member {staff_member_id} does not exist")
    return member


def primary(session: Session) -> Extension | None:
    return session.exec(select(Extension).where(col(Extension.is_primary_escalation))).first()


def _check_unique_number(session: Session, number: str, except_id: int | None) -> None:
    clash = session.exec(select(Extension).where(Extension.extension_number == number)).first()
    if clash is not None and clash.id != except_id:
        raise ConflictError(f"extension {number} already exists")


def _make_sole_primary(session: Session, extension: Extension) -> None:
    for other in session.exec(select(Extension).where(col(Extension.is_primary_escalation))):
        if other.id != extension.id:
            other.is_primary_escalation = False
            session.add(other)


def create(session: Session, data: ExtensionCreate, actor: Actor) -> Extension:
    member = staff_member(session, data.staff_member_id)
    _check_unique_number(session, data.extension_number, None)
    extension = Extension(**data.model_dump())
    if primary(session) is None:
        extension.is_primary_escalation = True  # exactly one: the first one is it
    session.add(extension)
    session.flush()
    if extension.is_primary_escalation:
        _make_sole_primary(session, extension)
    audit.record(
        session,
        actor,
        "extension.create",
        "extension",
        extension.id,
        audit.snapshot(extension),
        f"Extension {extension.extension_number} for {member.full_name}",
    )
    return extension


def update_extension(
    session: Session, extension_id: int, data: ExtensionUpdate, actor: Actor
) -> Extension:
    extension = get(session, extension_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("is_primary_escalation") is False and extension.is_primary_escalation:
        raise ConflictError("make another extension the primary one instead")
    if "extension_number" in changes:
        _check_unique_number(session, changes["extension_number"], extension.id)
    if "staff_member_id" in changes:
        staff_member(session, changes["staff_member_id"])
    before = audit.snapshot(extension)
    for key, value in changes.items():
        setattr(extension, key, value)
    extension.updated_at = utcnow()
    session.add(extension)
    if extension.is_primary_escalation:
        _make_sole_primary(session, extension)
    delta = audit.diff(before, audit.snapshot(extension, frozenset({"updated_at"})))
    if delta:
        audit.record(
            session,
            actor,
            "extension.update",
            "extension",
            extension.id,
            delta,
            f"Changed {', '.join(sorted(delta))} of extension {extension.extension_number}",
        )
    return extension


def delete(session: Session, extension_id: int, actor: Actor) -> None:
    extension = get(session, extension_id)
    if extension.is_primary_escalation:
        raise ConflictError("make another extension the primary one before removing this one")
    from domain.calls.models import Escalation

    handed = session.exec(select(Escalation.id).where(Escalation.extension_id == extension_id))
    if handed.first() is not None:
        raise ConflictError(
            "calls were already handed to this extension and their history points at it: "
            "set it offline instead"
        )
    cursor = session.get(RotationCursor, ESCALATION_ROTATION)
    if cursor is not None and cursor.last_extension_id == extension.id:
        cursor.last_extension_id = None
        session.add(cursor)
    audit.record(
        session,
        actor,
        "extension.delete",
        "extension",
        extension.id,
        audit.snapshot(extension),
        f"Removed extension {extension.extension_number}",
    )
    session.delete(extension)


def eligible_for_calls(
    extensions: list[Extension], moment: datetime, timezone: str, on_call: set[str]
) -> set[int]:
    """Available, inside working hours, not already on a call (by extension number)."""
    local = moment.astimezone(ZoneInfo(timezone))
    return {
        extension.id or 0
        for extension in extensions
        if extension.status == ExtensionStatus.AVAILABLE
        and is_working(extension.working_hours, local)
        and extension.extension_number not in on_call
    }


def take_next(
    session: Session,
    *,
    moment: datetime,
    timezone: str,
    on_call: set[str],
    exclude: set[int],
    attempts: int = 20,
) -> Extension | None:
    """Chooses the next extension in the rotation and advances it, atomically.

    The cursor moves by compare-and-set on its version; a concurrent call that moved it first
    makes this one read again, so simultaneous calls go to different people.
    """
    extensions = all_extensions(session)
    rotation = [extension.id or 0 for extension in extensions]
    eligible = eligible_for_calls(extensions, moment, timezone, on_call) - exclude
    by_id = {extension.id: extension for extension in extensions}
    for _ in range(attempts):
        cursor = session.get(RotationCursor, ESCALATION_ROTATION, populate_existing=True)
        if cursor is None:
            cursor = RotationCursor(name=ESCALATION_ROTATION)
            session.add(cursor)
            session.flush()
        chosen = next_in_rotation(rotation, cursor.last_extension_id, eligible)
        if chosen is None:
            return None
        moved = session.execute(
            update(RotationCursor)
            .where(
                col(RotationCursor.name) == ESCALATION_ROTATION,
                col(RotationCursor.version) == cursor.version,
            )
            .values(last_extension_id=chosen, version=cursor.version + 1, updated_at=utcnow())
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            return by_id[chosen]
    raise ConflictError("too many calls at once to choose an extension; retrying")


def names_on_extensions(session: Session) -> list[str]:
    """Who a caller may ask for by name: the people behind the extensions."""
    rows = session.exec(
        select(StaffMember.full_name).join(
            Extension, col(Extension.staff_member_id) == col(StaffMember.id)
        )
    ).all()
    return sorted(set(rows))
