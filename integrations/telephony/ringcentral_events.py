"""RingCentral webhook notifications as they arrive on the wire (validated at intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

INSTANT_SMS_FILTER_FRAGMENT = "/message-store/instant"
TELEPHONY_SESSIONS_FRAGMENT = "/telephony/sessions"
# Not RingCentral's: transcript segments of a call's audio. The sandbox emulator posts them; in
# production a speech-to-text stream of the call's media would post the same body.
TRANSCRIPT_EVENT = "/teppan/sandbox/telephony/transcript"


class RingCentralNotification(BaseModel):
    """The envelope every RingCentral webhook POST carries."""

    model_config = ConfigDict(extra="allow")

    uuid: str = Field(min_length=1, max_length=200)
    event: str = Field(min_length=1, max_length=500)
    subscription_id: str | None = Field(default=None, alias="subscriptionId")
    timestamp: str | None = None
    body: dict[str, Any]

    @property
    def is_instant_sms(self) -> bool:
        return INSTANT_SMS_FILTER_FRAGMENT in self.event

    @property
    def is_telephony_session(self) -> bool:
        """`/restapi/v1.0/account/{accountId}[/extension/{id}]/telephony/sessions`."""
        return self.event.split("?", 1)[0].endswith(TELEPHONY_SESSIONS_FRAGMENT)

    @property
    def is_transcript(self) -> bool:
        return self.event == TRANSCRIPT_EVENT


class RingCentralParty(BaseModel):
    model_config = ConfigDict(extra="allow")

    phone_number: str = Field(alias="phoneNumber", min_length=3, max_length=32)
    name: str | None = None


class RingCentralInstantMessage(BaseModel):
    """`body` of an instant-message (SMS) notification."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str
    sender: RingCentralParty = Field(alias="from")
    to: list[RingCentralParty] = Field(min_length=1)
    subject: str = Field(default="", max_length=4000)
    creation_time: datetime = Field(alias="creationTime")
    direction: str = "Inbound"

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> str:
        return str(value)


class TelephonyEndpoint(BaseModel):
    """`from` / `to` of a telephony party; internal endpoints may lack a phone number."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    phone_number: str | None = Field(default=None, alias="phoneNumber", max_length=64)
    name: str | None = None
    extension_id: str | None = Field(default=None, alias="extensionId")

    @field_validator("extension_id", mode="before")
    @classmethod
    def _extension_id_as_text(cls, value: object) -> str | None:
        return None if value is None else str(value)


class TelephonyPartyStatus(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    # Setup, Proceeding, Answered, Disconnected, Gone, Parked, Hold, VoiceMail, FaxReceive,
    # VoiceMailScreening
    code: str = Field(min_length=1, max_length=50)
    reason: str | None = None
    peer_id: dict[str, Any] | None = Field(default=None, alias="peerId")


class TelephonyParty(BaseModel):
    """One party of a telephony session notification."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str = Field(min_length=1, max_length=200)
    account_id: str | None = Field(default=None, alias="accountId")
    extension_id: str | None = Field(default=None, alias="extensionId")
    direction: str | None = None  # "Inbound" | "Outbound"
    sender: TelephonyEndpoint = Field(default_factory=TelephonyEndpoint, alias="from")
    to: TelephonyEndpoint = Field(default_factory=TelephonyEndpoint)
    status: TelephonyPartyStatus
    missed_call: bool = Field(default=False, alias="missedCall")
    stand_alone: bool = Field(default=False, alias="standAlone")
    muted: bool = False

    @field_validator("account_id", "extension_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> str | None:
        return None if value is None else str(value)

    @property
    def status_code(self) -> str:
        return self.status.code


class TelephonySessionBody(BaseModel):
    """`body` of a telephony session notification. Events can arrive out of order: `sequence`
    (per session) orders them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    sequence: int = Field(ge=0)
    telephony_session_id: str = Field(alias="telephonySessionId", min_length=1, max_length=200)
    session_id: str | None = Field(default=None, alias="sessionId")
    server_id: str | None = Field(default=None, alias="serverId")
    event_time: datetime = Field(alias="eventTime")
    parties: list[TelephonyParty] = Field(default_factory=list)

    @field_validator("session_id", mode="before")
    @classmethod
    def _session_id_as_text(cls, value: object) -> str | None:
        return None if value is None else str(value)


class TranscriptBody(BaseModel):
    """`body` of a transcript notification (`TRANSCRIPT_EVENT`, Teppan's, not RingCentral's);
    shares the session's sequence numbers with its telephony events."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    telephony_session_id: str = Field(alias="telephonySessionId", min_length=1, max_length=200)
    sequence: int = Field(ge=0)
    event_time: datetime = Field(alias="eventTime")
    speaker: str = Field(min_length=1, max_length=50)  # "caller" (the assistant is not sent)
    text: str = Field(max_length=4000)
    final: bool = True
