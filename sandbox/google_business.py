"""A Google Business Profile emulator: Google's OAuth 2.0 web-server flow, the Account Management
and Business Information APIs (v1: accounts, locations) and the reviews API (v4: list, reply,
delete reply), all on one base URL with the real paths after the host.

One account with one verified location by default. The authorization endpoint shows a consent
page whose "Allow" button redirects to `redirect_uri` with `code` and `state` (`auto=1` skips the
page, `auto=deny` refuses, for tests). Codes are one-time, expire after ten minutes and are
bound to their `redirect_uri`; access tokens expire (`access_token_ttl_seconds`); refresh tokens
work until revoked (`/revoke`, or the sandbox route that plays the owner removing our access).

Tests and the demo drive the business's side through `/sandbox/google-business/...`: add, edit
or delete a review, remove the owner's reply as if done in Google, expire or revoke tokens, read
the state (including every reply received). `/sandbox/faults` (sandbox.framework) arms HTTP
faults answered in Google's error shape.

Not emulated: Google sign-in and account choice, registered redirect URIs (any http(s) URI is
accepted), unverified locations, review translations, reviews across locations (batchGetReviews),
Pub/Sub notifications of new reviews, quotas other than the armed faults.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from sandbox.framework import FaultInjector, install_faults

# The only OAuth client the emulator knows (integrations keeps its own copy; sandbox imports
# nothing of ours).
SANDBOX_CLIENT_ID = "sandbox-gbp-client.apps.googleusercontent.com"
SANDBOX_CLIENT_SECRET = "GOCSPX-sandbox-teppan-gbp-secret"

BUSINESS_SCOPE = "https://www.googleapis.com/auth/business.manage"
# The older name of the same permission, still accepted by the API.
LEGACY_BUSINESS_SCOPE = "https://www.googleapis.com/auth/plus.business.manage"
DEFAULT_ACCOUNT = "accounts/106543298712345678901"
DEFAULT_ACCOUNT_NAME = "Teppan Hibachi Catering"
DEFAULT_LOCATION = "locations/4839201746352817264"
DEFAULT_LOCATION_TITLE = "Teppan Hibachi Catering"
DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600
CODE_TTL_SECONDS = 600
MAX_REVIEW_PAGE_SIZE = 50
MAX_LOCATION_PAGE_SIZE = 100
MAX_ACCOUNT_PAGE_SIZE = 20
MAX_REPLY_BYTES = 4096
STAR_NAMES = ("ONE", "TWO", "THREE", "FOUR", "FIVE")
REVIEW_ORDERS = ("updateTime desc", "rating", "rating desc")
# Top-level fields of the v1 Location resource: a read mask naming anything else is refused.
LOCATION_FIELDS = frozenset(
    {
        "name",
        "languageCode",
        "storeCode",
        "title",
        "phoneNumbers",
        "categories",
        "storefrontAddress",
        "websiteUri",
        "regularHours",
        "specialHours",
        "serviceArea",
        "labels",
        "adWordsLocationExtensions",
        "latlng",
        "openInfo",
        "metadata",
        "profile",
        "relationshipData",
        "moreHours",
        "serviceItems",
    }
)
RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MISSING_CREDENTIALS = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
INVALID_ARGUMENT = "Request contains an invalid argument."
NOT_FOUND = "Requested entity was not found."
GOOGLE_REALM = "https://accounts.google.com/"


def rpc_error(
    status: int, message: str, rpc_status: str | None = None, details: list[Any] | None = None
) -> dict[str, object]:
    """Google's JSON error body."""
    error: dict[str, object] = {
        "code": status,
        "message": message,
        "status": rpc_status or RPC_STATUS.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def field_violation(field_name: str, description: str) -> list[Any]:
    return [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field_name, "description": description}],
        }
    ]


def rfc3339(moment: dt.datetime) -> str:
    """Proto3 JSON's Timestamp: UTC, with 0, 3 or 6 fractional digits as the value needs."""
    moment = moment.astimezone(dt.UTC)
    whole = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros == 0:
        return f"{whole}Z"
    if micros % 1000 == 0:
        return f"{whole}.{micros // 1000:03d}Z"
    return f"{whole}.{micros:06d}Z"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Location:
    account: str  # "accounts/…"
    name: str  # "locations/…"
    title: str

    def as_google(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "languageCode": "en",
            "metadata": {"hasVoiceOfMerchant": True},
        }


