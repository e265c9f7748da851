"""A realistic demo business based in Fremont, CA 94539, for the run command and the walkthrough.

Seeding is idempotent: it does nothing when the business already exists. Dates are relative to
today (in the business's time zone) so the dashboard always has events today and ahead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.audit.service import SYSTEM
from domain.bookings import service as bookings
from domain.bookings.models import BookingStatus
from domain.bookings.schemas import AddOnSelection, BookingCreate
from domain.business.models import AddOn, BusinessSettings, FaqEntry, Package
from domain.customers import service as customers
from domain.customers.schemas import CustomerCreate
from domain.payments.models import (
    LedgerEntry,
    LedgerEntryKind,
    Payment,
    PaymentMethod,
    PaymentSource,
    PaymentStatus,
)
from domain.staff.models import Extension, ExtensionStatus, StaffMember, StaffRole

TIMEZONE = "America/Los_Angeles"
DEMO_BASE_ADDRESS = "43555 Mission Blvd, Fremont, CA 94539"
WEEKDAY_HOURS = [["09:00", "18:00"]]
WEEKEND_HOURS = [["10:00", "21:00"]]

CUSTOMERS = [
    ("Jennifer Nguyen", "510-555-0111", "jen.nguyen@example.com"),
    ("Michael Patel", "408-555-0112", "mpatel@example.com"),
    ("Sofia Ramirez", "925-555-0113", "sofia.ramirez@example.com"),
    ("David Chen", "510-555-0114", "dchen@example.com"),
    ("Ashley Johnson", "209-555-0115", "ashley.j@example.com"),
    ("Robert Kim", "650-555-0116", "bob.kim@example.com"),
    ("Maria Gonzalez", "209-555-0117", None),
    ("Kevin O'Brien", "925-555-0118", "kobrien@example.com"),
    ("Priya Sharma", "408-555-0119", "priya.s@example.com"),
    ("Daniel Murphy", "510-555-0120", None),
    ("Emily Tran", "408-555-0121", "emily.tran@example.com"),
    ("José Hernández", "209-555-0122", "jose.hernandez@example.com"),
    ("Linda Park", "510-555-0123", "lindapark@example.com"),
    ("Brian Wilson", "925-555-0124", "bwilson@example.com"),
    ("Vanessa Lopez", "209-555-0125", None),
    ("Acme Robotics (Sarah Lee)", "408-555-0126", "events@acme-robotics.example.com"),
]

ADDRESSES = [
    DEMO_BASE_ADDRESS,
    "1234 Bernal Ave, Pleasanton, CA 94566",
    "500 El Camino Real, Santa Clara, CA 95050",
    "2200 Pacific Ave, Stockton, CA 95204",
    "980 Sylvan Ave, Modesto, CA 95350",
    "77 Civic Center Dr, Tracy, CA 95376",
    "3500 Deer Creek Rd, Palo Alto, CA 94304",
    "1 Harbor Bay Pkwy, Alameda, CA 94502",
    "6000 Bollinger Canyon Rd, San Ramon, CA 94583",
    "1500 Old Oakland Rd, San Jose, CA 95112",
]


def _faq_entries() -> list[FaqEntry]:
    return [
        FaqEntry(
            question="Do you bring the grill and propane?",
            answer=(
                "Yes! Our chef brings the teppanyaki grill, propane, cooking tools and all the "
                "food. You provide tables, chairs, plates and utensils for your guests."
            ),
            keywords="grill, propane, equipment, bring, setup",
        ),
        FaqEntry(
            question="What is included in the hibachi party?",
            answer=(
                "Every guest gets salad, hibachi vegetables, fried rice and two proteins of "
                "chicken, steak, shrimp or salmon, plus the chef's show. Upgrades like filet "
                "mignon and lobster are extra."
            ),
            keywords="included, menu, food, what do you serve, proteins",
        ),
        FaqEntry(
            question="Do you cook in the rain or indoors?",
            answer=(
                "We cook outdoors under a covered patio or tent when it rains. We don't cook "
                "indoors because of the open flame."
            ),
            keywords="rain, indoors, inside, weather, covered",
        ),
        FaqEntry(
            question="Are you licensed and insured?",
            answer="Yes, we are fully licensed and insured, and we can send a certificate.",
            keywords="licensed, insured, insurance, certificate, permit",
        ),
        FaqEntry(
            question="How far do you travel?",
            answer=(
                "We travel free within 30 miles of Fremont, then $2 a mile, up to 100 miles. "
                "Text us your address for an exact quote."
            ),
            keywords="travel, how far, distance, area, come to",
        ),
    ]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: Role


DEMO_LOGINS = (
    DemoLogin("manager@example.com", "teppan-manager", Role.MANAGER),
    DemoLogin("staff@example.com", "teppan-staff1", Role.STAFF),
)


def seed_demo_data(
    session: Session,
    *,
    business_name: str,
    business_phone: str,
    owner_email: str,
    owner_password: str,
    today: date | None = None,
) -> bool:
    """Creates the demo business; False when a business already exists."""
    if session.get(BusinessSettings, 1) is not None:
        return False
    zone = ZoneInfo(TIMEZONE)
    today = today or datetime.now(zone).date()
    rng = random.Random(94539)  # noqa: S311 - demo data, not security

    session.add(
        BusinessSettings(
            name=business_name,
            timezone=TIMEZONE,
            base_address=DEMO_BASE_ADDRESS,
            phone_number=business_phone,
            email="hello@fremont-hibachi.example.com",
        )
    )
    classic = Package(
        name="Classic Hibachi",
        description="Chicken, steak or shrimp, fried rice, vegetables, salad, and the show.",
        price_per_adult_cents=6000,
        price_per_child_cents=3000,
    )
    premium = Package(
        name="Premium Hibachi",
        description="Two proteins including filet mignon or scallops, noodles, and the show.",
        price_per_adult_cents=8000,
        price_per_child_cents=4000,
    )
    add_ons = [
        AddOn(name="Lobster tail", price_cents=1500),
        AddOn(name="Filet mignon upgrade", price_cents=1000),
        AddOn(name="Extra protein", price_cents=800),
        AddOn(name="Gyoza appetizer", price_cents=600),
        AddOn(name="Sake service", price_cents=4000, per_person=False),
    ]
    session.add_all([classic, premium, *add_ons, *_faq_entries()])

    owner = accounts.create_user(
        session,
        email=owner_email,
        full_name="Kenji Tanaka",
        password=owner_password,
        role=Role.OWNER,
        actor=SYSTEM,
    )
    manager_login, staff_login = DEMO_LOGINS
    manager = accounts.create_user(
        session,
        email=manager_login.email,
        full_name="Ana Lopez",
        password=manager_login.password,
        role=manager_login.role,
        actor=SYSTEM,
    )
    desk = accounts.create_user(
        session,
        email=staff_login.email,
        full_name="Jessica Wu",
        password=staff_login.password,
        role=staff_login.role,
        actor=SYSTEM,
    )

    staff = [
        StaffMember(
            full_name="Kenji Tanaka", role=StaffRole.OWNER, phone="+15105550101", user_id=owner.id
        ),
        StaffMember(
            full_name="Ana Lopez", role=StaffRole.MANAGER, phone="+15105550102", user_id=manager.id
        ),
        StaffMember(
            full_name="Jessica Wu", role=StaffRole.PHONE, phone="+15105550103", user_id=desk.id
        ),
        StaffMember(full_name="Marco Rossi", role=StaffRole.PHONE, phone="+15105550104"),
    ]
    chefs = [
        StaffMember(full_name="Chef Hiro Sato", role=StaffRole.CHEF, phone="+15105550105"),
        StaffMember(full_name="Chef Daniel Cruz", role=StaffRole.CHEF, phone="+15105550106"),
        StaffMember(full_name="Chef Mei Lin", role=StaffRole.CHEF, phone="+15105550107"),
    ]
    session.add_all([*staff, *chefs])
    session.flush()
    hours = {day: WEEKDAY_HOURS for day in ("mon", "tue", "wed", "thu", "fri")} | {
        "sat": WEEKEND_HOURS,
        "sun": WEEKEND_HOURS,
    }
    for number, member in zip(("101", "102", "103", "104"), staff, strict=True):
        session.add(
            Extension(
                extension_number=number,
                staff_member_id=member.id or 0,
                ringcentral_extension_id=f"200{number}",  # as the sandbox numbers them
                status=ExtensionStatus.OFFLINE if number == "104" else ExtensionStatus.AVAILABLE,
                working_hours=hours,
                is_primary_escalation=number == "102",
            )
        )

    customer_ids = []
    for name, phone, email in CUSTOMERS:
        customer = customers.create(
            session,
            CustomerCreate(full_name=name, phone=phone, email=email, sms_consent=True),
            SYSTEM,
        )
        customer_ids.append(customer.id or 0)

    # Past events (paid), today's and upcoming ones (deposits), spread over the chefs.
    day_offsets = [-40, -26, -19, -12, -9, -5, -2, 0, 0, 1, 3, 6, 8, 13, 20, 27, 34, 45]
    for index, offset in enumerate(day_offsets):
        day = today + timedelta(days=offset)
        start = datetime.combine(day, time(17 if index % 2 else 18, 0 if index % 3 else 30), zone)
        chef = chefs[index % len(chefs)]
        adults = rng.randint(10, 40)
        booking = bookings.create(
            session,
            BookingCreate(
                customer_id=customer_ids[index % len(customer_ids)],
                requested_start=start,
                address=ADDRESSES[index % len(ADDRESSES)],
                adults=adults,
                children=rng.randint(0, 8),
                package_id=(premium if index % 4 == 0 else classic).id,
                add_ons=[AddOnSelection(add_on_id=add_ons[0].id or 0, quantity=adults // 3)]
                if index % 3 == 0
                else [],
                chef_id=chef.id,
                notes="Gate code 4321" if index % 5 == 0 else "",
            ),
            SYSTEM,
            # Arranged long ago: texting every demo customer a confirmation at start-up would
            # bury the sandbox phone. Bookings made in the walkthrough get their texts.
            announce=False,
        )
        booking_id = booking.id or 0
        customer_name = CUSTOMERS[index % len(CUSTOMERS)][0]
        if offset < 0:
            booking.status = BookingStatus.COMPLETED
            _pay(session, booking_id, booking.total_cents, day, customer_name, index, "full")
        else:
            _pay(
                session,
                booking_id,
                booking.deposit_cents,
                day - timedelta(days=14),
                customer_name,
                index,
                "deposit",
            )
        session.add(booking)
    session.flush()
    return True


_METHODS = [PaymentMethod.ZELLE, PaymentMethod.CARD, PaymentMethod.VENMO, PaymentMethod.CASHAPP]


def _pay(
    session: Session,
    booking_id: int,
    amount_cents: int,
    day: date,
    payer: str,
    index: int,
    label: str,
) -> None:
    method = _METHODS[index % len(_METHODS)]
    received_at = datetime.combine(day, time(12, 0), ZoneInfo(TIMEZONE))
    payment = Payment(
        source=PaymentSource.STRIPE if method == PaymentMethod.CARD else PaymentSource.BANK,
        external_id=f"demo-{booking_id}-{label}",
        method=method,
        amount_cents=amount_cents,
        received_at=received_at,
        payer_name=payer.upper() if method != PaymentMethod.CARD else payer,
        description=f"Demo {label} via {method.value}",
        status=PaymentStatus.APPLIED,
        booking_id=booking_id,
    )
    session.add(payment)
    session.flush()
    session.add(
        LedgerEntry(
            booking_id=booking_id,
            kind=LedgerEntryKind.PAYMENT,
            amount_cents=amount_cents,
            description=f"{label.capitalize()} via {method.value}",
            payment_id=payment.id,
            occurred_at=received_at,
            created_by="system",
        )
    )
