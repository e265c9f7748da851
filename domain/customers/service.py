"""Customers: create, change, search, and keep one record per person."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from core.errors import ConflictError, NotFoundError
from core.pagination import Page, paginate
from core.textsearch import contains_text
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.customers.models import Channel, Customer
from domain.customers.schemas import CustomerCreate, CustomerUpdate
from domain.messaging import consent
from domain.messaging.models import ConsentAction


def get(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.merged_into_id is not None:
        raise NotFoundError(f"customer {customer_id} not found")
    return customer


def find_by_phone(session: Session, phone: str) -> Customer | None:
    return session.exec(select(Customer).where(Customer.phone == phone)).first()


def find_by_email(session: Session, email: str) -> Customer | None:
    return session.exec(select(Customer).where(Customer.email == email)).first()


def _ensure_unique_contacts(
    session: Session, phone: str | None, email: str | None, except_id: int | None = None
) -> None:
    for label, existing in (
        ("phone", find_by_phone(session, phone) if phone else None),
        ("email", find_by_email(session, email) if email else None),
    ):
        if existing is not None and existing.id != except_id:
            raise ConflictError(
                f"customer {existing.id} ({existing.full_name}) already has this {label}"
            )


def create(session: Session, data: CustomerCreate, actor: Actor) -> Customer:
    _ensure_unique_contacts(session, data.phone, data.email)
    customer = Customer(**data.model_dump())
    if customer.sms_consent:
        customer.sms_consent_at = utcnow()
    session.add(customer)
    session.flush()
    if customer.sms_consent:
        _record_consent(session, customer, actor, given=True)
    audit.record(
        session,
        actor,
        "customer.create",
        "customer",
        customer.id,
        audit.snapshot(customer),
        f"Created customer {customer.full_name}",
    )
    return customer


def update(session: Session, customer_id: int, data: CustomerUpdate, actor: Actor) -> Customer:
    customer = get(session, customer_id)
    changes = data.model_dump(exclude_unset=True)
    _ensure_unique_contacts(
        session, changes.get("phone"), changes.get("email"), except_id=customer.id
    )
    before = audit.snapshot(customer)
    for key, value in changes.items():
        setattr(customer, key, value)
    if changes.get("sms_consent") and not before["sms_consent"]:
        customer.sms_consent_at = utcnow()
        _record_consent(session, customer, actor, given=True)
    elif changes.get("sms_consent") is False and before["sms_consent"]:
        _record_consent(session, customer, actor, given=False)
    customer.updated_at = utcnow()
    session.add(customer)
    delta = audit.diff(before, audit.snapshot(customer, frozenset({"updated_at"})))
    if delta:
        audit.record(
            session,
            actor,
            "customer.update",
            "customer",
            customer.id,
            delta,
            f"Changed {', '.join(sorted(delta))} of {customer.full_name}",
        )
    return customer


def _record_consent(session: Session, customer: Customer, actor: Actor, *, given: bool) -> None:
    """The consent box ticked or unticked on the customer's record, kept as evidence."""
    if not customer.phone:
        return
    public = actor.key.startswith(("customer", "public"))
    consent.record(
        session,
        address=customer.phone,
        channel=Channel.SMS,
        customer_id=customer.id,
        action=ConsentAction.OPT_IN if given else ConsentAction.OPT_OUT,
        method="web_form" if public else "staff_entry",
        evidence=f"texts consent {'ticked' if given else 'unticked'} by {actor.name}",
        actor=actor,
        scope=consent.ALL_KINDS if given else "marketing",
    )


def search(session: Session, text: str = "", page: int = 1, per_page: int = 25) -> Page[Customer]:
    query = select(Customer).where(col(Customer.merged_into_id).is_(None))
    if text.strip():
        needle = text.strip()
        digits = "".join(ch for ch in text if ch.isdigit())
        conditions: list[ColumnElement[bool]] = [
            contains_text(session, Customer.full_name, needle),
            contains_text(session, Customer.email, needle),
        ]
        if len(digits) >= 3:
            conditions.append(contains_text(session, Customer.phone, digits))
        query = query.where(or_(*conditions))
    query = query.order_by(col(Customer.full_name), col(Customer.id))
    return paginate(session, query, page, per_page)


def find_or_create_by_phone(
    session: Session, phone: str, actor: Actor, name: str | None = None
) -> tuple[Customer, bool]:
    """The customer who owns this E.164 number, created on first contact."""
    existing = find_by_phone(session, phone)
    if existing is not None:
        return existing, False
    return create(session, CustomerCreate(full_name=name or phone, phone=phone), actor), True


def merge(session: Session, keep_id: int, duplicate_id: int, actor: Actor) -> Customer:
    """Folds a duplicate into the record to keep: contacts that the keeper lacks move over.

    The duplicate row stays (pointing at the keeper) so history that names it still resolves.
    """
    if keep_id == duplicate_id:
        raise ConflictError("cannot merge a customer into itself")
    keeper = get(session, keep_id)
    duplicate = get(session, duplicate_id)
    moved: dict[str, str] = {}
    for field in ("phone", "email"):
        value = getattr(duplicate, field)
        if value and not getattr(keeper, field):
            setattr(duplicate, field, None)
            session.add(duplicate)
            session.flush()
            setattr(keeper, field, value)
            moved[field] = value
    duplicate.merged_into_id = keeper.id
    keeper.updated_at = utcnow()
    session.add_all([keeper, duplicate])
    _repoint_references(session, duplicate_id, keep_id)
    audit.record(
        session,
        actor,
        "customer.merge",
        "customer",
        keeper.id,
        {"merged_customer_id": duplicate_id, "moved": moved},
        f"Merged {duplicate.full_name} into {keeper.full_name}",
    )
    return keeper


def _repoint_references(session: Session, old_id: int, new_id: int) -> None:
    from domain.bookings.models import Booking
    from domain.customers.models import CustomerIdentity

    for model in (Booking, CustomerIdentity):
        for row in session.exec(select(model).where(model.customer_id == old_id)).all():
            row.customer_id = new_id
            session.add(row)
