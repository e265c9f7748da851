"""Sending a text (SMS, Messenger or Instagram) from a workflow: once, and only when the
recipient may receive it.

The send activity decides (consent, the owner's switch, allowed hours, rate limits); when it
answers `held`, the workflow sleeps durably until the window opens and asks again with the same
idempotency key, so a restart never sends twice and never forgets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.direct_messages import DirectMessageActivities
    from activities.messaging import MessagingActivities
    from domain.customers.models import Channel
    from domain.messaging.models import MessageKind, MessageStatus
    from domain.messaging.payloads import SendDirectMessageRequest, SendSmsRequest, SendSmsResult
    from workflows.policies import DATABASE_RETRY, PROVIDER_RETRY

SEND_TIMEOUT = timedelta(seconds=30)
# Never sleep less than this between two asks, whatever the clock says.
_MINIMUM_HOLD = timedelta(seconds=30)


async def send_text(
    request: SendSmsRequest, *, interrupted: Callable[[], bool] | None = None
) -> SendSmsResult:
    """Sends, waiting out holds. When `interrupted` turns true during a hold (the booking moved
    or was cancelled), the waiting text is withdrawn and the `held` result returned: the caller
    decides afresh whether it is still due (the same key then sends it after all)."""
    while True:
        result = await workflow.execute_activity_method(
            MessagingActivities.send_sms,
            request,
            start_to_close_timeout=SEND_TIMEOUT,
            retry_policy=PROVIDER_RETRY,
        )
        if result.status != MessageStatus.HELD.value or result.hold_until is None:
            return result
        wait = max(result.hold_until - workflow.now(), _MINIMUM_HOLD)
        if interrupted is None:
            await workflow.sleep(wait)
            continue
        try:
            await workflow.wait_condition(interrupted, timeout=wait)
        except TimeoutError:
            continue
        await workflow.execute_activity_method(
            MessagingActivities.withdraw_held,
            request.idempotency_key,
            start_to_close_timeout=SEND_TIMEOUT,
            retry_policy=DATABASE_RETRY,
        )
        return result


async def send_direct(request: SendDirectMessageRequest) -> SendSmsResult:
    """A Messenger or Instagram message, once; held only by the owner's switch."""
    while True:
        result = await workflow.execute_activity_method(
            DirectMessageActivities.send_direct_message,
            request,
            start_to_close_timeout=SEND_TIMEOUT,
            retry_policy=PROVIDER_RETRY,
        )
        if result.status != MessageStatus.HELD.value or result.hold_until is None:
            return result
        await workflow.sleep(max(result.hold_until - workflow.now(), _MINIMUM_HOLD))


async def send_on_channel(
    *,
    channel: Channel,
    idempotency_key: str,
    conversation_id: int,
    our_address: str,
    their_address: str,
    text: str,
    sent_by: str,
    kind: MessageKind,
    human_agent: bool = False,
) -> SendSmsResult:
    """A message to a customer on their channel: SMS from our number, or Messenger / Instagram
    (`human_agent`: a person writes, so Meta's tag may carry it past the 24 hours)."""
    if channel is Channel.SMS:
        return await send_text(
            SendSmsRequest(
                idempotency_key=idempotency_key,
                conversation_id=conversation_id,
                from_number=our_address,
                to_number=their_address,
                text=text,
                sent_by=sent_by,
                kind=kind,
            )
        )
    return await send_direct(
        SendDirectMessageRequest(
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            channel=channel,
            recipient_id=their_address,
            text=text,
            sent_by=sent_by,
            kind=kind,
            human_agent=human_agent,
        )
    )