@dataclass
class Reply:
    comment: str
    update_time: dt.datetime


@dataclass
class Review:
    review_id: str
    account: str
    location: str
    reviewer_name: str
    is_anonymous: bool
    stars: int
    comment: str | None  # None for a rating without text
    create_time: dt.datetime
    update_time: dt.datetime
    reply: Reply | None = None

    @property
    def name(self) -> str:
        return f"{self.account}/{self.location}/reviews/{self.review_id}"

    def as_google(self) -> dict[str, Any]:
        # Proto3 JSON leaves out false booleans and unset fields: a named reviewer carries no
        # `isAnonymous`, an anonymous one no name or photo, a rating-only review no comment.
        reviewer: dict[str, Any] = (
            {"isAnonymous": True}
            if self.is_anonymous
            else {
                "displayName": self.reviewer_name,
                "profilePhotoUrl": f"https://lh3.googleusercontent.com/a/sandbox-{self.review_id}",
            }
        )
        review: dict[str, Any] = {
            "name": self.name,
            "reviewId": self.review_id,
            "reviewer": reviewer,
            "starRating": STAR_NAMES[self.stars - 1],
            "createTime": rfc3339(self.create_time),
            "updateTime": rfc3339(self.update_time),
        }
        if self.comment is not None:
            review["comment"] = self.comment
        if self.reply is not None:
            review["reviewReply"] = {
                "comment": self.reply.comment,
                "updateTime": rfc3339(self.reply.update_time),
            }
        return review


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    scope: str
    offline: bool
    expires_at: float


@dataclass
class _RefreshToken:
    client_id: str
    scope: str


@dataclass
class _AccessToken:
    client_id: str
    scope: str
    expires_at: float
    refresh_token: str | None


def _default_locations() -> list[Location]:
    return [Location(DEFAULT_ACCOUNT, DEFAULT_LOCATION, DEFAULT_LOCATION_TITLE)]


