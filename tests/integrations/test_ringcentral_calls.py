"""Inbound calls: telephony-session notifications, transcripts, Call Control, extensions and
presence, through the real SDK against the emulator (sandbox/ringcentral_calls.py)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from integrations.errors import ProviderRejectedError, ProviderTransientError
from integrations.telephony.base import CallControl, ExtensionInfo
from integrations.telephony.ringcentral_call_control import RingCentralCallControl
from integrations.telephony.ringcentral_events import (
    TRANSCRIPT_EVENT,
    RingCentralNotification,
    TelephonySessionBody,
    TranscriptBody,
)
from integrations.telephony.ringcentral_subscriptions import (
    INSTANT_SMS_FILTER,
    TELEPHONY_SESSIONS_FILTER,
    RingCentralSubscriptions,
)
from integrations.voice.base import VoiceAssistant
from integrations.voice.sandbox_voice import SandboxVoice
from tests.sandbox_fixtures import RingCentralSandbox, WebhookRecorder

CALLER = "+15105550123"
TOKEN = "calls-token"
SESSIONS = "/telephony/sessions"


@pytest.fixture
def hook(ringcentral: RingCentralSandbox, webhook_recorder: WebhookRecorder) -> WebhookRecorder:
    """A webhook subscribed to the account's telephony sessions."""
    RingCentralSubscriptions(ringcentral.client()).ensure_subscription(
        webhook_recorder.address, TOKEN, [TELEPHONY_SESSIONS_FILTER]
    )
    return webhook_recorder


def _sessions(hook: WebhookRecorder, count: int) -> list[RingCentralNotification]:
    raw = hook.wait_for(lambda found: len(found) >= count, event_contains=SESSIONS)
    return [RingCentralNotification.model_validate(n) for n in raw]


def _party_codes(notifications: list[RingCentralNotification], party_id: str) -> list[str]:
    """A party's statuses in sequence order."""
    bodies = sorted(
        (TelephonySessionBody.model_validate(n.body) for n in notifications),
        key=lambda body: body.sequence,
    )
    return [p.status_code for body in bodies for p in body.parties if p.id == party_id]


def _codes(call: dict[str, Any], party_id: str) -> list[str]:
    return [
        party["status"]["code"]
        for event in call["events"]
        for party in event["body"].get("parties", [])
        if party["id"] == party_id
    ]


