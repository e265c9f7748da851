"""The RingCentral adapters, through the real SDK, against the wire-format emulator."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI, Request, Response

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.sms.base import OutboundSms
from integrations.sms.ringcentral import PER_PAGE, SMS_PATH, RingCentralSms
from integrations.telephony.ringcentral_subscriptions import RingCentralSubscriptions
from sandbox.framework import BackgroundServer
from tests.sandbox_fixtures import RingCentralSandbox

BUSINESS = "+15105550100"
CUSTOMER = "+15105550111"


def test_send_then_find_it_in_the_message_store(ringcentral: RingCentralSandbox) -> None:
    sms = RingCentralSms(ringcentral.client())
    before = datetime.now(UTC) - timedelta(seconds=5)
    sent = sms.send(OutboundSms(BUSINESS, CUSTOMER, "Your chef arrives at 5pm"))
    assert sent.provider_message_id
    found = sms.find_sent(CUSTOMER, "Your chef arrives at 5pm", before)
    assert found is not None and found.provider_message_id == sent.provider_message_id
    assert sms.find_sent(CUSTOMER, "another text", before) is None
    assert sms.find_sent("+15105550199", "Your chef arrives at 5pm", before) is None


def test_find_sent_looks_past_the_first_page(ringcentral: RingCentralSandbox) -> None:
    """A retry after a busy hour: the first attempt's text lies behind pages of later ones."""
    sms = RingCentralSms(ringcentral.client())
    before = datetime.now(UTC) - timedelta(seconds=5)
    sent = sms.send(OutboundSms(BUSINESS, CUSTOMER, "Your chef arrives at 5pm"))
    for i in range(2 * PER_PAGE + 10):
        ringcentral.state.store("Outbound", BUSINESS, f"+1510555{i:04d}", "Reminder")
    found = sms.find_sent(CUSTOMER, "Your chef arrives at 5pm", before)
    assert found is not None and found.provider_message_id == sent.provider_message_id


def test_a_stalled_call_does_not_hold_up_the_others(ringcentral: RingCentralSandbox) -> None:
    sms = RingCentralSms(ringcentral.client(timeout=10))
    sms.send(OutboundSms(BUSINESS, CUSTOMER, "logged in"))
    ringcentral.fault(path_prefix=SMS_PATH, kind="delay", delay_seconds=4)
    stalled = threading.Thread(target=sms.send, args=(OutboundSms(BUSINESS, CUSTOMER, "slow"),))
    stalled.start()
    while not any(m.text == "slow" for m in ringcentral.state.messages):
        time.sleep(0.01)  # the emulator took it and now stalls its answer
    sms.send(OutboundSms(BUSINESS, CUSTOMER, "fast"))
    assert stalled.is_alive(), "the second text waited for the stalled one"
    stalled.join(timeout=10)


def test_rate_limit_is_transient_with_retry_after(ringcentral: RingCentralSandbox) -> None:
    ringcentral.fault(path_prefix=SMS_PATH, kind="rate_limit", retry_after_seconds=7)
    with pytest.raises(ProviderTransientError) as raised:
        RingCentralSms(ringcentral.client()).send(OutboundSms(BUSINESS, CUSTOMER, "hi"))
    assert raised.value.status == 429 and raised.value.retry_after == 7
    assert not ringcentral.state.messages


def test_server_error_and_timeout_are_transient(ringcentral: RingCentralSandbox) -> None:
    sms = RingCentralSms(ringcentral.client(timeout=0.5))
    ringcentral.fault(path_prefix=SMS_PATH, kind="server_error")
    with pytest.raises(ProviderTransientError) as server_error:
        sms.send(OutboundSms(BUSINESS, CUSTOMER, "hi"))
    assert server_error.value.status == 500

    ringcentral.fault(path_prefix=SMS_PATH, kind="delay", delay_seconds=1.5)
    with pytest.raises(ProviderTransientError, match="no response"):
        sms.send(OutboundSms(BUSINESS, CUSTOMER, "slow"))


def test_a_refused_request_is_rejected_not_retried(ringcentral: RingCentralSandbox) -> None:
    with pytest.raises(ProviderRejectedError) as raised:
        RingCentralSms(ringcentral.client()).send(OutboundSms("+15105550999", CUSTOMER, "hi"))
    assert raised.value.status == 400 and "doesn't belong" in raised.value.message


def test_wrong_credentials_are_rejected(ringcentral: RingCentralSandbox) -> None:
    from integrations.ringcentral.client import RingCentralClient

    client = RingCentralClient(
        server_url=ringcentral.url, client_id="x", client_secret="y", jwt="z", timeout=2
    )
    with pytest.raises(ProviderRejectedError) as raised:
        RingCentralSms(client).send(OutboundSms(BUSINESS, CUSTOMER, "hi"))
    assert raised.value.status == 401


def test_tokens_are_reused_and_renewed_after_revocation(ringcentral: RingCentralSandbox) -> None:
    sms = RingCentralSms(ringcentral.client())
    logins = ringcentral.state.logins
    sms.send(OutboundSms(BUSINESS, CUSTOMER, "one"))
    sms.send(OutboundSms(BUSINESS, CUSTOMER, "two"))
    assert ringcentral.state.logins == logins + 1  # JWT logins are rate-limited: reuse the token
    with ringcentral.state.lock:
        ringcentral.state.access_tokens.clear()  # as after the provider revoked the token
    sms.send(OutboundSms(BUSINESS, CUSTOMER, "three"))
    assert ringcentral.state.logins == logins + 2


def _echoing_webhook(echo: bool) -> FastAPI:
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        token = request.headers.get("validation-token", "")
        return Response(headers={"Validation-Token": token} if echo else {})

    return app


def test_subscription_handshake_create_then_renew(ringcentral: RingCentralSandbox) -> None:
    subscriptions = RingCentralSubscriptions(ringcentral.client())
    with BackgroundServer(_echoing_webhook(echo=True)) as hook:
        first = subscriptions.ensure_sms_subscription(f"{hook.url}/hook", "token-1")
        again = subscriptions.ensure_sms_subscription(f"{hook.url}/hook", "token-1")
    assert first.status == "Active" and not first.renewed
    assert again.id == first.id and again.renewed
    assert len(ringcentral.state.subscriptions) == 1


def test_a_webhook_that_fails_the_handshake_is_refused(ringcentral: RingCentralSandbox) -> None:
    subscriptions = RingCentralSubscriptions(ringcentral.client())
    with (
        BackgroundServer(_echoing_webhook(echo=False)) as hook,
        pytest.raises(ProviderRejectedError, match="Validation-Token"),
    ):
        subscriptions.ensure_sms_subscription(f"{hook.url}/hook", "token-1")
    assert not ringcentral.state.subscriptions