@dataclass
class GoogleBusinessState:
    """What the emulator holds. `requests` counts requests that reached an API handler, by
    operation (`list_reviews`, `put_reply`, ...), including those refused for a bad token;
    those answered by an armed fault are not counted."""

    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    account: str = DEFAULT_ACCOUNT
    account_name: str = DEFAULT_ACCOUNT_NAME
    access_token_ttl_seconds: int = DEFAULT_ACCESS_TOKEN_TTL_SECONDS
    locations: list[Location] = field(default_factory=_default_locations)
    reviews: dict[str, Review] = field(default_factory=dict)
    replies_received: int = 0
    reply_log: list[dict[str, Any]] = field(default_factory=list)
    token_requests: Counter[str] = field(default_factory=Counter)  # by grant_type
    requests: Counter[str] = field(default_factory=Counter)
    unauthorized_requests: int = 0
    codes: dict[str, _Code] = field(default_factory=dict)
    refresh_tokens: dict[str, _RefreshToken] = field(default_factory=dict)
    access_tokens: dict[str, _AccessToken] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Back to one account, one location, no reviews and no tokens (same OAuth client)."""
        fresh = GoogleBusinessState()
        kept = {"client_id", "client_secret", "lock"}
        with self.lock:
            for each in fields(self):
                if each.name not in kept:
                    setattr(self, each.name, getattr(fresh, each.name))

    def location(self, account: str, location: str) -> Location | None:
        return next(
            (x for x in self.locations if x.account == account and x.name == location), None
        )

    def add_review(
        self,
        stars: int,
        comment: str | None,
        reviewer_name: str,
        *,
        anonymous: bool = False,
        create_time: dt.datetime | None = None,
        review_id: str | None = None,
        location: Location | None = None,
    ) -> Review:
        """Call with the lock held."""
        where = location or self.locations[0]
        created = create_time or _now()
        review = Review(
            review_id=review_id or "AbFvOq" + secrets.token_urlsafe(30),
            account=where.account,
            location=where.name,
            reviewer_name=reviewer_name,
            is_anonymous=anonymous,
            stars=stars,
            comment=comment,
            create_time=created,
            update_time=created,
        )
        self.reviews[review.review_id] = review
        return review

    def add_demo_reviews(self) -> None:
        """A few reviews for the demo: a glowing one already answered, a rating without text,
        an anonymous one and a complaint waiting for a reply."""
        now = _now()
        with self.lock:
            answered = self.add_review(
                5,
                "The chef was amazing with the kids, the fried rice volcano was a hit!",
                "Maria Lopez",
                create_time=now - dt.timedelta(days=12),
            )
            answered.reply = Reply(
                "Thank you Maria! We loved cooking for your family.",
                now - dt.timedelta(days=11),
            )
            self.add_review(4, None, "Kevin Tran", create_time=now - dt.timedelta(days=6))
            self.add_review(
                5,
                "Great food, great show. Booking again for graduation.",
                "",
                anonymous=True,
                create_time=now - dt.timedelta(days=3),
            )
            self.add_review(
                2,
                "Food was good but the chef arrived 40 minutes late and nobody called us.",
                "Dana Smith",
                create_time=now - dt.timedelta(hours=20),
            )

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "account": {"name": self.account, "accountName": self.account_name},
                "locations": [
                    {"account": x.account, "name": x.name, "title": x.title} for x in self.locations
                ],
                "reviews": [review.as_google() for review in self.reviews.values()],
                "replies_received": self.replies_received,
                "replies": list(self.reply_log),
                "token_requests": dict(self.token_requests),
                "requests": dict(self.requests),
                "unauthorized_requests": self.unauthorized_requests,
                "live_access_tokens": sum(
                    1 for t in self.access_tokens.values() if t.expires_at > time.time()
                ),
                "live_refresh_tokens": len(self.refresh_tokens),
                "access_token_ttl_seconds": self.access_token_ttl_seconds,
            }


class GoogleApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        rpc_status: str | None = None,
        details: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.rpc_status = rpc_status
        self.details = details


class OAuthError(Exception):
    """The token endpoint's own error shape: `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def create_google_business_emulator(state: GoogleBusinessState | None = None) -> FastAPI:
    state = state or GoogleBusinessState()
    faults = FaultInjector()
    app = FastAPI(
        title="Google Business Profile sandbox", docs_url="/sandbox/docs", openapi_url=None
    )
    app.state.google_business = state
    app.state.faults = faults
    install_faults(app, faults, lambda status, message: rpc_error(status, message))

    @app.exception_handler(GoogleApiError)
    async def google_error(_request: Request, error: GoogleApiError) -> JSONResponse:
        headers = (
            {"WWW-Authenticate": f'Bearer realm="{GOOGLE_REALM}", error="invalid_token"'}
            if error.status == 401
            else None
        )
        return JSONResponse(
            rpc_error(error.status, error.message, error.rpc_status, error.details),
            status_code=error.status,
            headers=headers,
        )

    @app.exception_handler(OAuthError)
    async def oauth_error(_request: Request, error: OAuthError) -> JSONResponse:
        return JSONResponse(
            {"error": error.error, "error_description": error.description},
            status_code=error.status,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/sandbox/"):
            return await request_validation_exception_handler(request, error)
        return JSONResponse(rpc_error(400, INVALID_ARGUMENT), status_code=400)

    app.include_router(_control_routes(state))
    app.include_router(_oauth_routes(state))
    app.include_router(_business_routes(state))
    return app


# --- OAuth 2.0 ----------------------------------------------------------------------------------


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_page(status: int, error: str, detail: str) -> HTMLResponse:
    """Google shows errors of the authorization request to the user instead of redirecting."""
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'><title>Error</title></head><body>"
        f"<h1>Access blocked: authorization error</h1><p>Error {status}: {html.escape(error)}</p>"
        f"<p>{html.escape(detail)}</p></body></html>",
        status_code=status,
    )


def _consent_page(params: dict[str, str]) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in params.items()
    )
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'><title>Sign in - Google Accounts</title>"
        "</head><body><h1>Teppan wants access to your Google Account</h1>"
        "<p>Sandbox: no Google account is involved.</p>"
        "<p>This will allow Teppan to: <b>See, edit, create and delete your Google business "
        "listings</b> (including reviews and your replies).</p>"
        f'<form method="post" action="/o/oauth2/v2/auth/decision">{hidden}'
        '<button type="submit" name="decision" value="deny">Cancel</button> '
        '<button type="submit" name="decision" value="allow">Allow</button>'
        "</form></body></html>"
    )


