"""The business's own settings row, its packages and its add-ons.

Packages and add-ons are never deleted: bookings and quotes refer to them. `active=False` hides
one from new bookings and quotes.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, SQLModel, col, func, select

from core.errors import ConflictError, NotFoundError, ValidationFailed
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.business.models import AddOn, BusinessSettings, Package

NAME_LIMIT = 120
DESCRIPTION_LIMIT = 2000
PACKAGE_COLUMNS = frozenset(
    {"name", "description", "price_per_adult_cents", "price_per_child_cents", "active"}
)
ADD_ON_COLUMNS = frozenset({"name", "price_cents", "per_person", "active"})


def get_settings(session: Session) -> BusinessSettings:
    settings = session.get(BusinessSettings, 1)
    if settings is None:
        raise NotFoundError(
            "the business is not set up yet: run `teppan db seed` or the setup page"
        )
    return settings


def texting_paused(session: Session) -> bool:
    """The owner's emergency switch for every outbound text (off before the business is set up)."""
    settings = session.get(BusinessSettings, 1)
    return bool(settings and settings.texting_paused)


def update_settings(
    session: Session, changes: dict[str, Any], actor: Actor, summary: str = ""
) -> dict[str, list[Any]]:
    """Applies already-validated values; returns what changed (nothing changed: no audit)."""
    row = get_settings(session)
    before = audit.snapshot(row)
    for column, value in changes.items():
        setattr(row, column, value)
    delta = audit.diff(before, audit.snapshot(row))
    if delta:
        session.add(row)
        audit.record(
            session,
            actor,
            "business.update",
            "business",
            row.id,
            delta,
            summary or f"Changed {', '.join(sorted(delta))}",
        )
    return delta


# --- packages and add-ons -------------------------------------------------------------


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _checked(
    kind: str, allowed: frozenset[str], values: dict[str, Any], money: tuple[str, ...]
) -> dict[str, Any]:
    """The values, tidied; unknown columns, blank or long names and negative prices refused."""
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(f"{_a(kind)} has no {', '.join(sorted(unknown))}")
    clean = dict(values)
    if "name" in clean:
        name = str(clean["name"]).strip()
        if not name:
            raise ValidationFailed(f"{_a(kind)} needs a name")
        if len(name) > NAME_LIMIT:
            raise ValidationFailed(f"{_a(kind)}'s name is at most {NAME_LIMIT} characters")
        clean["name"] = name
    if "description" in clean:
        description = str(clean["description"]).strip()
        if len(description) > DESCRIPTION_LIMIT:
            raise ValidationFailed(f"a description is at most {DESCRIPTION_LIMIT} characters")
        clean["description"] = description
    for column in money:
        if column in clean:
            cents = clean[column]
            if not isinstance(cents, int) or isinstance(cents, bool):
                raise ValidationFailed(f"{column} must be a whole number of cents")
            if cents < 0:
                raise ValidationFailed("a price cannot be negative")
    for column in ("active", "per_person"):
        if column in clean and not isinstance(clean[column], bool):
            raise ValidationFailed(f"{column} must be true or false")
    return clean


def _check_name_free(
    session: Session, model: type[Package] | type[AddOn], kind: str, name: str, own_id: int | None
) -> None:
    """Names are unique, compared regardless of case so "Sake" and "sake" cannot both exist."""
    query = select(model.id).where(func.lower(col(model.name)) == name.lower())
    if own_id is not None:
        query = query.where(col(model.id) != own_id)
    if session.exec(query).first() is not None:
        raise ConflictError(f"There is already {_a(kind)} named “{name}”: choose another name.")


def _create(
    session: Session,
    row: Package | AddOn,
    kind: str,
    entity: str,
    actor: Actor,
) -> None:
    _check_name_free(session, type(row), kind, row.name, None)
    session.add(row)
    session.flush()
    after = audit.snapshot(row, exclude=frozenset({"id", "created_at"}))
    audit.record(
        session,
        actor,
        f"{entity}.create",
        entity,
        row.id,
        {column: [None, value] for column, value in after.items()},
        f"Added {kind} {row.name}",
    )


def _update(
    session: Session,
    row: Package | AddOn,
    kind: str,
    entity: str,
    changes: dict[str, Any],
    actor: Actor,
) -> dict[str, list[Any]]:
    if "name" in changes:
        _check_name_free(session, type(row), kind, changes["name"], row.id)
    before = audit.snapshot(row)
    for column, value in changes.items():
        setattr(row, column, value)
    delta = audit.diff(before, audit.snapshot(row))
    if delta:
        session.add(row)
        if delta.keys() == {"active"}:
            summary = f"{'Reactivated' if row.active else 'Deactivated'} {kind} {row.name}"
        else:
            summary = f"Changed {kind} {row.name}: {', '.join(sorted(delta))}"
        audit.record(session, actor, f"{entity}.update", entity, row.id, delta, summary)
    return delta


def _get(session: Session, model: type[SQLModel], kind: str, row_id: int) -> Any:
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"no {kind} {row_id}")
    return row


def create_package(
    session: Session,
    *,
    name: str,
    price_per_adult_cents: int,
    price_per_child_cents: int,
    actor: Actor,
    description: str = "",
    active: bool = True,
) -> Package:
    values = _checked(
        "package",
        PACKAGE_COLUMNS,
        {
            "name": name,
            "description": description,
            "price_per_adult_cents": price_per_adult_cents,
            "price_per_child_cents": price_per_child_cents,
            "active": active,
        },
        ("price_per_adult_cents", "price_per_child_cents"),
    )
    package = Package(**values)
    _create(session, package, "package", "package", actor)
    return package


def update_package(
    session: Session, package_id: int, changes: dict[str, Any], actor: Actor
) -> dict[str, list[Any]]:
    """Applies the changes; returns what changed (nothing changed: no audit).

    `active=False` retires the package: bookings and quotes that use it keep it.
    """
    values = _checked(
        "package", PACKAGE_COLUMNS, changes, ("price_per_adult_cents", "price_per_child_cents")
    )
    package: Package = _get(session, Package, "package", package_id)
    return _update(session, package, "package", "package", values, actor)


def create_add_on(
    session: Session,
    *,
    name: str,
    price_cents: int,
    actor: Actor,
    per_person: bool = True,
    active: bool = True,
) -> AddOn:
    values = _checked(
        "add-on",
        ADD_ON_COLUMNS,
        {"name": name, "price_cents": price_cents, "per_person": per_person, "active": active},
        ("price_cents",),
    )
    add_on = AddOn(**values)
    _create(session, add_on, "add-on", "add_on", actor)
    return add_on


def update_add_on(
    session: Session, add_on_id: int, changes: dict[str, Any], actor: Actor
) -> dict[str, list[Any]]:
    """Applies the changes; returns what changed (nothing changed: no audit).

    `active=False` retires the add-on: bookings and quotes that include it keep it.
    """
    values = _checked("add-on", ADD_ON_COLUMNS, changes, ("price_cents",))
    add_on: AddOn = _get(session, AddOn, "add-on", add_on_id)
    return _update(session, add_on, "add-on", "add_on", values, actor)
