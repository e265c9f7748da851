"""Reviews and replies, whoever hosts them: the neutral types every reviews adapter speaks.

Connecting a reviews account is an OAuth consent by the business owner; the adapter keeps the
refresh token it was given and finds its own access tokens. When the owner withdraws consent
the adapter raises `ReviewsReconnectRequired`: only the owner going through consent again helps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from integrations.errors import ProviderRejectedError


@dataclass(frozen=True)
class OAuthTokens:
    access_token: str
    refresh_token: str | None  # None when the provider gave none (no offline access asked)
    expires_at: datetime  # of the access token, UTC


@dataclass(frozen=True)
class BusinessLocation:
    account: str  # "accounts/123"
    location: str  # "locations/456"
    title: str


@dataclass(frozen=True)
class ProviderReview:
    review_id: str
    reviewer_name: str  # a stand-in name when the reviewer is anonymous
    is_anonymous: bool
    star_rating: int  # 1-5
    comment: str  # "" for a rating without text
    created_at: datetime  # UTC
    updated_at: datetime  # UTC; moves when the reviewer edits the review
    reply_comment: str | None  # the business's public reply, if any
    reply_updated_at: datetime | None


class ReviewsReconnectRequired(ProviderRejectedError):
    """The owner's consent is gone (revoked, expired, or the permission was not granted)."""


class ReviewsProvider(Protocol):
    def list_reviews(self, location: BusinessLocation) -> list[ProviderReview]:
        """Every review of the location, newest change first (all pages)."""
        ...

    def put_reply(self, location: BusinessLocation, review_id: str, comment: str) -> datetime:
        """Creates or replaces the public reply; answers when the provider stored it. Sending
        the same reply again is harmless (it overwrites)."""
        ...

    def delete_reply(self, location: BusinessLocation, review_id: str) -> None:
        """Removes the public reply; a reply already gone counts as removed."""
        ...
