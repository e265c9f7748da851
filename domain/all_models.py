"""Imports every table so `SQLModel.metadata` is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from domain.accounts.models import User
from domain.api_keys.models import ApiKey
from domain.audit.models import AuditEntry
from domain.bookings.models import Booking
from domain.business.models import AddOn, BusinessSettings, FaqEntry, Package
from domain.calls.models import Call, Escalation
from domain.customers.models import Customer, CustomerIdentity
from domain.inbox.models import WebhookEvent
from domain.messaging.models import (
    ConsentRecord,
    Conversation,
    Message,
    MessageTemplate,
)
from domain.payments.models import BankConnection, DepositLink, LedgerEntry, PayerAlias, Payment
from domain.quotes.models import Quote, QuoteEvent, TravelCacheEntry
from domain.reviews.models import GoogleConnection, Review
from domain.staff.models import Extension, RotationCursor, StaffMember
from domain.tasks.models import Task

metadata = SQLModel.metadata

__all__ = [
    "AddOn",
    "ApiKey",
    "AuditEntry",
    "BankConnection",
    "Booking",
    "BusinessSettings",
    "Call",
    "ConsentRecord",
    "Conversation",
    "Customer",
    "CustomerIdentity",
    "DepositLink",
    "Escalation",
    "Extension",
    "FaqEntry",
    "GoogleConnection",
    "LedgerEntry",
    "Message",
    "MessageTemplate",
    "Package",
    "PayerAlias",
    "Payment",
    "Quote",
    "QuoteEvent",
    "Review",
    "RotationCursor",
    "StaffMember",
    "Task",
    "TravelCacheEntry",
    "User",
    "WebhookEvent",
    "metadata",
]
