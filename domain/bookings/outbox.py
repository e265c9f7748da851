"""Announcing a booking's changes to its texting workflow through the inbox, in the caller's
transaction: the lifecycle workflow is started (or signalled) only once the change committed,
and still is if Temporal was down at that moment."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from domain.bookings.models import Booking
from domain.inbox import service as inbox

BOOKING_CHANGED = "booking.changed"

#: The columns whose change moves or stops the booking's texts. Others (notes, guests, the
#: address) are read when a text is written, so they need no wake-up.
LIFECYCLE_FIELDS = frozenset({"scheduled_start", "scheduled_end", "status"})


def changed(session: Session, booking: Booking, reason: str) -> int:
    """Queues one wake-up for the booking's lifecycle workflow; returns the inbox event id."""
    event = inbox.enqueue_internal(
        session,
        kind=BOOKING_CHANGED,
        event_key=f"booking-{reason}-{booking.id}-{uuid.uuid4().hex[:12]}",
        payload={"booking_id": booking.id, "reason": reason},
    )
    return event.id or 0
