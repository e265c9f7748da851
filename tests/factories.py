"""Small builders for test data, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.models import Booking
from domain.bookings.schemas import BookingCreate
from domain.business.models import BusinessSettings
from domain.customers import service as customers
from domain.customers.models import Customer
from domain.customers.schemas import CustomerCreate
from domain.staff.models import Extension, StaffMember, StaffRole

PACIFIC = ZoneInfo("America/Los_Angeles")


def business(session: Session) -> BusinessSettings:
    settings = BusinessSettings(
        name="Test Hibachi",
        base_address="43555 Mission Blvd, Fremont, CA 94539",
        phone_number="+15105550100",
    )
    session.add(settings)
    session.flush()
    return settings


def customer(
    session: Session, name: str = "Jennifer Nguyen", phone: str | None = "510-555-0111"
) -> Customer:
    return customers.create(session, CustomerCreate(full_name=name, phone=phone), SYSTEM)


def chef(session: Session, name: str = "Chef Hiro") -> StaffMember:
    member = StaffMember(full_name=name, role=StaffRole.CHEF)
    session.add(member)
    session.flush()
    return member


def booking(
    session: Session,
    customer_id: int,
    start: datetime | None = None,
    chef_id: int | None = None,
    adults: int = 20,
    announce: bool = False,
) -> Booking:
    """`announce=False`: no texting workflow is queued, as most tests are about something else."""
    start = start or datetime(2026, 12, 5, 18, 0, tzinfo=PACIFIC)
    return bookings.create(
        session,
        BookingCreate(
            customer_id=customer_id,
            requested_start=start,
            address="1234 Bernal Ave, Pleasanton, CA 94566",
            adults=adults,
            chef_id=chef_id,
        ),
        SYSTEM,
        announce=announce,
    )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def owner_on_primary_extension(session: Session, phone: str) -> StaffMember:
    """The owner with a mobile number, on the primary escalation extension: who gets texted."""
    owner = StaffMember(full_name="Olivia Owner", role=StaffRole.OWNER, phone=phone)
    session.add(owner)
    session.flush()
    session.add(
        Extension(
            staff_member_id=owner.id or 0,
            extension_number="101",
            ringcentral_extension_id="rc-101",
            is_primary_escalation=True,
        )
    )
    session.flush()
    return owner
