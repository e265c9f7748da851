"""Quote activities: price with the travel fee, mark sent, decide each follow-up from the
database (the source of truth: a lost signal never sends a reminder after acceptance)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from temporalio import activity

from activities.actor import workflow_actor
from activities.errors import rejected, retryable
from activities.travel import TravelMeasurer
from core.db import session_scope
from core.timeutil import to_local
from domain.business import service as business
from domain.customers import service as customers
from domain.messaging import service as messaging
from domain.messaging.models import MessageKind
from domain.messaging.payloads import SendSmsRequest
from domain.quotes import messages
from domain.quotes import service as quotes
from domain.quotes.models import Quote, QuoteStatus
from domain.quotes.payloads import PricedQuote, QuoteFollowUp, QuoteStep, SentQuote
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.maps.base import AddressNotFoundError, RouteNotFoundError


class FollowUpRequest(BaseModel):
    quote_id: int
    stage: str  # "reminder" (before expiry), "expiry", or "decided" (a signal came)


class QuoteActivities:
    def __init__(self, engine: Engine, travel: TravelMeasurer, public_base_url: str) -> None:
        self._engine = engine
        self._travel = travel
        self._public_base_url = public_base_url.rstrip("/")

    @activity.defn
    def price_quote(self, request: QuoteStep) -> PricedQuote:
        with session_scope(self._engine) as session:
            quote = quotes.get(session, request.quote_id)
            origin = business.get_settings(session).base_address
            already_priced = (
                quote.status != QuoteStatus.PRICING or quote.distance_meters is not None
            )
            destination = quote.address
        if not already_priced:
            # Outside any transaction: Google may take seconds, and a retry starts clean.
            try:
                measured = self._travel.measure(origin, destination)
            except AddressNotFoundError:
                return self._decline(request.quote_id, messages.ADDRESS_NOT_FOUND)
            except RouteNotFoundError:
                return self._decline(request.quote_id, messages.NO_ROUTE)
            except ProviderTransientError as error:
                raise retryable(error) from error
            except ProviderRejectedError as error:
                raise rejected(error) from error
            with session_scope(self._engine) as session:
                quotes.apply_price(
                    session, request.quote_id, measured, workflow_actor(), request.at
                )
        with session_scope(self._engine) as session:
            return self._priced(session, quotes.get(session, request.quote_id))

    def _decline(self, quote_id: int, reason: str) -> PricedQuote:
        with session_scope(self._engine) as session:
            return self._priced(
                session, quotes.decline(session, quote_id, reason, workflow_actor())
            )

    def _priced(self, session: Session, quote: Quote) -> PricedQuote:
        settings = business.get_settings(session)
        declined = quote.status == QuoteStatus.DECLINED
        if declined:
            text = messages.decline_text(
                business_name=settings.name, reason=quote.decline_reason or ""
            )
        else:
            assert quote.expires_at is not None, "a priced quote has its end date"
            text = messages.offer_text(
                business_name=settings.name,
                reference=quote.reference,
                guests=quote.adults + quote.children,
                formatted_address=quote.formatted_address or quote.address,
                total_cents=quote.total_cents,
                travel_fee_cents=quote.travel_fee_cents,
                deposit_cents=quote.deposit_cents,
                estimated=not quote.travel_confirmed,
                link=self.public_url(quote),
                expires_local=to_local(quote.expires_at, settings.timezone),
            )
        return PricedQuote(
            quote_id=quote.id or 0,
            declined=declined,
            reason=quote.decline_reason or "",
            estimated=not quote.travel_confirmed,
            total_cents=quote.total_cents,
            offer_sms=self._sms(session, quote, "offer", text),
        )

    def public_url(self, quote: Quote) -> str:
        return f"{self._public_base_url}/q/{quote.public_token}"

    def _sms(self, session: Session, quote: Quote, purpose: str, text: str) -> SendSmsRequest:
        customer = customers.get(session, quote.customer_id)
        settings = business.get_settings(session)
        conversation = messaging.conversation_for(session, customer.id or 0)
        return SendSmsRequest(
            idempotency_key=f"quote:{quote.id}:{purpose}",
            conversation_id=conversation.id or 0,
            from_number=settings.phone_number,
            to_number=customer.phone or "",
            text=text,
            sent_by=f"workflow:quote-{quote.id}",
            # The offer answers the customer's own request; a later nudge waits for daytime.
            kind=MessageKind.TRANSACTIONAL if purpose == "offer" else MessageKind.REMINDER,
            matter=f"quote:{quote.id}",
        )

    @activity.defn
    def mark_quote_sent(self, request: QuoteStep) -> SentQuote:
        with session_scope(self._engine) as session:
            quote, remind_at = quotes.mark_sent(session, request.quote_id, request.at)
            assert quote.expires_at is not None
            return SentQuote(expires_at=quote.expires_at, remind_at=remind_at)

    @activity.defn
    def quote_follow_up(self, request: FollowUpRequest) -> QuoteFollowUp:
        with session_scope(self._engine) as session:
            quote = quotes.get(session, request.quote_id)
            settings = business.get_settings(session)
            if quote.status == QuoteStatus.ACCEPTED:
                # The booking's own lifecycle sends the confirmation (the owner's template).
                return QuoteFollowUp(status=quote.status.value, booking_id=quote.booking_id)
            if quote.status != QuoteStatus.SENT:
                return QuoteFollowUp(status=quote.status.value)
            if request.stage == "expiry":
                quotes.expire(session, quote.id or 0, workflow_actor())
                return QuoteFollowUp(status=QuoteStatus.EXPIRED.value)
            if request.stage == "reminder" and quote.reminded_at is None:
                quotes.mark_reminded(session, quote.id or 0)
                text = messages.reminder_text(
                    business_name=settings.name,
                    reference=quote.reference,
                    link=self.public_url(quote),
                )
                return QuoteFollowUp(
                    status=quote.status.value, sms=self._sms(session, quote, "reminder", text)
                )
            return QuoteFollowUp(status=quote.status.value)
