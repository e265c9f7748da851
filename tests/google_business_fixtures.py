"""The Google Business Profile emulator, served on loopback for the tests that need it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from integrations.reviews.base import BusinessLocation, OAuthTokens
from integrations.reviews.google_business import (
    GoogleBusinessReviews,
    GoogleBusinessUrls,
    GoogleOAuth,
)
from sandbox.framework import BackgroundServer
from sandbox.google_business import (
    DEFAULT_ACCOUNT,
    DEFAULT_LOCATION,
    DEFAULT_LOCATION_TITLE,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    GoogleBusinessState,
    create_google_business_emulator,
)

REDIRECT_URI = "http://127.0.0.1:8000/admin/reviews/google/callback"


class GoogleBusinessSandbox:
    """The business owner's side of Google: consent, reviews arriving and changing, tokens
    lapsing; and adapters pointed at the emulator."""

    location = BusinessLocation(DEFAULT_ACCOUNT, DEFAULT_LOCATION, DEFAULT_LOCATION_TITLE)

    def __init__(
        self, server: BackgroundServer, state: GoogleBusinessState, http: httpx.Client
    ) -> None:
        self.server = server
        self.state = state
        self.url = server.url
        self._http = http
        self._closing: list[GoogleOAuth | GoogleBusinessReviews] = []

    # --- adapters ------------------------------------------------------------------------------

    def oauth(
        self, timeout: float = 2.0, client_secret: str = SANDBOX_CLIENT_SECRET
    ) -> GoogleOAuth:
        oauth = GoogleOAuth(
            SANDBOX_CLIENT_ID,
            client_secret,
            auth_base_url=self.url,
            token_url=f"{self.url}/token",
            timeout=timeout,
        )
        self._closing.append(oauth)
        return oauth

    def consent(self, authorization_url: str, decision: str = "1") -> dict[str, list[str]]:
        """The owner clicks "Allow" (`decision="deny"`: "Cancel"); answers the query Google
        sends back to the redirect URI."""
        response = self._http.get(f"{authorization_url}&auto={decision}")
        assert response.status_code == 302, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)

    def connect(self, oauth: GoogleOAuth | None = None) -> OAuthTokens:
        """The whole consent flow: tokens with a refresh token."""
        oauth = oauth or self.oauth()
        answer = self.consent(oauth.authorization_url(REDIRECT_URI, "connect"))
        return oauth.exchange_code(answer["code"][0], REDIRECT_URI)

    def reviews(
        self,
        refresh_token: str | None = None,
        *,
        page_size: int = 50,
        timeout: float = 2.0,
        oauth: GoogleOAuth | None = None,
    ) -> GoogleBusinessReviews:
        """An adapter with a refresh token (a fresh consent when none is given), no access token
        yet: its first call refreshes."""
        oauth = oauth or self.oauth(timeout)
        if refresh_token is None:
            refresh_token = self.connect(oauth).refresh_token
            assert refresh_token
        reviews = GoogleBusinessReviews(
            oauth,
            refresh_token,
            GoogleBusinessUrls.sandbox(self.url),
            timeout=timeout,
            page_size=page_size,
        )
        self._closing.append(reviews)
        return reviews

    # --- the business's side -------------------------------------------------------------------

    def add_review(
        self,
        stars: int,
        comment: str | None = None,
        *,
        reviewer_name: str = "Sandbox Reviewer",
        anonymous: bool = False,
        create_time: dt.datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A review in Google's shape. Fields: review_id, location ("locations/…")."""
        body = {
            "stars": stars,
            "comment": comment,
            "reviewer_name": reviewer_name,
            "anonymous": anonymous,
            "create_time": create_time.isoformat() if create_time else None,
            **fields,
        }
        return self._json("POST", "/reviews", body)

    def edit_review(self, review_id: str, **changes: Any) -> dict[str, Any]:
        """The reviewer edits: stars, comment."""
        return self._json("PATCH", f"/reviews/{review_id}", changes)

    def delete_review(self, review_id: str) -> None:
        self._json("DELETE", f"/reviews/{review_id}")

    def remove_reply(self, review_id: str) -> None:
        """The owner deletes our reply in Google's own interface."""
        self._json("DELETE", f"/reviews/{review_id}/reply")

    def add_location(self, title: str, location_id: str | None = None) -> dict[str, Any]:
        return self._json("POST", "/locations", {"title": title, "location_id": location_id})

    def expire_access_tokens(self) -> None:
        self._json("POST", "/tokens/expire")

    def revoke_access(self) -> None:
        """The owner removes our app from their Google account: every token stops working."""
        self._json("POST", "/tokens/revoke")

    def set_access_token_ttl(self, seconds: int) -> None:
        self._json("POST", "/settings", {"access_token_ttl_seconds": seconds})

    def snapshot(self) -> dict[str, Any]:
        """Reviews in Google's shape, replies received, token and API request counts."""
        return self._json("GET", "/state")

    def fault(self, **fault: object) -> None:
        """sandbox.framework faults: path_prefix, kind (rate_limit, server_error, delay), …"""
        self._http.post(f"{self.url}/sandbox/faults", json=fault).raise_for_status()

    # --- plumbing ------------------------------------------------------------------------------

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(
            method, f"{self.url}/sandbox/google-business{path}", json=body
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json() if response.content else {}
        return result

    def close(self) -> None:
        for client in self._closing:
            client.close()


@pytest.fixture(scope="session")
def google_business_server() -> Iterator[tuple[BackgroundServer, GoogleBusinessState]]:
    state = GoogleBusinessState()
    with BackgroundServer(create_google_business_emulator(state)) as server:
        yield server, state


@pytest.fixture
def google_business(
    google_business_server: tuple[BackgroundServer, GoogleBusinessState],
) -> Iterator[GoogleBusinessSandbox]:
    server, state = google_business_server
    state.reset()
    with httpx.Client(timeout=5) as http:
        http.delete(f"{server.url}/sandbox/faults").raise_for_status()
        sandbox = GoogleBusinessSandbox(server, state, http)
        yield sandbox
        sandbox.close()
        http.delete(f"{server.url}/sandbox/faults").raise_for_status()
    state.reset()
