"""A quote, from request to booking or expiry.

Price it (travel fee from Google or the estimate), text it, remind once before it expires,
expire it after. Accepting happens on the public quote page, which writes the booking and then
signals here; every follow-up asks the database first, so a lost signal costs at most a late
confirmation, never a reminder sent to someone who already booked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.quotes import FollowUpRequest, QuoteActivities
    from domain.messaging.models import MessageStatus
    from domain.messaging.payloads import SendSmsRequest
    from domain.quotes.payloads import QuoteFollowUp, QuoteOutcome, QuoteStep, QuoteWorkflowInput
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY
    from workflows.texting import send_text


def workflow_id_for(quote_id: int) -> str:
    return f"quote-{quote_id}"


@workflow.defn
class QuoteWorkflow:
    def __init__(self) -> None:
        self._decided = False

    @workflow.signal
    def decided(self) -> None:
        """The customer accepted, or staff cancelled: look at the quote again now."""
        self._decided = True

    @workflow.run
    async def run(self, request: QuoteWorkflowInput) -> QuoteOutcome:
        priced = await workflow.execute_activity_method(
            QuoteActivities.price_quote,
            QuoteStep(quote_id=request.quote_id, at=workflow.now()),
            # Google gets its own timeout inside; this bounds a stuck database.
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=PROVIDER_RETRY,
        )
        await self._text(priced.offer_sms)
        if priced.declined:
            return QuoteOutcome(quote_id=request.quote_id, status="declined", reminded=False)
        sent = await workflow.execute_activity_method(
            QuoteActivities.mark_quote_sent,
            QuoteStep(quote_id=request.quote_id, at=workflow.now()),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )
        reminded = False
        if sent.remind_at is not None:
            stage = "decided" if await self._wait_until(sent.remind_at) else "reminder"
            follow_up = await self._follow_up(request.quote_id, stage)
            if follow_up.status != "sent":
                return await self._finish(request.quote_id, follow_up, reminded)
            if follow_up.sms is not None:
                # A reminder held for the night is dropped if the customer decides meanwhile.
                reminded = await self._text(follow_up.sms, unless_decided=True)
        while True:
            stage = "decided" if await self._wait_until(sent.expires_at) else "expiry"
            follow_up = await self._follow_up(request.quote_id, stage)
            if follow_up.status != "sent":
                return await self._finish(request.quote_id, follow_up, reminded)
            self._decided = False  # a signal that changed nothing: keep waiting

    async def _wait_until(self, moment: datetime) -> bool:
        """True when a decision arrived before the moment, False when the moment came."""
        remaining = moment - workflow.now()
        if remaining <= timedelta(0):
            return self._decided
        try:
            await workflow.wait_condition(lambda: self._decided, timeout=remaining)
        except TimeoutError:
            return False
        return True

    async def _follow_up(self, quote_id: int, stage: str) -> QuoteFollowUp:
        return await workflow.execute_activity_method(
            QuoteActivities.quote_follow_up,
            FollowUpRequest(quote_id=quote_id, stage=stage),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DATABASE_RETRY,
        )

    async def _finish(
        self, quote_id: int, follow_up: QuoteFollowUp, reminded: bool
    ) -> QuoteOutcome:
        if follow_up.sms is not None:
            await self._text(follow_up.sms)
        return QuoteOutcome(
            quote_id=quote_id,
            status=follow_up.status,
            reminded=reminded,
            booking_id=follow_up.booking_id,
        )

    async def _text(self, sms: SendSmsRequest, *, unless_decided: bool = False) -> bool:
        """True when the text went out; a held one (night, paused texting) waits its turn."""
        sent = await send_text(sms, interrupted=(lambda: self._decided) if unless_decided else None)
        return sent.status == MessageStatus.SENT.value
