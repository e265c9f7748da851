"""X-Hub-Signature-256 over the raw body, and reading Meta's webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from integrations.meta.signature import verify_signature
from integrations.meta.webhooks import MAX_EVENT_KEY, MalformedMetaWebhook, parse_delivery

SECRET = "app-secret-123"
# Meta signs its own serialisation, unicode escaped: the bytes, not the JSON, are signed.
BODY = b'{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}],"x":"caf\\u00e9"}'


def _hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_the_right_signature_passes_in_either_case_of_hex() -> None:
    digest = _hmac(SECRET, BODY)
    assert verify_signature(SECRET, BODY, f"sha256={digest}")
    assert verify_signature(SECRET, BODY, f"sha256={digest.upper()}")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=00",
        f"sha256={_hmac('another-secret', BODY)}",
        f"sha1={hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()}",
        _hmac(SECRET, BODY),  # the digest without its scheme
    ],
)
def test_missing_malformed_or_wrong_signatures_fail(header: str | None) -> None:
    assert not verify_signature(SECRET, BODY, header)


def test_the_signature_covers_the_exact_bytes() -> None:
    header = f"sha256={_hmac(SECRET, BODY)}"
    # What a framework that parsed the JSON would hand on: the same data, "café" unescaped.
    reserialised = json.dumps(json.loads(BODY), separators=(",", ":"), ensure_ascii=False).encode()
    assert reserialised != BODY
    assert not verify_signature(SECRET, reserialised, header)
    assert not verify_signature(SECRET, BODY + b" ", header)


def test_an_empty_secret_verifies_nothing() -> None:
    assert not verify_signature("", BODY, f"sha256={_hmac('', BODY)}")


def _messaging(sender: str, recipient: str, **event: object) -> dict[str, object]:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}, **event}


def _delivery(obj: str, *items: dict[str, object]) -> bytes:
    entry = {"id": "PAGE", "time": 1718388000000, "messaging": list(items)}
    return json.dumps({"object": obj, "entry": [entry]}).encode()


def test_a_batch_separates_customers_messages_echoes_and_receipts() -> None:
    body = _delivery(
        "page",
        _messaging("111", "PAGE", timestamp=1718388000000, message={"mid": "m_1", "text": "Hi"}),
        _messaging("PAGE", "111", timestamp=1718388001000, message={"mid": "m_2", "is_echo": True}),
        _messaging(
            "111",
            "PAGE",
            timestamp=1718388002000,
            message={"mid": "m_3", "attachments": [{"type": "image", "payload": {}}]},
        ),
        _messaging("111", "PAGE", delivery={"mids": ["m_2"], "watermark": 1}),
        _messaging("111", "PAGE", timestamp=1, read={"watermark": 1}),
    )
    delivery = parse_delivery(body)

    assert delivery.platform == "messenger"
    assert [m.mid for m in delivery.customer_messages] == ["m_1", "m_3"]
    assert [m.mid for m in delivery.echoes] == ["m_2"]
    assert delivery.ignored == ["delivery", "read"]
    first, image = delivery.customer_messages
    assert (first.sender_id, first.recipient_id, first.text) == ("111", "PAGE", "Hi")
    assert first.sent_at == datetime(2024, 6, 14, 18, 0, tzinfo=UTC)
    assert image.display_text == "[image]"


def test_an_instagram_message_and_its_inbox_envelope() -> None:
    raw = _messaging(
        "17841400000000001",
        "PAGE",
        timestamp=1718388000000,
        message={"mid": "aWdf" + "x" * 300, "text": "Any dates in July?"},
    )
    [message] = parse_delivery(_delivery("instagram", raw)).customer_messages

    assert message.platform == "instagram"
    assert len(message.event_key) <= MAX_EVENT_KEY and message.event_key.startswith("sha256:")
    stored = json.loads(message.envelope())
    assert stored["object"] == "instagram"
    assert stored["entry"][0]["messaging"] == [raw]  # the event as received, nothing added
    [again] = parse_delivery(message.envelope()).customer_messages
    assert again == message


def test_an_unsent_instagram_message_is_not_a_new_one() -> None:
    raw = _messaging("1", "PAGE", timestamp=1, message={"mid": "m", "is_deleted": True})
    delivery = parse_delivery(_delivery("instagram", raw))
    assert delivery.messages == [] and delivery.ignored == ["unsent"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "not JSON"),
        (b'{"object": "page"}', "entry"),
        (b'{"object": "user", "entry": [{"id": "1"}]}', "object"),
        (b'{"object": "page", "entry": []}', "entry"),
        (b'{"object": "page", "entry": [{"id": "1", "messaging": [{"message": {}}]}]}', "sender"),
        (
            b'{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"},'
            b'"recipient":{"id":"1"},"message":{"mid":"m","text":"x"}}]}]}',
            "timestamp",
        ),
    ],
)
def test_malformed_deliveries_say_what_is_wrong(body: bytes, says: str) -> None:
    with pytest.raises(MalformedMetaWebhook, match=says):
        parse_delivery(body)
