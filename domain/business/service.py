"""The business's own settings row."""

from __future__ import annotations

from sqlmodel import Session

from core.errors import NotFoundError
from domain.business.models import BusinessSettings


def get_settings(session: Session) -> BusinessSettings:
    settings = session.get(BusinessSettings, 1)
    if settings is None:
        raise NotFoundError(
            "the business is not set up yet: run `teppan db seed` or the setup page"
        )
    return settings