def _decide(state: GoogleBusinessState, params: dict[str, str], allow: bool) -> RedirectResponse:
    redirect_uri = params["redirect_uri"]
    answer: dict[str, str] = {}
    if allow:
        code = "4/0Sandbox" + secrets.token_urlsafe(32)
        with state.lock:
            state.codes[code] = _Code(
                client_id=params["client_id"],
                redirect_uri=redirect_uri,
                scope=params["scope"],
                offline=params.get("access_type") == "offline",
                expires_at=time.time() + CODE_TTL_SECONDS,
            )
        answer = {"code": code, "scope": params["scope"]}
    else:
        answer = {"error": "access_denied"}
    if params.get("state"):
        answer["state"] = params["state"]
    return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)


def _authorization_problem(
    state: GoogleBusinessState, params: dict[str, str]
) -> HTMLResponse | None:
    if params.get("client_id") != state.client_id:
        return _error_page(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = params.get("redirect_uri", "")
    if urlsplit(redirect_uri).scheme not in ("http", "https"):
        return _error_page(400, "invalid_request", "Missing or invalid redirect_uri.")
    if params.get("response_type") != "code":
        return _error_page(
            400,
            "unsupported_response_type",
            f"Invalid response_type: {params.get('response_type')}",
        )
    if not params.get("scope", "").split():
        return _error_page(400, "invalid_request", "Missing required parameter: scope")
    return None


def _client(state: GoogleBusinessState, request: Request, form: dict[str, str]) -> str:
    """Authenticates the OAuth client from the form or HTTP Basic; answers its id."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise OAuthError(401, "invalid_client", "Unauthorized") from error
        user, _, password = decoded.partition(":")
        client_id, secret = unquote(user), unquote(password)
    if client_id != state.client_id:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    if secret != state.client_secret:
        raise OAuthError(401, "invalid_client", "Unauthorized")
    return client_id


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError(400, "invalid_request", f"Missing required parameter: {name}")
    return value


def _issue(
    state: GoogleBusinessState, client_id: str, scope: str, refresh_token: str | None
) -> dict[str, Any]:
    """Call with the lock held."""
    access_token = "ya29.sandbox-" + secrets.token_urlsafe(40)
    ttl = state.access_token_ttl_seconds
    state.access_tokens[access_token] = _AccessToken(
        client_id, scope, time.time() + ttl, refresh_token
    )
    return {"access_token": access_token, "expires_in": ttl, "scope": scope, "token_type": "Bearer"}


def _grant(state: GoogleBusinessState, client_id: str, form: dict[str, str]) -> dict[str, Any]:
    grant_type = form.get("grant_type", "")
    with state.lock:
        state.token_requests[grant_type or "(none)"] += 1
        if grant_type == "authorization_code":
            code = state.codes.get(_required(form, "code"))
            if code is None or code.client_id != client_id or code.expires_at <= time.time():
                raise OAuthError(400, "invalid_grant", "Bad Request")
            if form.get("redirect_uri") != code.redirect_uri:
                raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
            del state.codes[form["code"]]
            refresh_token = None
            if code.offline:
                refresh_token = "1//sandbox-" + secrets.token_urlsafe(40)
                state.refresh_tokens[refresh_token] = _RefreshToken(client_id, code.scope)
            issued = _issue(state, client_id, code.scope, refresh_token)
            if refresh_token:
                issued["refresh_token"] = refresh_token
            return issued
        if grant_type == "refresh_token":
            token = _required(form, "refresh_token")
            grant = state.refresh_tokens.get(token)
            if grant is None or grant.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
            return _issue(state, client_id, grant.scope, token)
    raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")


def _revoke(state: GoogleBusinessState, token: str) -> bool:
    """Revokes a refresh token with its access tokens, or an access token with its refresh
    token (as Google does). Call with the lock held."""
    access = state.access_tokens.pop(token, None)
    if access is not None:
        if access.refresh_token is None:
            return True
        token = access.refresh_token
    found = state.refresh_tokens.pop(token, None) is not None or access is not None
    for access_token, grant in list(state.access_tokens.items()):
        if grant.refresh_token == token:
            del state.access_tokens[access_token]
    return found


async def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode(errors="replace")))


def _oauth_routes(state: GoogleBusinessState) -> APIRouter:
    router = APIRouter()

    @router.get("/o/oauth2/v2/auth", response_model=None)
    def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        problem = _authorization_problem(state, params)
        if problem is not None:
            return problem
        auto = params.pop("auto", None)
        if auto in ("1", "allow"):
            return _decide(state, params, allow=True)
        if auto == "deny":
            return _decide(state, params, allow=False)
        return _consent_page(params)

    @router.post("/o/oauth2/v2/auth/decision", response_model=None)
    async def decide(request: Request) -> Response:
        params = await _form(request)
        decision = params.pop("decision", "deny")
        problem = _authorization_problem(state, params)
        if problem is not None:
            return problem
        return _decide(state, params, allow=decision == "allow")

    @router.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await _form(request)
        client_id = _client(state, request, form)
        issued = _grant(state, client_id, form)
        return JSONResponse(issued, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @router.post("/revoke")
    async def revoke(request: Request) -> JSONResponse:
        token = (await _form(request)).get("token") or request.query_params.get("token", "")
        with state.lock:
            if not _revoke(state, token):
                raise OAuthError(400, "invalid_token", "Token expired or revoked")
        return JSONResponse({})

    return router


# --- Business Profile APIs ---------------------------------------------------------------------


def _authenticate(state: GoogleBusinessState, request: Request, operation: str) -> None:
    """Counts the request and checks its bearer token. Call with the lock held."""
    state.requests[operation] += 1
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        state.unauthorized_requests += 1
        raise GoogleApiError(401, MISSING_CREDENTIALS)
    token = state.access_tokens.get(header[7:].strip())
    if token is None or token.expires_at <= time.time():
        state.unauthorized_requests += 1
        raise GoogleApiError(401, INVALID_CREDENTIALS)
    if not set(token.scope.split()) & {BUSINESS_SCOPE, LEGACY_BUSINESS_SCOPE}:
        raise GoogleApiError(403, "Request had insufficient authentication scopes.")


def _page(items: list[Any], page_size: int, page_token: str) -> tuple[list[Any], str | None]:
    """One page and the next page's token (an offset, opaque to the caller)."""
    offset = 0
    if page_token:
        try:
            offset = int(base64.urlsafe_b64decode(page_token.encode()).decode().removeprefix("o:"))
        except (ValueError, binascii.Error) as error:
            raise GoogleApiError(
                400, INVALID_ARGUMENT, details=field_violation("page_token", "Invalid page token.")
            ) from error
        if not 0 <= offset <= len(items):
            raise GoogleApiError(400, INVALID_ARGUMENT)
    end = offset + page_size
    next_token = (
        base64.urlsafe_b64encode(f"o:{end}".encode()).decode() if end < len(items) else None
    )
    return items[offset:end], next_token


def _page_size(requested: int | None, default: int, maximum: int) -> int:
    if requested is None or requested == 0:
        return default
    if not 1 <= requested <= maximum:
        raise GoogleApiError(
            400,
            INVALID_ARGUMENT,
            details=field_violation("page_size", f"Page size must be between 1 and {maximum}."),
        )
    return requested


def _review(
    state: GoogleBusinessState, account_id: str, location_id: str, review_id: str
) -> Review:
    review = state.reviews.get(review_id)
    if (
        review is None
        or review.account != f"accounts/{account_id}"
        or review.location != f"locations/{location_id}"
    ):
        raise GoogleApiError(404, NOT_FOUND)
    return review


async def _reply_comment(request: Request) -> str:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as error:
        raise GoogleApiError(400, "Invalid JSON payload received.") from error
    comment = body.get("comment") if isinstance(body, dict) else None
    if not isinstance(comment, str) or not comment.strip():
        raise GoogleApiError(
            400, INVALID_ARGUMENT, details=field_violation("comment", "Comment is required.")
        )
    if len(comment.encode()) > MAX_REPLY_BYTES:
        raise GoogleApiError(
            400,
            INVALID_ARGUMENT,
            details=field_violation(
                "comment", f"The comment exceeds the maximum of {MAX_REPLY_BYTES} bytes."
            ),
        )
    return comment


def _business_routes(state: GoogleBusinessState) -> APIRouter:
    router = APIRouter()
    reviews_path = "/v4/accounts/{account_id}/locations/{location_id}/reviews"

    @router.get("/v1/accounts")
    def list_accounts(
        request: Request,
        page_size: Annotated[int | None, Query(alias="pageSize")] = None,
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "list_accounts")
            _page_size(page_size, MAX_ACCOUNT_PAGE_SIZE, MAX_ACCOUNT_PAGE_SIZE)
            return {
                "accounts": [
                    {
                        "name": state.account,
                        "accountName": state.account_name,
                        "type": "PERSONAL",
                        "role": "PRIMARY_OWNER",
                        "verificationState": "VERIFIED",
                        "vettedState": "NOT_VETTED",
                    }
                ]
            }

    @router.get("/v1/accounts/{account_id}/locations")
    def list_locations(
        account_id: str,
        request: Request,
        read_mask: Annotated[str | None, Query(alias="readMask")] = None,
        page_size: Annotated[int | None, Query(alias="pageSize")] = None,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "list_locations")
            if f"accounts/{account_id}" != state.account:
                raise GoogleApiError(403, "The caller does not have permission")
            mask = {part.strip() for part in (read_mask or "").split(",") if part.strip()}
            if not mask:
                raise GoogleApiError(
                    400, INVALID_ARGUMENT, details=field_violation("read_mask", "Field is required")
                )
            if not mask <= LOCATION_FIELDS:
                raise GoogleApiError(
                    400, f"Invalid field mask provided: {','.join(sorted(mask - LOCATION_FIELDS))}"
                )
            size = _page_size(page_size, 10, MAX_LOCATION_PAGE_SIZE)
            mine = [x for x in state.locations if x.account == state.account]
            page, next_token = _page(mine, size, page_token)
            answer: dict[str, Any] = {
                "locations": [{k: v for k, v in x.as_google().items() if k in mask} for x in page],
                "totalSize": len(mine),
            }
            if next_token:
                answer["nextPageToken"] = next_token
            return answer

    @router.get(reviews_path)
    def list_reviews(
        account_id: str,
        location_id: str,
        request: Request,
        page_size: Annotated[int | None, Query(alias="pageSize")] = None,
        page_token: Annotated[str, Query(alias="pageToken")] = "",
        order_by: Annotated[str, Query(alias="orderBy")] = "updateTime desc",
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "list_reviews")
            if state.location(f"accounts/{account_id}", f"locations/{location_id}") is None:
                raise GoogleApiError(404, NOT_FOUND)
            if order_by not in REVIEW_ORDERS:
                raise GoogleApiError(
                    400, INVALID_ARGUMENT, details=field_violation("order_by", "Invalid order.")
                )
            size = _page_size(page_size, MAX_REVIEW_PAGE_SIZE, MAX_REVIEW_PAGE_SIZE)
            here = [
                r
                for r in state.reviews.values()
                if r.account == f"accounts/{account_id}"
                and r.location == f"locations/{location_id}"
            ]
            if order_by == "updateTime desc":
                here.sort(key=lambda r: (r.update_time, r.review_id), reverse=True)
            else:
                here.sort(key=lambda r: (r.stars, r.review_id), reverse=order_by == "rating desc")
            page, next_token = _page(here, size, page_token)
            if not here:
                return {}  # proto3 JSON: nothing to say about a location without reviews
            answer: dict[str, Any] = {
                "reviews": [review.as_google() for review in page],
                "averageRating": round(sum(r.stars for r in here) / len(here), 1),
                "totalReviewCount": len(here),
            }
            if next_token:
                answer["nextPageToken"] = next_token
            return answer

    @router.get(reviews_path + "/{review_id}")
    def get_review(
        account_id: str, location_id: str, review_id: str, request: Request
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "get_review")
            return _review(state, account_id, location_id, review_id).as_google()

    @router.put(reviews_path + "/{review_id}/reply")
    async def update_reply(
        account_id: str, location_id: str, review_id: str, request: Request
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "put_reply")
        comment = await _reply_comment(request)
        with state.lock:
            review = _review(state, account_id, location_id, review_id)
            review.reply = Reply(comment, _now())
            state.replies_received += 1
            state.reply_log.append(
                {
                    "review_id": review_id,
                    "comment": comment,
                    "update_time": rfc3339(review.reply.update_time),
                }
            )
            return {"comment": comment, "updateTime": rfc3339(review.reply.update_time)}

    @router.delete(reviews_path + "/{review_id}/reply")
    def delete_reply(
        account_id: str, location_id: str, review_id: str, request: Request
    ) -> dict[str, Any]:
        with state.lock:
            _authenticate(state, request, "delete_reply")
            review = _review(state, account_id, location_id, review_id)
            if review.reply is None:
                raise GoogleApiError(404, NOT_FOUND)
            review.reply = None
            return {}

    return router


# --- The business's side, for tests and the demo ------------------------------------------------


class AddReview(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=4096)  # None: a rating without text
    reviewer_name: str = Field(default="Sandbox Reviewer", max_length=200)
    anonymous: bool = False
    create_time: dt.datetime | None = None  # naive means UTC
    review_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,200}$")
    location: str | None = Field(default=None, pattern=r"^locations/[0-9]+$")


