"""What the API and the panel accept and show for extensions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.staff.models import ExtensionStatus, StaffRole
from domain.staff.rules import InvalidWorkingHours, WorkingHours, validate_working_hours
from domain.storable import RowId, Text, not_null


class _HoursField(BaseModel):
    @field_validator("working_hours", check_fields=False)
    @classmethod
    def _hours(cls, value: WorkingHours | None) -> WorkingHours | None:
        if value is None:
            return None
        try:
            return validate_working_hours(value)
        except InvalidWorkingHours as error:
            raise ValueError(str(error)) from error


class ExtensionCreate(_HoursField):
    model_config = ConfigDict(extra="forbid")

    extension_number: str = Field(pattern=r"^\d{2,6}$")
    staff_member_id: RowId
    ringcentral_extension_id: Text | None = Field(default=None, max_length=40)
    status: ExtensionStatus = ExtensionStatus.AVAILABLE
    working_hours: WorkingHours = Field(
        default_factory=dict, description='{"mon": [["09:00", "17:00"]]}, business time zone'
    )
    is_primary_escalation: bool = False


class ExtensionUpdate(_HoursField):
    model_config = ConfigDict(extra="forbid")

    extension_number: str | None = Field(default=None, pattern=r"^\d{2,6}$")
    staff_member_id: RowId | None = None
    ringcentral_extension_id: Text | None = Field(default=None, max_length=40)
    status: ExtensionStatus | None = None
    working_hours: WorkingHours | None = None
    is_primary_escalation: bool | None = None

    # ringcentral_extension_id alone may be null: the extension is not on RingCentral.
    _not_null = field_validator(
        "extension_number", "staff_member_id", "status", "working_hours", "is_primary_escalation"
    )(not_null)


class ExtensionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    extension_number: str
    staff_member_id: int
    staff_name: str = ""
    staff_role: StaffRole | None = None
    ringcentral_extension_id: str | None
    status: ExtensionStatus
    working_hours: WorkingHours
    is_primary_escalation: bool
    updated_at: datetime
