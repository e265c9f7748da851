"""InboundSmsWorkflow on the time-skipping server with its real activities."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, select

from domain.customers.models import Customer
from domain.messaging.models import Message, MessageDirection, MessageStatus
from domain.messaging.payloads import InboundSms
from integrations.sms.ringcentral import SMS_PATH
from tests.sandbox_fixtures import RingCentralSandbox
from tests.workflows.conftest import RunningWorker
from workflows.inbound_sms import InboundSmsOutcome, InboundSmsWorkflow, workflow_id_for

BUSINESS = "+15105550100"


def _sms(text: str = "Hi, are you free on Dec 12 for 20 people?", sender: str = "+15105550111"):
    return InboundSms(
        provider_message_id=uuid.uuid4().hex[:12],
        from_number=sender,
        to_number=BUSINESS,
        text=text,
        received_at=datetime.now(UTC),
    )


async def _run(worker: RunningWorker, sms: InboundSms) -> InboundSmsOutcome:
    return await worker.client.execute_workflow(
        InboundSmsWorkflow.run,
        sms,
        id=workflow_id_for(sms.provider_message_id),
        task_queue=worker.task_queue,
    )


def _outbound(worker: RunningWorker) -> list[Message]:
    with Session(worker.engine) as session:
        return list(
            session.exec(
                select(Message).where(Message.direction == MessageDirection.OUTBOUND)
            ).all()
        )


def _texts_to(ringcentral: RingCentralSandbox, number: str) -> list[str]:
    return [m.text for m in ringcentral.state.thread(number) if m.direction == "Outbound"]


async def test_records_the_text_and_acknowledges_once(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    outcome = await _run(worker, _sms())
    assert outcome.acknowledged and outcome.reason == "acknowledged"
    with Session(worker.engine) as session:
        customer = session.get(Customer, outcome.customer_id)
        assert customer is not None and customer.phone == "+15105550111"
        inbound = session.get(Message, outcome.message_id)
        assert inbound is not None and inbound.direction == MessageDirection.INBOUND
    [sent] = _outbound(worker)
    assert sent.status == MessageStatus.SENT and sent.external_id
    assert _texts_to(ringcentral, "+15105550111") == [sent.body]

    # A second text inside the quiet period is recorded but not acknowledged again.
    second = await _run(worker, _sms("Also, do you bring the grill?"))
    assert not second.acknowledged and second.reason == "acknowledged recently"
    assert len(_texts_to(ringcentral, "+15105550111")) == 1


async def test_an_opt_out_gets_no_acknowledgement(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    outcome = await _run(worker, _sms("STOP", sender="+14085550112"))
    assert not outcome.acknowledged and outcome.reason == "customer opted out"
    assert _texts_to(ringcentral, "+14085550112") == []


async def test_a_rate_limited_provider_is_retried_and_texts_once(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    ringcentral.fault(path_prefix=SMS_PATH, kind="rate_limit", count=2, retry_after_seconds=30)
    ringcentral.fault(path_prefix=SMS_PATH, kind="server_error", count=1)
    outcome = await _run(worker, _sms(sender="+19255550113"))
    assert outcome.acknowledged
    assert len(_texts_to(ringcentral, "+19255550113")) == 1
    [sent] = _outbound(worker)
    assert sent.status == MessageStatus.SENT


async def test_an_unknown_outcome_does_not_send_a_second_text(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    # The provider takes the text but answers after our timeout: the retry must find it.
    ringcentral.fault(path_prefix=SMS_PATH, kind="delay", delay_seconds=2.5)
    outcome = await _run(worker, _sms(sender="+15105550114"))
    assert outcome.acknowledged
    assert len(_texts_to(ringcentral, "+15105550114")) == 1
    [sent] = _outbound(worker)
    assert sent.status == MessageStatus.SENT


async def test_a_refused_text_fails_without_retrying(
    worker: RunningWorker, ringcentral: RingCentralSandbox
) -> None:
    import pytest
    from temporalio.client import WorkflowFailureError

    sms = _sms(sender="+15105550115").model_copy(update={"to_number": "+15105550999"})
    with pytest.raises(WorkflowFailureError):
        await _run(worker, sms)
    [failed] = _outbound(worker)
    assert failed.status == MessageStatus.FAILED and "doesn't belong" in (failed.error or "")
    assert _texts_to(ringcentral, "+15105550115") == []
