"""What the API and the panel accept and show for customers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.customers.rules import InvalidPhoneNumber, normalise_email, normalise_phone_or_none
from domain.storable import Text, not_null


class CustomerFields(BaseModel):
    @field_validator("phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        try:
            return normalise_phone_or_none(value)
        except InvalidPhoneNumber as error:
            raise ValueError(str(error)) from error

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value)


class CustomerCreate(CustomerFields):
    model_config = ConfigDict(extra="forbid")

    full_name: Text = Field(min_length=1, max_length=200)
    phone: Text | None = None
    email: Text | None = None
    sms_consent: bool = False
    notes: Text = Field(default="", max_length=4000)


class CustomerUpdate(CustomerFields):
    model_config = ConfigDict(extra="forbid")

    full_name: Text | None = Field(default=None, min_length=1, max_length=200)
    phone: Text | None = None
    email: Text | None = None
    sms_consent: bool | None = None
    notes: Text | None = Field(default=None, max_length=4000)

    _not_null = field_validator("full_name", "sms_consent", "notes")(not_null)


class CustomerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    phone: str | None
    email: str | None
    sms_consent: bool
    sms_opted_out: bool
    notes: str
    created_at: datetime
    updated_at: datetime
