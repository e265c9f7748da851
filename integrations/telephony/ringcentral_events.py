"""RingCentral webhook notifications as they arrive on the wire (validated at intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

INSTANT_SMS_FILTER_FRAGMENT = "/message-store/instant"


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
