"""Names for ids shown in lists, and the choices offered by booking forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from admin_ui.web import phone
from domain.business.models import Package
from domain.customers.models import Customer
from domain.staff.models import StaffMember, StaffRole

#: A select cannot usefully hold more; past this, pick the customer from their own page.
MAX_CUSTOMER_CHOICES = 500


def customer_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Customer).where(col(Customer.id).in_(wanted))).all()
    return {row.id: row.full_name for row in rows if row.id is not None}


def chef_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    rows = session.exec(select(StaffMember).where(col(StaffMember.id).in_(wanted))).all()
    return {row.id: row.full_name for row in rows if row.id is not None}


@dataclass(frozen=True)
class Choice:
    value: int
    label: str


@dataclass(frozen=True)
class BookingChoices:
    customers: list[Choice]
    chefs: list[Choice]
    packages: list[Choice]


def booking_choices(session: Session, include_customer: int | None = None) -> BookingChoices:
    customers = list(
        session.exec(
            select(Customer)
            .where(col(Customer.merged_into_id).is_(None))
            .order_by(col(Customer.full_name), col(Customer.id))
            .limit(MAX_CUSTOMER_CHOICES)
        ).all()
    )
    if include_customer is not None and all(c.id != include_customer for c in customers):
        extra = session.get(Customer, include_customer)
        if extra is not None:
            customers.insert(0, extra)
    chefs = session.exec(
        select(StaffMember)
        .where(StaffMember.role == StaffRole.CHEF, col(StaffMember.active).is_(True))
        .order_by(col(StaffMember.full_name))
    ).all()
    packages = session.exec(
        select(Package).where(col(Package.active).is_(True)).order_by(col(Package.name))
    ).all()
    return BookingChoices(
        customers=[
            Choice(c.id, f"{c.full_name} · {phone(c.phone) or c.email or 'no contact'}")
            for c in customers
            if c.id is not None
        ],
        chefs=[Choice(c.id, c.full_name) for c in chefs if c.id is not None],
        packages=[
            Choice(p.id, f"{p.name} (${p.price_per_adult_cents / 100:,.0f} per adult)")
            for p in packages
            if p.id is not None
        ],
    )
