"""Meta's Messenger and Instagram webhook deliveries as they arrive on the wire.

A delivery is `{"object": "page" | "instagram", "entry": [{"id", "time", "messaging": […]}]}`
and may batch several events. Each `messaging` item has `sender`, `recipient`, `timestamp` (ms)
and one of `message` (with `mid`, `text`, `attachments`, `is_echo` for what the Page itself
sent), `delivery`, `read`, `postback`, `reaction`, …: only messages from customers matter here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from integrations.meta.base import Platform

# What the inbox keeps per event (its event key column is 200 characters).
MAX_EVENT_KEY = 200

_PLATFORMS: dict[str, Platform] = {"page": "messenger", "instagram": "instagram"}
_OTHER_EVENT_KINDS = (
    "delivery",
    "read",
    "postback",
    "reaction",
    "referral",
    "optin",
    "account_linking",
)


class MalformedMetaWebhook(ValueError):
    """Signed, but not a Messenger or Instagram delivery."""


class _Party(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    id: str = Field(min_length=1, max_length=120)


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    mid: str = Field(min_length=1, max_length=1000)
    text: str | None = Field(default=None, max_length=20_000)
    is_echo: bool = False
    is_deleted: bool = False  # Instagram: the customer unsent it
    attachments: list[dict[str, Any]] | None = None


class _Messaging(BaseModel):
    model_config = ConfigDict(extra="allow")

    sender: _Party
    recipient: _Party
    timestamp: int | None = None
    message: _Message | None = None


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    id: str = Field(min_length=1, max_length=120)
    time: int | None = None
    messaging: list[_Messaging] = Field(default_factory=list)


class _Delivery(BaseModel):
    model_config = ConfigDict(extra="allow")

    object: Literal["page", "instagram"]
    entry: list[_Entry] = Field(min_length=1)


@dataclass(frozen=True)
class MetaMessage:
    """One customer message (or the Page's own echo of what it sent)."""

    platform: Platform
    account_id: str  # the Page, or the Instagram professional account
    sender_id: str
    recipient_id: str
    mid: str
    text: str
    attachment_types: tuple[str, ...]
    sent_at: datetime
    is_echo: bool
    raw: dict[str, Any]  # the `messaging` item as received
    entry_time: int | None

    @property
    def event_key(self) -> str:
        """The inbox key: the message id, hashed when longer than the column."""
        if len(self.mid) <= MAX_EVENT_KEY:
            return self.mid
        return "sha256:" + hashlib.sha256(self.mid.encode()).hexdigest()

    @property
    def display_text(self) -> str:
        """The words, or what was sent instead of words (`[image]`)."""
        if self.text:
            return self.text
        return " ".join(f"[{kind}]" for kind in self.attachment_types) or "[message]"

    def envelope(self) -> str:
        """This one event in Meta's delivery shape, for the inbox (a delivery may batch many;
        the signature covered the whole delivery and was checked at intake)."""
        entry: dict[str, Any] = {"id": self.account_id, "messaging": [self.raw]}
        if self.entry_time is not None:
            entry["time"] = self.entry_time
        obj = "page" if self.platform == "messenger" else "instagram"
        return json.dumps({"object": obj, "entry": [entry]}, separators=(",", ":"))


@dataclass(frozen=True)
class MetaDelivery:
    platform: Platform
    messages: list[MetaMessage]  # customers' messages and the Page's echoes
    ignored: list[str]  # kinds of the other events: "delivery", "read", "unsent", …

    @property
    def customer_messages(self) -> list[MetaMessage]:
        return [m for m in self.messages if not m.is_echo]

    @property
    def echoes(self) -> list[MetaMessage]:
        return [m for m in self.messages if m.is_echo]


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in error.errors()[:5]
    )


def _sent_at(item: _Messaging, entry: _Entry) -> datetime:
    millis = item.timestamp if item.timestamp is not None else entry.time
    if millis is None:
        raise MalformedMetaWebhook("a message event without a timestamp")
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise MalformedMetaWebhook(f"timestamp {millis} is not a time") from error


def parse_delivery(body: bytes | str) -> MetaDelivery:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise MalformedMetaWebhook(f"body is not JSON: {error}") from error
    try:
        delivery = _Delivery.model_validate(data)
    except ValidationError as error:
        raise MalformedMetaWebhook(
            f"not a Messenger or Instagram webhook: {_describe(error)}"
        ) from error
    platform = _PLATFORMS[delivery.object]
    messages: list[MetaMessage] = []
    ignored: list[str] = []
    for entry, raw_entry in zip(delivery.entry, data["entry"], strict=True):
        for item, raw_item in zip(entry.messaging, raw_entry.get("messaging") or [], strict=True):
            message = item.message
            if message is None:
                extra = item.model_extra or {}
                ignored.append(next((k for k in _OTHER_EVENT_KINDS if k in extra), "other"))
                continue
            if message.is_deleted:
                ignored.append("unsent")
                continue
            messages.append(
                MetaMessage(
                    platform=platform,
                    account_id=entry.id,
                    sender_id=item.sender.id,
                    recipient_id=item.recipient.id,
                    mid=message.mid,
                    text=message.text or "",
                    attachment_types=tuple(
                        str(a.get("type") or "attachment") for a in message.attachments or []
                    ),
                    sent_at=_sent_at(item, entry),
                    is_echo=message.is_echo,
                    raw=raw_item,
                    entry_time=entry.time,
                )
            )
    return MetaDelivery(platform, messages, ignored)
