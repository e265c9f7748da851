"""The Send API adapter against the Meta emulator: sends, Meta's window, throttling, bad tokens,
and finding a message already sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.settings import Settings
from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.factory import direct_messages
from integrations.meta.base import OutboundDirectMessage, OutsideMessagingWindow
from tests.meta_fixtures import MetaSandbox


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_reply_inside_24_hours_goes_as_a_response(meta: MetaSandbox) -> None:
    customer = meta.customer_writes("Do you cater in Stockton?")
    psid = customer["sender_id"]

    sent = meta.sender().send(OutboundDirectMessage("messenger", psid, "Yes, we do!"))

    [recorded] = meta.sent(psid)
    assert sent.provider_message_id == recorded["mid"] and sent.recipient_id == psid
    assert (recorded["text"], recorded["messaging_type"], recorded["tag"]) == (
        "Yes, we do!",
        "RESPONSE",
        None,
    )


def test_instagram_goes_through_the_same_endpoint(meta: MetaSandbox) -> None:
    customer = meta.customer_writes("Price for 30 people?", platform="instagram")
    igsid = customer["sender_id"]

    meta.sender().send(OutboundDirectMessage("instagram", igsid, "About $1,350."))

    [recorded] = meta.sent(igsid)
    assert recorded["platform"] == "instagram" and recorded["sender_id"] == customer["recipient_id"]


def test_after_24_hours_only_the_human_agent_tag_gets_through(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hello?", at=_now() - timedelta(hours=30))["sender_id"]
    sender = meta.sender()

    with pytest.raises(OutsideMessagingWindow) as refused:
        sender.send(OutboundDirectMessage("messenger", psid, "Sorry for the wait"))
    assert "2018278" in refused.value.message and refused.value.status == 400

    sender.send(OutboundDirectMessage("messenger", psid, "Sorry for the wait", tag="HUMAN_AGENT"))
    [recorded] = meta.sent(psid)
    assert (recorded["messaging_type"], recorded["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_after_7_days_even_the_human_agent_tag_is_refused(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hello?", at=_now() - timedelta(days=8))["sender_id"]

    with pytest.raises(OutsideMessagingWindow):
        meta.sender().send(OutboundDirectMessage("messenger", psid, "Hi", tag="HUMAN_AGENT"))
    assert meta.sent(psid) == []


def test_someone_who_never_wrote_cannot_be_messaged(meta: MetaSandbox) -> None:
    with pytest.raises(ProviderRejectedError) as refused:
        meta.sender().send(OutboundDirectMessage("messenger", "1234567890123456", "Hi"))
    assert not isinstance(refused.value, OutsideMessagingWindow)
    assert "2018001" in refused.value.message


def test_a_bad_token_is_rejected_not_retried(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hi")["sender_id"]

    with pytest.raises(ProviderRejectedError) as refused:
        meta.sender(access_token="EAAB-wrong").send(OutboundDirectMessage("messenger", psid, "x"))
    assert not isinstance(refused.value, ProviderTransientError)
    assert "code 190" in refused.value.message
    assert meta.sent(psid) == []


def test_http_429_is_transient_with_its_retry_after(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hi")["sender_id"]
    meta.fault(path_prefix="/v21.0/me/messages", kind="rate_limit", retry_after_seconds=7)

    with pytest.raises(ProviderTransientError) as throttled:
        meta.sender().send(OutboundDirectMessage("messenger", psid, "Hello"))
    assert throttled.value.status == 429 and throttled.value.retry_after == 7
    assert meta.sent(psid) == []


@pytest.mark.parametrize("code", [613, 4, 32, 80006])
def test_graph_throttling_codes_are_transient_until_access_comes_back(
    meta: MetaSandbox, code: int
) -> None:
    psid = meta.customer_writes("Hi")["sender_id"]
    meta.throttle(code=code, minutes=2)
    sender = meta.sender()

    with pytest.raises(ProviderTransientError) as throttled:
        sender.send(OutboundDirectMessage("messenger", psid, "Hello"))
    # Meta throttles with HTTP 400: the code, not the status, says "later".
    assert throttled.value.status == 400 and f"code {code}" in throttled.value.message
    assert throttled.value.retry_after == 120  # estimated_time_to_regain_access, in minutes
    sender.send(OutboundDirectMessage("messenger", psid, "Hello"))
    assert len(meta.sent(psid)) == 1


def test_server_errors_and_timeouts_are_transient(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hi")["sender_id"]
    meta.fault(path_prefix="/v21.0/me/messages", kind="server_error")
    with pytest.raises(ProviderTransientError) as failed:
        meta.sender().send(OutboundDirectMessage("messenger", psid, "Hello"))
    assert failed.value.status == 500

    meta.fault(path_prefix="/v21.0/me/messages", kind="delay", delay_seconds=1.5)
    with pytest.raises(ProviderTransientError, match="no answer in time"):
        meta.sender(timeout=0.5).send(OutboundDirectMessage("messenger", psid, "Hello"))


def test_find_sent_reads_the_conversation_for_a_message_whose_answer_was_lost(
    meta: MetaSandbox,
) -> None:
    psid = meta.customer_writes("What time do you arrive?")["sender_id"]
    started = _now() - timedelta(seconds=1)
    meta.fault(path_prefix="/v21.0/me/messages", kind="delay", delay_seconds=1.5)
    sender = meta.sender(timeout=0.5)

    with pytest.raises(ProviderTransientError):
        sender.send(OutboundDirectMessage("messenger", psid, "An hour before the party."))

    # The emulator sent it even though our caller gave up.
    [recorded] = meta.sent(psid)
    found = sender.find_sent("messenger", psid, "An hour before the party.", started)
    assert found is not None and found.provider_message_id == recorded["mid"]
    assert sender.find_sent("messenger", psid, "Something else", started) is None
    assert sender.find_sent("messenger", psid, "What time do you arrive?", started) is None
    later = _now() + timedelta(minutes=5)
    assert sender.find_sent("messenger", psid, "An hour before the party.", later) is None
    assert sender.find_sent("instagram", psid, "An hour before the party.", started) is None


def test_an_empty_or_overlong_message_is_refused_before_calling_meta(meta: MetaSandbox) -> None:
    psid = meta.customer_writes("Hi")["sender_id"]
    sender = meta.sender()
    for text in ("  ", "x" * 2001):
        with pytest.raises(ProviderRejectedError):
            sender.send(OutboundDirectMessage("messenger", psid, text))
    assert meta.state.send_requests == 0


def test_without_a_page_token_the_factory_talks_to_the_emulator(
    meta: MetaSandbox, settings: Settings
) -> None:
    port = int(meta.url.rsplit(":", 1)[1])
    local = settings.model_copy(update={"sandbox_meta_port": port})
    assert local.meta_page_access_token is None
    psid = meta.customer_writes("Hi")["sender_id"]

    adapter = direct_messages(local)
    try:
        adapter.send(OutboundDirectMessage("messenger", psid, "Hello from the factory"))
    finally:
        adapter.close()

    assert [m["text"] for m in meta.sent(psid)] == ["Hello from the factory"]