class EditReview(BaseModel):
    """The reviewer edits the review: updateTime moves to now (or `update_time`)."""

    stars: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=4096)
    update_time: dt.datetime | None = None


class AddLocation(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    location_id: str | None = Field(default=None, pattern=r"^[0-9]{1,30}$")


class Settings(BaseModel):
    access_token_ttl_seconds: int = Field(ge=1, le=86_400)


class Revoke(BaseModel):
    refresh_token: str | None = None  # None: every refresh token (the owner removed our access)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _control_routes(state: GoogleBusinessState) -> APIRouter:
    router = APIRouter(prefix="/sandbox/google-business", tags=["sandbox"])

    def find(review_id: str) -> Review:
        review = state.reviews.get(review_id)
        if review is None:
            raise GoogleApiError(404, f"No review {review_id}")
        return review

    @router.get("/state")
    def snapshot() -> dict[str, Any]:
        return state.snapshot()

    @router.post("/reviews", status_code=201)
    def add_review(body: AddReview) -> dict[str, Any]:
        with state.lock:
            where = state.locations[0]
            if body.location is not None:
                found = next((x for x in state.locations if x.name == body.location), None)
                if found is None:
                    raise GoogleApiError(404, f"No location {body.location}")
                where = found
            if body.review_id in state.reviews:
                raise GoogleApiError(409, f"Review {body.review_id} exists", "ALREADY_EXISTS")
            review = state.add_review(
                body.stars,
                body.comment,
                body.reviewer_name,
                anonymous=body.anonymous,
                create_time=_utc(body.create_time) if body.create_time else None,
                review_id=body.review_id,
                location=where,
            )
            return review.as_google()

    @router.patch("/reviews/{review_id}")
    def edit_review(review_id: str, body: EditReview) -> dict[str, Any]:
        with state.lock:
            review = find(review_id)
            if body.stars is not None:
                review.stars = body.stars
            if "comment" in body.model_fields_set:
                review.comment = body.comment
            review.update_time = _utc(body.update_time) if body.update_time else _now()
            return review.as_google()

    @router.delete("/reviews/{review_id}", status_code=204)
    def delete_review(review_id: str) -> Response:
        with state.lock:
            del state.reviews[find(review_id).review_id]
        return Response(status_code=204)

    @router.delete("/reviews/{review_id}/reply", status_code=204)
    def remove_reply(review_id: str) -> Response:
        """The owner deleted the reply in Google's own interface."""
        with state.lock:
            find(review_id).reply = None
        return Response(status_code=204)

    @router.post("/locations", status_code=201)
    def add_location(body: AddLocation) -> dict[str, Any]:
        with state.lock:
            name = f"locations/{body.location_id or secrets.randbelow(10**18) + 10**18}"
            location = Location(state.account, name, body.title)
            state.locations.append(location)
            return {"account": location.account, "name": location.name, "title": location.title}

    @router.post("/demo", status_code=201)
    def demo() -> dict[str, Any]:
        state.add_demo_reviews()
        return state.snapshot()

    @router.post("/settings")
    def settings(body: Settings) -> dict[str, int]:
        with state.lock:
            state.access_token_ttl_seconds = body.access_token_ttl_seconds
            return {"access_token_ttl_seconds": state.access_token_ttl_seconds}

    @router.post("/tokens/expire")
    def expire_tokens() -> dict[str, int]:
        """Every access token issued so far is now expired; refresh tokens still work."""
        with state.lock:
            past = time.time() - 1
            for token in state.access_tokens.values():
                token.expires_at = past
            return {"expired": len(state.access_tokens)}

    @router.post("/tokens/revoke")
    def revoke_tokens(body: Revoke | None = None) -> dict[str, int]:
        with state.lock:
            wanted = body.refresh_token if body else None
            targets = [wanted] if wanted else list(state.refresh_tokens)
            return {"revoked": sum(_revoke(state, token) for token in targets)}

    return router
