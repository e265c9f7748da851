import pytest
from sqlmodel import Session, select

from core.errors import ConflictError, NotFoundError
from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM, Actor
from domain.customers import service
from domain.customers.schemas import CustomerCreate, CustomerUpdate
from tests import factories


def test_create_normalises_contacts_and_audits(session: Session) -> None:
    customer = service.create(
        session,
        CustomerCreate(
            full_name="Sofia Ramirez", phone="(925) 555-0113", email="Sofia@Example.com"
        ),
        Actor.user(7, "Ana"),
    )
    session.commit()
    assert customer.phone == "+19255550113"
    assert customer.email == "sofia@example.com"
    entry = session.exec(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.entity_id) == (
        "user:7",
        "customer.create",
        str(customer.id),
    )


def test_one_person_per_phone_and_email(session: Session) -> None:
    factories.customer(session, "Jennifer Nguyen", "510-555-0111")
    with pytest.raises(ConflictError, match="already has this phone"):
        factories.customer(session, "Jen N.", "+1 510 555 0111")


def test_update_records_only_what_changed(session: Session) -> None:
    customer = factories.customer(session)
    service.update(session, customer.id or 0, CustomerUpdate(notes="Allergic to shellfish"), SYSTEM)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "customer.update")).one()
    assert entry.changes == {"notes": ["", "Allergic to shellfish"]}


def test_search_by_name_email_or_phone_digits_with_pagination(session: Session) -> None:
    for index in range(30):
        factories.customer(session, f"Guest {index:02d}", f"510-555-{index + 100:04d}")
    factories.customer(session, "David Chen", "408-555-0114")
    assert [c.full_name for c in service.search(session, "chen").items] == ["David Chen"]
    assert [c.full_name for c in service.search(session, "4085550114").items] == ["David Chen"]
    page = service.search(session, "guest", page=2, per_page=25)
    assert page.total == 30 and len(page.items) == 5 and not page.has_next


def test_find_or_create_by_phone_returns_the_same_person(session: Session) -> None:
    first, created = service.find_or_create_by_phone(session, "+15105550199", SYSTEM)
    again, created_again = service.find_or_create_by_phone(session, "+15105550199", SYSTEM)
    assert created and not created_again and first.id == again.id


def test_merge_moves_missing_contacts_and_bookings(session: Session) -> None:
    factories.business(session)
    keeper = factories.customer(session, "Robert Kim", "650-555-0116")
    duplicate = service.create(
        session, CustomerCreate(full_name="Bob Kim", email="bob.kim@example.com"), SYSTEM
    )
    booking = factories.booking(session, duplicate.id or 0)
    merged = service.merge(session, keeper.id or 0, duplicate.id or 0, SYSTEM)
    session.commit()
    assert merged.email == "bob.kim@example.com"
    assert booking.customer_id == keeper.id
    with pytest.raises(NotFoundError):
        service.get(session, duplicate.id or 0)
