"""Google Business Profile reviews over httpx (Google publishes no Python SDK for it we use).

Three Google APIs on three hosts: Account Management (v1 accounts), Business Information (v1
locations) and the older My Business API (v4), which still serves reviews and replies. All take
an OAuth 2.0 access token from the owner's consent (web-server flow, `access_type=offline` for
a refresh token). `GoogleOAuth` runs the flow; `GoogleBusinessReviews` keeps the refresh token,
refreshes the access token before it expires and once more when Google answers 401, then
repeats the call.

Google answers errors as `{"error": {"code", "message", "status"}}`; the token endpoint as
`{"error", "error_description"}`. `invalid_grant` on refresh means the owner revoked our access
(or the token lapsed): `ReviewsReconnectRequired`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from integrations.errors import ProviderError, ProviderRejectedError, ProviderTransientError
from integrations.reviews.base import (
    BusinessLocation,
    OAuthTokens,
    ProviderReview,
    ReviewsReconnectRequired,
)

PROVIDER = "google_business"
BUSINESS_SCOPE = "https://www.googleapis.com/auth/business.manage"
DEFAULT_AUTH_BASE_URL = "https://accounts.google.com"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 (a URL, not a secret)
MAX_REPLY_BYTES = 4096
MAX_REVIEW_PAGE_SIZE = 50
LOCATION_PAGE_SIZE = 100
ANONYMOUS_REVIEWER = "A Google user"
# Refresh this long before Google's expiry, so a token does not lapse between check and call.
TOKEN_REFRESH_MARGIN = timedelta(seconds=60)
STAR_RATINGS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}

_RESOURCE = re.compile(r"^(accounts|locations)/[^/?#]+$")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class GoogleBusinessUrls:
    """Where each of the three APIs lives (scheme and host; the paths carry the version)."""

    account_management: str
    business_information: str
    reviews: str

    @classmethod
    def production(cls) -> GoogleBusinessUrls:
        return cls(
            account_management="https://mybusinessaccountmanagement.googleapis.com",
            business_information="https://mybusinessbusinessinformation.googleapis.com",
            reviews="https://mybusiness.googleapis.com",
        )

    @classmethod
    def sandbox(cls, base_url: str) -> GoogleBusinessUrls:
        """The emulator serves all three on one base URL."""
        base = base_url.rstrip("/")
        return cls(account_management=base, business_information=base, reviews=base)


def parse_google_time(value: object) -> datetime:
    """An RFC 3339 timestamp as Google writes it (up to nanoseconds, `Z`), as an aware UTC
    datetime; sub-microsecond digits are dropped."""
    match = _TIMESTAMP.match(str(value))
    if match is None:
        raise ProviderTransientError(PROVIDER, f"unreadable timestamp {value!r}")
    whole, fraction, zone = match.groups()
    micros = f".{(fraction or '')[:6].ljust(6, '0')}"
    parsed = datetime.fromisoformat(whole + micros + ("+00:00" if zone == "Z" else zone))
    return parsed.astimezone(UTC)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _json(response: httpx.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError as error:
        raise ProviderTransientError(
            PROVIDER, f"answer is not JSON (HTTP {response.status_code})"
        ) from error
    if not isinstance(body, dict):
        raise ProviderTransientError(PROVIDER, "answer is not a JSON object")
    return body


def _send(http: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    try:
        return http.request(method, url, **options)
    except httpx.TimeoutException as error:
        raise ProviderTransientError(PROVIDER, f"no answer in time ({error!r})") from error
    except httpx.TransportError as error:
        raise ProviderTransientError(PROVIDER, f"no response ({error!r})") from error


def _is_transient(response: httpx.Response) -> bool:
    return response.status_code in (408, 429) or response.status_code >= 500


class GoogleOAuth:
    """Google's OAuth 2.0 web-server flow for the business.manage permission."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        auth_base_url: str = DEFAULT_AUTH_BASE_URL,
        token_url: str = DEFAULT_TOKEN_URL,
        timeout: float = 10.0,
        revoke_url: str | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._auth_url = auth_base_url.rstrip("/") + "/o/oauth2/v2/auth"
        self._token_url = token_url
        # Google's revocation endpoint sits next to its token endpoint.
        self._revoke_url = revoke_url or token_url.rstrip("/").removesuffix("/token") + "/revoke"
        self._http = httpx.Client(timeout=timeout, headers={"Accept": "application/json"})

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """Where to send the owner's browser. `prompt=consent` makes Google hand out a refresh
        token even to an owner who consented before."""
        query = urlencode(
            {
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": BUSINESS_SCOPE,
                "access_type": "offline",
                "prompt": "consent",
                "include_granted_scopes": "true",
                "state": state,
            }
        )
        return f"{self._auth_url}?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> OAuthTokens:
        """The `code` Google sent to `redirect_uri`, for tokens. A code works once."""
        body = self._token_call(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            on_invalid_grant=ProviderRejectedError,
        )
        granted = str(body.get("scope", BUSINESS_SCOPE)).split()
        if BUSINESS_SCOPE not in granted:
            # Google lets the owner untick permissions on the consent screen.
            raise ReviewsReconnectRequired(
                PROVIDER, "the owner did not grant access to the business profile"
            )
        return self._tokens(body, refresh_token=None)

    def refresh(self, refresh_token: str) -> OAuthTokens:
        """A new access token; raises ReviewsReconnectRequired once the owner revoked access."""
        body = self._token_call(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            on_invalid_grant=ReviewsReconnectRequired,
        )
        return self._tokens(body, refresh_token=refresh_token)

    def revoke(self, token: str) -> None:
        """Withdraws our access (disconnect). A token already revoked is not an error."""
        response = _send(self._http, "POST", self._revoke_url, data={"token": token})
        if response.status_code == 200:
            return
        error = self._error(response)
        if response.status_code == 400 and "invalid_token" in error.message:
            return
        raise error

    def close(self) -> None:
        self._http.close()

    def _token_call(
        self, form: dict[str, str], *, on_invalid_grant: type[ProviderRejectedError]
    ) -> dict[str, Any]:
        response = _send(self._http, "POST", self._token_url, data=form)
        if response.status_code == 200:
            body = _json(response)
            if not isinstance(body.get("access_token"), str):
                raise ProviderTransientError(PROVIDER, "token answer without an access_token")
            return body
        error = self._error(response)
        if response.status_code == 400 and error.message.startswith("invalid_grant"):
            raise on_invalid_grant(PROVIDER, error.message, status=400)
        raise error

    @staticmethod
    def _error(response: httpx.Response) -> ProviderError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        name = body.get("error")
        if isinstance(name, dict):  # a Google API error shape, e.g. from a proxy in front
            text = f"{name.get('status', '')}: {name.get('message', '')}".strip(": ")
        elif name:
            text = f"{name}: {body.get('error_description', '')}".rstrip(": ")
        else:
            text = f"HTTP {response.status_code}"
        if _is_transient(response):
            return ProviderTransientError(
                PROVIDER,
                f"token endpoint: {text}",
                status=response.status_code,
                retry_after=_retry_after(response),
            )
        return ProviderRejectedError(PROVIDER, text, status=response.status_code)

    @staticmethod
    def _tokens(body: dict[str, Any], refresh_token: str | None) -> OAuthTokens:
        try:
            lifetime = int(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 0  # unknown lifetime: treat as expired, refresh before the next call
        fresh = body.get("refresh_token")
        return OAuthTokens(
            access_token=str(body["access_token"]),
            refresh_token=fresh if isinstance(fresh, str) and fresh else refresh_token,
            expires_at=datetime.now(UTC) + timedelta(seconds=lifetime),
        )


class GoogleBusinessReviews:
    """The owner's locations, their reviews and our replies, with the owner's refresh token."""

    def __init__(
        self,
        oauth: GoogleOAuth,
        refresh_token: str,
        urls: GoogleBusinessUrls | None = None,
        timeout: float = 10.0,
        page_size: int = MAX_REVIEW_PAGE_SIZE,
        tokens: OAuthTokens | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_REVIEW_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_REVIEW_PAGE_SIZE}")
        self._oauth = oauth
        self._refresh_token = refresh_token
        self._urls = urls or GoogleBusinessUrls.production()
        self._page_size = page_size
        self._tokens = tokens  # e.g. those from exchange_code, to save one refresh
        self._token_lock = threading.Lock()
        self._http = httpx.Client(timeout=timeout, headers={"Accept": "application/json"})

    @property
    def refresh_token(self) -> str:
        """The current refresh token (Google may hand out a new one on refresh: store it)."""
        return self._refresh_token

    def locations(self) -> list[BusinessLocation]:
        found: list[BusinessLocation] = []
        accounts_url = f"{self._urls.account_management}/v1/accounts"
        for account in self._pages(accounts_url, "accounts", {}):
            account_name = str(account.get("name", ""))
            if not _RESOURCE.match(account_name):
                raise ProviderTransientError(PROVIDER, f"unexpected account name {account_name!r}")
            url = f"{self._urls.business_information}/v1/{account_name}/locations"
            params = {"readMask": "name,title", "pageSize": str(LOCATION_PAGE_SIZE)}
            for location in self._pages(url, "locations", params):
                found.append(
                    BusinessLocation(
                        account=account_name,
                        location=str(location.get("name", "")),
                        title=str(location.get("title", "")),
                    )
                )
        return found

    def list_reviews(self, location: BusinessLocation) -> list[ProviderReview]:
        params = {"pageSize": str(self._page_size), "orderBy": "updateTime desc"}
        reviews: dict[str, ProviderReview] = {}
        for raw in self._pages(self._reviews_url(location), "reviews", params):
            review = _review(raw)
            # A review edited while we page moves to the front: it may come twice (keep the
            # first) or be missed until the next listing, which sees its new updateTime.
            if review is not None and review.review_id not in reviews:
                reviews[review.review_id] = review
        return list(reviews.values())

    def put_reply(self, location: BusinessLocation, review_id: str, comment: str) -> datetime:
        if not comment.strip():
            raise ProviderRejectedError(PROVIDER, "a reply cannot be empty")
        size = len(comment.encode("utf-8"))
        if size > MAX_REPLY_BYTES:
            raise ProviderRejectedError(
                PROVIDER, f"a reply is at most {MAX_REPLY_BYTES} bytes of UTF-8; this is {size}"
            )
        url = f"{self._reviews_url(location)}/{quote(review_id, safe='')}/reply"
        body = self._call("PUT", url, json={"comment": comment})
        return parse_google_time(body.get("updateTime"))

    def delete_reply(self, location: BusinessLocation, review_id: str) -> None:
        url = f"{self._reviews_url(location)}/{quote(review_id, safe='')}/reply"
        self._call("DELETE", url, missing_ok=True)

    def close(self) -> None:
        self._http.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _reviews_url(self, location: BusinessLocation) -> str:
        if not (_RESOURCE.match(location.account) and _RESOURCE.match(location.location)):
            raise ValueError(f"not a Google location: {location.account}/{location.location}")
        return f"{self._urls.reviews}/v4/{location.account}/{location.location}/reviews"

    def _pages(self, url: str, key: str, params: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        seen_tokens: set[str] = set()
        page_token = ""
        while True:
            query = {**params, "pageToken": page_token} if page_token else params
            body = self._call("GET", url, params=query)
            items.extend(item for item in body.get(key) or [] if isinstance(item, dict))
            page_token = str(body.get("nextPageToken") or "")
            if not page_token:
                return items
            if page_token in seen_tokens:
                raise ProviderTransientError(PROVIDER, f"{key}: the same page token came twice")
            seen_tokens.add(page_token)

    def _call(
        self, method: str, url: str, *, missing_ok: bool = False, **options: Any
    ) -> dict[str, Any]:
        token = self._access_token(rejected=None)
        response = self._send(method, url, token, options)
        if response.status_code == 401:
            token = self._access_token(rejected=token)
            response = self._send(method, url, token, options)
        if response.status_code == 404 and missing_ok:
            return {}
        if response.status_code >= 400:
            raise _api_error(response)
        return _json(response)

    def _send(
        self, method: str, url: str, access_token: str, options: dict[str, Any]
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {access_token}"}
        return _send(self._http, method, url, headers=headers, **options)

    def _access_token(self, rejected: str | None) -> str:
        """A usable access token; `rejected` is one Google just refused with 401."""
        with self._token_lock:
            tokens = self._tokens
            usable = (
                tokens is not None
                and tokens.access_token != rejected
                and tokens.expires_at - TOKEN_REFRESH_MARGIN > datetime.now(UTC)
            )
            if tokens is not None and usable:
                return tokens.access_token
            tokens = self._oauth.refresh(self._refresh_token)
            self._tokens = tokens
            self._refresh_token = tokens.refresh_token or self._refresh_token
            return tokens.access_token


def _api_error(response: httpx.Response) -> ProviderError:
    status = response.status_code
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    error = error if isinstance(error, dict) else {}
    code_name = str(error.get("status") or "")
    detail = str(error.get("message") or response.reason_phrase or "request failed")
    text = f"HTTP {status} {code_name}: {detail}" if code_name else f"HTTP {status}: {detail}"
    if _is_transient(response) or code_name == "RESOURCE_EXHAUSTED":
        return ProviderTransientError(
            PROVIDER, text, status=status, retry_after=_retry_after(response)
        )
    if status == 401 or (status == 403 and "insufficient authentication scopes" in detail):
        # A token fresh from the refresh endpoint refused, or consent without our permission.
        return ReviewsReconnectRequired(PROVIDER, text, status=status)
    return ProviderRejectedError(PROVIDER, text, status=status)


def _review(raw: dict[str, Any]) -> ProviderReview | None:
    """Our shape of one Google review; None for one without a star rating (Google's
    STAR_RATING_UNSPECIFIED), which has nothing for us to show or answer."""
    stars = STAR_RATINGS.get(str(raw.get("starRating", "")))
    if stars is None:
        return None
    review_id = str(raw.get("reviewId") or str(raw.get("name", "")).rsplit("/", 1)[-1])
    if not review_id:
        raise ProviderTransientError(PROVIDER, "review without an id")
    reviewer = raw.get("reviewer")
    reviewer = reviewer if isinstance(reviewer, dict) else {}
    anonymous = bool(reviewer.get("isAnonymous", False))
    name = str(reviewer.get("displayName") or "").strip()
    reply = raw.get("reviewReply")
    reply = reply if isinstance(reply, dict) else None
    created_at = parse_google_time(raw.get("createTime"))
    return ProviderReview(
        review_id=review_id,
        reviewer_name=name or ANONYMOUS_REVIEWER,
        is_anonymous=anonymous,
        star_rating=stars,
        comment=str(raw.get("comment") or ""),
        created_at=created_at,
        updated_at=parse_google_time(raw["updateTime"]) if raw.get("updateTime") else created_at,
        reply_comment=str(reply.get("comment") or "") if reply else None,
        reply_updated_at=(
            parse_google_time(reply["updateTime"]) if reply and reply.get("updateTime") else None
        ),
    )
