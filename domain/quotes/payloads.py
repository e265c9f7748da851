"""Plain payloads that travel through Temporal for quotes (never ORM rows)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.messaging.payloads import SendSmsRequest


class QuoteWorkflowInput(BaseModel):
    quote_id: int


class QuoteStep(BaseModel):
    """A step of the quote at the workflow's time (`workflow.now()`), so the quote's dates
    follow the workflow's timers rather than the clock of whichever worker runs it."""

    quote_id: int
    at: datetime


class PricedQuote(BaseModel):
    quote_id: int
    declined: bool
    reason: str
    estimated: bool
    total_cents: int
    offer_sms: SendSmsRequest


class SentQuote(BaseModel):
    expires_at: datetime
    remind_at: datetime | None


class QuoteFollowUp(BaseModel):
    """What the workflow should do next, decided from the database (the source of truth)."""

    status: str
    sms: SendSmsRequest | None = None
    booking_id: int | None = None


class QuoteOutcome(BaseModel):
    quote_id: int
    status: str
    reminded: bool
    booking_id: int | None = None