def _wait_call(
    ringcentral: RingCentralSandbox, sid: str, ready: Any, timeout: float = 3.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        call = ringcentral.call(sid)
        if ready(call):
            return call
        if time.monotonic() > deadline:
            raise AssertionError(f"call never reached the expected state: {call}")
        time.sleep(0.02)


def test_subscription_receives_setup_then_answered(
    ringcentral: RingCentralSandbox, hook: WebhookRecorder
) -> None:
    call = ringcentral.start_call(CALLER)
    notifications = _sessions(hook, 2)
    assert [n.body["sequence"] for n in notifications] == [1, 2]
    assert _party_codes(notifications, call["partyId"]) == ["Setup", "Answered"]
    first = notifications[0]
    assert first.is_telephony_session and not first.is_transcript and not first.is_instant_sms
    assert first.event == "/restapi/v1.0/account/100001/telephony/sessions"
    assert set(hook.verification_tokens) == {TOKEN}
    raw = hook.received(SESSIONS)[0]
    assert {"uuid", "event", "timestamp", "subscriptionId", "ownerId", "body"} <= raw.keys()
    body = TelephonySessionBody.model_validate(first.body)
    assert body.telephony_session_id == call["telephonySessionId"]
    assert body.session_id == call["sessionId"] and body.server_id
    assert first.body["origin"] == {"type": "Call"}
    party = body.parties[0]
    assert party.sender.phone_number == CALLER and party.to.phone_number == "+15105550100"
    assert party.direction == "Inbound" and party.account_id == "100001"
    assert not party.missed_call and not party.stand_alone and not party.muted


def test_sms_only_subscriptions_get_no_call_events(
    ringcentral: RingCentralSandbox, webhook_recorder: WebhookRecorder
) -> None:
    subscriptions = RingCentralSubscriptions(ringcentral.client())
    sms = subscriptions.ensure_sms_subscription(webhook_recorder.address, TOKEN)
    again = subscriptions.ensure_subscription(webhook_recorder.address, TOKEN, [INSTANT_SMS_FILTER])
    assert again.id == sms.id and again.renewed
    call = ringcentral.start_call(CALLER)
    _wait_call(ringcentral, call["telephonySessionId"], lambda c: len(c["events"]) == 2)
    time.sleep(0.2)
    assert webhook_recorder.received() == []


def test_transcripts_share_the_session_sequence(
    ringcentral: RingCentralSandbox, hook: WebhookRecorder
) -> None:
    call = ringcentral.start_call(CALLER)
    sid = call["telephonySessionId"]
    ringcentral.say(sid, "Hi, I'd like to book a hibachi party for Saturday")
    ringcentral.say(sid, "for twenty people")
    raw = hook.wait_for(lambda found: len(found) == 2, event_contains=TRANSCRIPT_EVENT)
    notifications = [RingCentralNotification.model_validate(n) for n in raw]
    assert all(n.is_transcript and not n.is_telephony_session for n in notifications)
    segments = [TranscriptBody.model_validate(n.body) for n in notifications]
    assert [s.sequence for s in segments] == [3, 4]  # after Setup (1) and Answered (2)
    assert segments[0].telephony_session_id == sid and segments[0].speaker == "caller"
    assert segments[1].text == "for twenty people" and segments[1].final


def test_transfer_to_an_answering_extension(
    ringcentral: RingCentralSandbox, hook: WebhookRecorder
) -> None:
    ringcentral.state.answer_delay_seconds = 0.05
    call = ringcentral.start_call(CALLER)
    sid, caller = call["telephonySessionId"], call["partyId"]
    new_party = ringcentral.call_control().transfer(sid, caller, "102")
    assert new_party and new_party != caller
    notifications = _sessions(hook, 4)
    assert _party_codes(notifications, new_party) == ["Proceeding", "Answered"]
    assert _party_codes(notifications, caller) == ["Setup", "Answered"]  # the caller stays on
    answered = TelephonySessionBody.model_validate(notifications[-1].body).parties[0]
    assert answered.extension_id == "200102" and answered.to.extension_id == "200102"
    assert answered.to.name == "Ana Lopez"
    actions = ringcentral.call(sid)["actions"]
    assert [(a["action"], a["request"], a["result"]) for a in actions] == [
        ("transfer", {"extensionNumber": "102"}, "ok")
    ]
    assert actions[0]["target"] == "102" and actions[0]["targetType"] == "extensionNumber"
    assert actions[0]["newPartyId"] == new_party
    moved = next(p for p in ringcentral.call(sid)["parties"] if p["id"] == new_party)
    assert moved["extensionNumber"] == "102"  # the sandbox view adds it; notifications do not


def test_an_extension_that_ignores_the_call_keeps_ringing(
    ringcentral: RingCentralSandbox,
) -> None:
    ringcentral.state.answer_delay_seconds = 0.05
    ringcentral.set_mode("101", "ignore")
    call = ringcentral.start_call(CALLER)
    sid = call["telephonySessionId"]
    new_party = ringcentral.call_control().transfer(sid, call["partyId"], "101")
    time.sleep(0.3)
    assert _codes(ringcentral.call(sid), new_party) == ["Proceeding"]
    ringing = {p.extension_number: p for p in ringcentral.call_control().presence()}
    assert ringing["101"].on_call and ringing["101"].available

    # Moving on to someone else: the ringing party goes, the next one picks up.
    second = ringcentral.call_control().transfer(sid, call["partyId"], "103")
    done = _wait_call(ringcentral, sid, lambda c: _codes(c, second)[-1:] == ["Answered"])
    assert _codes(done, new_party) == ["Proceeding", "Gone"]


def test_busy_and_offline_extensions_go_to_voicemail(ringcentral: RingCentralSandbox) -> None:
    ringcentral.set_mode("103", "busy")
    ringcentral.set_mode("104", "offline")
    control = ringcentral.call_control()
    for extension in ("103", "104"):
        call = ringcentral.start_call(CALLER)
        party = control.transfer(call["telephonySessionId"], call["partyId"], extension)
        time.sleep(0.3)
        assert _codes(ringcentral.call(call["telephonySessionId"]), party) == [
            "Proceeding",
            "VoiceMail",
        ]


def test_forward_after_answer_is_refused(ringcentral: RingCentralSandbox) -> None:
    call = ringcentral.start_call(CALLER)
    with pytest.raises(ProviderRejectedError) as raised:
        ringcentral.call_control().forward(call["telephonySessionId"], call["partyId"], "101")
    assert raised.value.status == 409
    actions = ringcentral.call(call["telephonySessionId"])["actions"]
    assert [(a["action"], a["result"]) for a in actions] == [("forward", "409 TAS-409")]


def test_forward_while_ringing_then_transfer_is_refused(ringcentral: RingCentralSandbox) -> None:
    ringcentral.state.answer_delay_seconds = 0.05
    call = ringcentral.start_call(CALLER, auto_answer=False)
    sid, caller = call["telephonySessionId"], call["partyId"]
    assert _codes(ringcentral.call(sid), caller) == ["Setup", "Proceeding"]
    control = ringcentral.call_control()
    with pytest.raises(ProviderRejectedError) as raised:
        control.transfer(sid, caller, "101")  # transfer needs an answered call
    assert raised.value.status == 409
    party = control.forward(sid, caller, "101")
    done = _wait_call(ringcentral, sid, lambda c: _codes(c, party)[-1:] == ["Answered"])
    assert _codes(done, caller)[-1] == "Answered"  # answered for the caller too


def test_unknown_extension_and_session_are_rejected(ringcentral: RingCentralSandbox) -> None:
    call = ringcentral.start_call(CALLER)
    control = ringcentral.call_control()
    with pytest.raises(ProviderRejectedError) as unknown_extension:
        control.transfer(call["telephonySessionId"], call["partyId"], "999")
    assert unknown_extension.value.status == 404
    with pytest.raises(ProviderRejectedError) as unknown_session:
        control.transfer("s-nope", call["partyId"], "101")
    assert unknown_session.value.status == 404


def test_voicemail_answered_and_ringing(ringcentral: RingCentralSandbox) -> None:
    control = ringcentral.call_control()
    answered = ringcentral.start_call(CALLER)
    control.to_voicemail(answered["telephonySessionId"], answered["partyId"], "200101")
    call = ringcentral.call(answered["telephonySessionId"])
    assert [(a["action"], a["request"]) for a in call["actions"]] == [
        ("transfer", {"voicemail": "200101"})
    ]
    box = [p for p in call["parties"] if p["id"] != answered["partyId"]]
    assert box[0]["status"]["code"] == "VoiceMail" and box[0]["extensionId"] == "200101"

    ringing = ringcentral.start_call(CALLER, auto_answer=False)
    control.to_voicemail(ringing["telephonySessionId"], ringing["partyId"], "200102")
    call = ringcentral.call(ringing["telephonySessionId"])
    assert [(a["action"], a["result"]) for a in call["actions"]] == [
        ("transfer", "409 TAS-409"),
        ("forward", "ok"),
    ]
    with pytest.raises(ProviderRejectedError) as unknown:
        control.to_voicemail(ringing["telephonySessionId"], ringing["partyId"], "299999")
    assert unknown.value.status == 404


def test_drop_disconnects_and_a_second_drop_is_harmless(
    ringcentral: RingCentralSandbox, hook: WebhookRecorder
) -> None:
    call = ringcentral.start_call(CALLER)
    sid = call["telephonySessionId"]
    control = ringcentral.call_control()
    control.drop(sid)
    notifications = _sessions(hook, 3)
    assert _party_codes(notifications, call["partyId"]) == ["Setup", "Answered", "Disconnected"]
    session = ringcentral.call(sid)
    assert session["ended"] and session["status"] == "Disconnected"
    control.drop(sid)  # a retried drop of a call already over
    assert [a["action"] for a in ringcentral.call(sid)["actions"]] == ["drop", "drop"]


def test_caller_hang_up_disconnects_every_party(ringcentral: RingCentralSandbox) -> None:
    ringcentral.set_mode("102", "ignore")
    call = ringcentral.start_call(CALLER)
    sid = call["telephonySessionId"]
    ringing = ringcentral.call_control().transfer(sid, call["partyId"], "102")
    ringcentral.hang_up(sid)
    session = ringcentral.call(sid)
    assert _codes(session, call["partyId"])[-1] == "Disconnected"
    assert _codes(session, ringing) == ["Proceeding", "Disconnected"]
    assert next(p for p in session["parties"] if p["id"] == ringing)["missedCall"]
    said = httpx.post(f"{ringcentral.url}/sandbox/calls/{sid}/say", json={"text": "hello?"})
    assert said.status_code == 409


def test_extensions_list(ringcentral: RingCentralSandbox) -> None:
    extensions = ringcentral.call_control().extensions()
    assert extensions == [
        ExtensionInfo("200101", "101", "Kenji Tanaka"),
        ExtensionInfo("200102", "102", "Ana Lopez"),
        ExtensionInfo("200103", "103", "Jessica Wu"),
        ExtensionInfo("200104", "104", "Marco Rossi"),
    ]


def test_presence_reflects_modes_and_calls(ringcentral: RingCentralSandbox) -> None:
    ringcentral.set_mode("103", "busy")
    ringcentral.set_mode("104", "offline")
    call = ringcentral.start_call(CALLER)
    ringcentral.state.answer_delay_seconds = 0.01
    ringcentral.call_control().transfer(call["telephonySessionId"], call["partyId"], "101")
    time.sleep(0.2)
    presence = {p.extension_number: p for p in ringcentral.call_control().presence()}
    assert presence["101"].on_call and presence["101"].available
    assert presence["101"].status == "Busy"
    assert not presence["102"].on_call and presence["102"].available
    assert presence["102"].status == "Available"
    assert presence["103"].on_call and presence["103"].available
    assert not presence["104"].available and presence["104"].status == "Offline"
    assert presence["101"].extension_id == "200101"


def test_presence_is_cached_within_the_ttl(ringcentral: RingCentralSandbox) -> None:
    control = ringcentral.call_control(presence_ttl_seconds=0.5)
    first = control.presence()
    second = control.presence()
    assert first == second
    assert ringcentral.state.calls.presence_requests == 1
    time.sleep(0.6)
    control.presence()
    assert ringcentral.state.calls.presence_requests == 2


def test_presence_has_heavy_rate_headers_and_limit(ringcentral: RingCentralSandbox) -> None:
    token = ringcentral.state.issue_tokens()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{ringcentral.url}/restapi/v1.0/account/~/presence?detailedTelephonyState=true"
    first = httpx.get(url, headers=headers)
    assert first.headers["X-Rate-Limit-Group"] == "heavy"
    assert first.headers["X-Rate-Limit-Limit"] == "10"
    assert first.headers["X-Rate-Limit-Remaining"] == "9"
    for _ in range(9):
        httpx.get(url, headers=headers).raise_for_status()
    with pytest.raises(ProviderTransientError) as raised:
        ringcentral.call_control().presence()
    assert raised.value.status == 429 and raised.value.retry_after


def test_call_control_needs_a_token(ringcentral: RingCentralSandbox) -> None:
    call = ringcentral.start_call(CALLER)
    path = (
        f"/restapi/v1.0/account/~/telephony/sessions/{call['telephonySessionId']}"
        f"/parties/{call['partyId']}/transfer"
    )
    refused = httpx.post(f"{ringcentral.url}{path}", json={"extensionNumber": "101"})
    assert refused.status_code == 401 and refused.json()["errorCode"] == "TokenInvalid"


def test_out_of_order_delivery_keeps_sequence_numbers(
    ringcentral: RingCentralSandbox, hook: WebhookRecorder
) -> None:
    call = ringcentral.start_call(CALLER, deliver_out_of_order=True)
    notifications = _sessions(hook, 2)
    assert [n.body["sequence"] for n in notifications] == [2, 1]
    assert [n.body["parties"][0]["status"]["code"] for n in notifications] == [
        "Answered",
        "Setup",
    ]
    assert _party_codes(notifications, call["partyId"]) == ["Setup", "Answered"]


def test_speech_lands_before_a_later_transfer(ringcentral: RingCentralSandbox) -> None:
    call = ringcentral.start_call(CALLER)
    sid = call["telephonySessionId"]
    voice: VoiceAssistant = ringcentral.voice()
    control: CallControl = ringcentral.call_control()
    voice.say(sid, "One moment, I'll connect you with Marco.")
    control.transfer(sid, call["partyId"], "102")
    session = ringcentral.call(sid)
    assert [line["text"] for line in session["speech"]] == [
        "One moment, I'll connect you with Marco."
    ]
    assert session["speech"][0]["monotonic"] < session["actions"][0]["monotonic"]


def test_sandbox_voice_errors(ringcentral: RingCentralSandbox) -> None:
    with pytest.raises(ProviderRejectedError) as unknown:
        ringcentral.voice().say("s-nope", "hello")
    assert unknown.value.status == 404
    call = ringcentral.start_call(CALLER)
    ringcentral.hang_up(call["telephonySessionId"])
    with pytest.raises(ProviderRejectedError) as over:
        ringcentral.voice().say(call["telephonySessionId"], "hello")
    assert over.value.status == 409
    with pytest.raises(ProviderTransientError, match="no response"):
        SandboxVoice("http://127.0.0.1:9", timeout=0.5).say("s-1", "hello")


def test_a_rate_limited_transfer_is_transient(ringcentral: RingCentralSandbox) -> None:
    call = ringcentral.start_call(CALLER)
    ringcentral.fault(path_prefix="/restapi/v1.0/account/~/telephony", kind="rate_limit")
    with pytest.raises(ProviderTransientError) as raised:
        ringcentral.call_control().transfer(call["telephonySessionId"], call["partyId"], "101")
    assert raised.value.status == 429
    assert ringcentral.call(call["telephonySessionId"])["actions"] == []


def test_the_adapter_satisfies_the_protocol(ringcentral: RingCentralSandbox) -> None:
    control: CallControl = RingCentralCallControl(ringcentral.client())
    voice: VoiceAssistant = SandboxVoice(ringcentral.url, 1.0)
    assert control and voice
