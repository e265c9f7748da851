"""Sending a text from a workflow: once, and only when the recipient may receive it.

The send activity decides (consent, the owner's switch, allowed hours, rate limits); when it
answers `held`, the workflow sleeps durably until the window opens and asks again with the same
idempotency key, so a restart never sends twice and never forgets.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.messaging import MessagingActivities
    from domain.messaging.models import MessageStatus
    from domain.messaging.payloads import SendSmsRequest, SendSmsResult
    from workflows.policies import PROVIDER_RETRY

SEND_TIMEOUT = timedelta(seconds=30)
# Never sleep less than this between two asks, whatever the clock says.
_MINIMUM_HOLD = timedelta(seconds=30)


async def send_text(request: SendSmsRequest) -> SendSmsResult:
    while True:
        result = await workflow.execute_activity_method(
            MessagingActivities.send_sms,
            request,
            start_to_close_timeout=SEND_TIMEOUT,
            retry_policy=PROVIDER_RETRY,
        )
        if result.status != MessageStatus.HELD.value or result.hold_until is None:
            return result
        await workflow.sleep(max(result.hold_until - workflow.now(), _MINIMUM_HOLD))
