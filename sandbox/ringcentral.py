"""A RingCentral emulator: OAuth (JWT grant), SMS send, the message store, webhook subscriptions,
and (in sandbox/ringcentral_calls.py) extensions, presence, telephony sessions and Call Control.

It speaks RingCentral's wire format closely enough for the real `ringcentral` SDK: JSON
responses with `Content-Type: application/json`, Bearer tokens, `errorCode` error bodies, and
subscriptions that do the `Validation-Token` handshake and then deliver notifications carrying
the `Verification-Token`. The `/sandbox/phone/...` routes let a person (or a test) text the
business as a customer; `/sandbox/calls/...` let them call it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI, Form, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sandbox.framework import FaultInjector, install_faults
from sandbox.ringcentral_calls import (
    CallControlError,
    CallsEngine,
    CallsState,
    SandboxExtension,
    call_error_response,
    default_extensions,
    telephony_api_routes,
    telephony_sandbox_routes,
)

log = logging.getLogger(__name__)

SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
SANDBOX_JWT = "sandbox-jwt"
ACCESS_TOKEN_TTL = 3600
REFRESH_TOKEN_TTL = 604800
INSTANT_SMS_FILTER = "/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS"
EXTENSION = "/restapi/v1.0/account/~/extension/~"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class RingCentralError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_body(status: int, message: str, code: str | None = None) -> dict[str, object]:
    code = code or {401: "TokenInvalid", 404: "CMN-102", 429: "CMN-301", 500: "CMN-201"}.get(
        status, "CMN-101"
    )
    return {
        "errorCode": code,
        "message": message,
        "errors": [{"errorCode": code, "message": message}],
    }


@dataclass
class StoredSms:
    id: str
    direction: str  # "Inbound" (customer → business) or "Outbound"
    from_number: str
    to_number: str
    text: str
    created: datetime
    conversation_id: str

    def as_record(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "uri": f"{base_url}{EXTENSION}/message-store/{self.id}",
            "type": "SMS",
            "direction": self.direction,
            "messageStatus": "Received" if self.direction == "Inbound" else "Sent",
            "readStatus": "Unread" if self.direction == "Inbound" else "Read",
            "from": {"phoneNumber": self.from_number},
            "to": [{"phoneNumber": self.to_number}],
            "subject": self.text,
            "creationTime": _iso(self.created),
            "lastModifiedTime": _iso(self.created),
            "conversationId": self.conversation_id,
            "conversation": {"id": self.conversation_id},
        }


@dataclass
class Subscription:
    id: str
    event_filters: list[str]
    address: str
    verification_token: str
    expires_at: datetime
    created: datetime
    status: str = "Active"

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uri": f"/restapi/v1.0/subscription/{self.id}",
            "eventFilters": self.event_filters,
            "expirationTime": _iso(self.expires_at),
            "expiresIn": max(0, int((self.expires_at - _now()).total_seconds())),
            "status": self.status,
            "creationTime": _iso(self.created),
            "deliveryMode": {
                "transportType": "WebHook",
                "address": self.address,
                "verificationToken": self.verification_token,
                "encryption": False,
            },
        }


@dataclass
class Delivery:
    subscription_id: str
    event_uuid: str
    status_code: int | None
    error: str | None = None


@dataclass
class RingCentralState:
    client_id: str = SANDBOX_CLIENT_ID
    client_secret: str = SANDBOX_CLIENT_SECRET
    jwt: str = SANDBOX_JWT
    business_number: str = "+15105550100"
    access_tokens: dict[str, datetime] = field(default_factory=dict)
    refresh_tokens: dict[str, datetime] = field(default_factory=dict)
    messages: list[StoredSms] = field(default_factory=list)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Telephony: the account's user extensions (each with a sandbox answer mode) and how long
    # an "answer" extension rings before it picks up.
    extensions: list[SandboxExtension] = field(default_factory=default_extensions)
    answer_delay_seconds: float = 0.2
    calls: CallsState = field(init=False)

    def __post_init__(self) -> None:
        self.calls = CallsState(lock=self.lock, extensions=self.extensions)

    def issue_tokens(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        now = _now()
        with self.lock:
            self.access_tokens[access] = now + timedelta(seconds=ACCESS_TOKEN_TTL)
            self.refresh_tokens[refresh] = now + timedelta(seconds=REFRESH_TOKEN_TTL)
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_TTL,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_TOKEN_TTL,
            "scope": "SMS ReadMessages SubscriptionWebhook CallControl ReadAccounts",
            "owner_id": "100001",
            "endpoint_id": "sandbox",
        }

    def check_bearer(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        expires = self.access_tokens.get(token) if scheme.lower() == "bearer" else None
        if expires is None or expires < _now():
            raise RingCentralError(401, "TokenInvalid", "Access token corrupted or expired")

    def store(self, direction: str, from_number: str, to_number: str, text: str) -> StoredSms:
        customer = from_number if direction == "Inbound" else to_number
        message = StoredSms(
            id=str(10_000_000 + len(self.messages) + 1),
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            text=text,
            created=_now(),
            conversation_id=str(abs(hash(customer)) % 10**12),
        )
        with self.lock:
            self.messages.append(message)
        return message

    def thread(self, number: str) -> list[StoredSms]:
        with self.lock:
            return [m for m in self.messages if number in (m.from_number, m.to_number)]


class PhoneText(BaseModel):
    """A customer texting the business from the sandbox phone."""

    from_number: str = Field(alias="from", pattern=r"^\+[1-9]\d{6,14}$")
    text: str = Field(min_length=1, max_length=1000)
    to: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")


def create_ringcentral_emulator(state: RingCentralState | None = None) -> FastAPI:
    state = state or RingCentralState()
    faults = FaultInjector()
    app = FastAPI(title="RingCentral sandbox", docs_url="/sandbox/docs", openapi_url=None)
    app.state.ringcentral = state
    app.state.faults = faults

    @app.exception_handler(RingCentralError)
    async def _error(_request: Request, error: RingCentralError) -> JSONResponse:
        return JSONResponse(error_body(error.status, error.message, error.code), error.status)

    @app.exception_handler(CallControlError)
    async def _call_error(_request: Request, error: CallControlError) -> JSONResponse:
        return call_error_response(error, error_body(error.status, error.message, error.code))

    install_faults(app, faults, lambda status, message: error_body(status, message))
    app.include_router(_oauth_routes(state))
    app.include_router(_api_routes(state))
    app.include_router(_phone_routes(state))
    calls = CallsEngine(
        state.calls,
        lambda event, body, wants: notify(state, event, body, wants),
        lambda: state.answer_delay_seconds,
    )
    app.state.calls = calls
    app.include_router(telephony_api_routes(state, calls))
    app.include_router(telephony_sandbox_routes(state, calls))
    return app


def _oauth_routes(state: RingCentralState) -> APIRouter:
    router = APIRouter()

    @router.post("/restapi/oauth/token")
    def token(
        grant_type: Annotated[str, Form()],
        authorization: Annotated[str | None, Header()] = None,
        assertion: Annotated[str | None, Form()] = None,
        refresh_token: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        expected = base64.b64encode(f"{state.client_id}:{state.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Invalid client credentials"},
                status_code=401,
            )
        if grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            if assertion != state.jwt:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "Invalid JWT token"},
                    status_code=400,
                )
        elif grant_type == "refresh_token":
            expires = state.refresh_tokens.pop(refresh_token or "", None)
            if expires is None or expires < _now():
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "Token not found"},
                    status_code=400,
                )
        else:
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": grant_type},
                status_code=400,
            )
        with state.lock:
            state.logins += 1
        return JSONResponse(state.issue_tokens())

    return router


class _SmsParty(BaseModel):
    phoneNumber: str


class _SendSms(BaseModel):
    from_: _SmsParty = Field(alias="from")
    to: list[_SmsParty] = Field(min_length=1)
    text: str = Field(min_length=1, max_length=1000)


class _DeliveryMode(BaseModel):
    transportType: str
    address: str
    verificationToken: str | None = None


class _CreateSubscription(BaseModel):
    eventFilters: list[str] = Field(min_length=1)
    deliveryMode: _DeliveryMode
    expiresIn: int = Field(default=604800, ge=60, le=315360000)


def _api_routes(state: RingCentralState) -> APIRouter:
    router = APIRouter()

    @router.post(f"{EXTENSION}/sms")
    def send_sms(
        request: Request, body: _SendSms, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        state.check_bearer(authorization)
        if body.from_.phoneNumber != state.business_number:
            raise RingCentralError(
                400, "MSG-304", "Phone number doesn't belong to extension or has no SMS feature"
            )
        record = state.store("Outbound", body.from_.phoneNumber, body.to[0].phoneNumber, body.text)
        return JSONResponse(record.as_record(str(request.base_url).rstrip("/")))

    @router.get(f"{EXTENSION}/message-store")
    def message_store(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        direction: str | None = None,
        messageType: str | None = None,
        dateFrom: str | None = None,
        perPage: int = Query(default=100, ge=1, le=1000),
        page: int = Query(default=1, ge=1),
    ) -> JSONResponse:
        state.check_bearer(authorization)
        since = _parse_iso(dateFrom) if dateFrom else _now() - timedelta(days=1)
        with state.lock:
            found = [
                m
                for m in reversed(state.messages)
                if m.created >= since
                and (direction is None or m.direction == direction)
                and messageType in (None, "SMS")
            ]
        chunk = found[(page - 1) * perPage : page * perPage]
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "uri": str(request.url),
                "records": [m.as_record(base) for m in chunk],
                "paging": {
                    "page": page,
                    "perPage": perPage,
                    "pageStart": (page - 1) * perPage,
                    "pageEnd": (page - 1) * perPage + max(0, len(chunk) - 1),
                    "totalElements": len(found),
                },
                "navigation": {},
            }
        )

    @router.post("/restapi/v1.0/subscription")
    async def create_subscription(
        body: _CreateSubscription, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        state.check_bearer(authorization)
        if body.deliveryMode.transportType != "WebHook":
            raise RingCentralError(400, "SUB-505", "Only WebHook transport is emulated")
        await _validate_webhook(body.deliveryMode.address)
        now = _now()
        subscription = Subscription(
            id=str(uuid.uuid4()),
            event_filters=body.eventFilters,
            address=body.deliveryMode.address,
            verification_token=body.deliveryMode.verificationToken or "",
            expires_at=now + timedelta(seconds=body.expiresIn),
            created=now,
        )
        with state.lock:
            state.subscriptions[subscription.id] = subscription
        return JSONResponse(subscription.as_record())

    @router.get("/restapi/v1.0/subscription")
    def list_subscriptions(authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
        state.check_bearer(authorization)
        with state.lock:
            records = [s.as_record() for s in state.subscriptions.values()]
        return JSONResponse({"records": records})

    @router.post("/restapi/v1.0/subscription/{subscription_id}/renew")
    def renew_subscription(
        subscription_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        state.check_bearer(authorization)
        subscription = state.subscriptions.get(subscription_id)
        if subscription is None:
            raise RingCentralError(404, "SUB-100", "Subscription not found")
        subscription.expires_at = _now() + timedelta(seconds=604800)
        subscription.status = "Active"
        return JSONResponse(subscription.as_record())

    @router.delete("/restapi/v1.0/subscription/{subscription_id}", status_code=204)
    def delete_subscription(
        subscription_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> None:
        state.check_bearer(authorization)
        if state.subscriptions.pop(subscription_id, None) is None:
            raise RingCentralError(404, "SUB-100", "Subscription not found")

    return router


async def _validate_webhook(address: str) -> None:
    """RingCentral's handshake: the address must echo Validation-Token within 3 s."""
    token = str(uuid.uuid4())
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.post(address, headers={"Validation-Token": token})
    except httpx.HTTPError as error:
        raise RingCentralError(
            400, "SUB-521", f"WebHook responds with incorrect HTTP status: {error}"
        ) from error
    if response.status_code != 200 or response.headers.get("validation-token") != token:
        raise RingCentralError(
            400, "SUB-522", "WebHook responds with missing or incorrect Validation-Token header"
        )


def _notification(subscription: Subscription, message: StoredSms, base: str) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "event": "/restapi/v1.0/account/100001/extension/100001/message-store/instant?type=SMS",
        "timestamp": _iso(_now()),
        "subscriptionId": subscription.id,
        "ownerId": "100001",
        "body": message.as_record(base),
    }


async def deliver(state: RingCentralState, message: StoredSms, base: str) -> None:
    """Posts the instant-SMS notification to every matching subscription, retrying a few times
    as RingCentral does before it gives up on a webhook."""
    targets = _targets(state, lambda f: "/message-store/instant" in f)
    async with httpx.AsyncClient(timeout=10) as client:
        for subscription in targets:
            await _post(state, client, subscription, _notification(subscription, message, base))


async def notify(
    state: RingCentralState, event: str, body: dict[str, Any], wants: Callable[[str], bool]
) -> None:
    """Posts `{uuid, event, timestamp, subscriptionId, ownerId, body}` to every active
    subscription with an event filter `wants` accepts (telephony sessions, transcripts)."""
    targets = _targets(state, wants)
    async with httpx.AsyncClient(timeout=10) as client:
        for subscription in targets:
            payload = {
                "uuid": str(uuid.uuid4()),
                "event": event,
                "timestamp": _iso(_now()),
                "subscriptionId": subscription.id,
                "ownerId": "100001",
                "body": body,
            }
            await _post(state, client, subscription, payload)


def _targets(state: RingCentralState, wants: Callable[[str], bool]) -> list[Subscription]:
    with state.lock:
        return [
            s
            for s in state.subscriptions.values()
            if s.status == "Active"
            and s.expires_at > _now()
            and any(wants(f) for f in s.event_filters)
        ]


async def _post(
    state: RingCentralState,
    client: httpx.AsyncClient,
    subscription: Subscription,
    payload: dict[str, Any],
) -> None:
    headers = {"Verification-Token": subscription.verification_token}
    for attempt in range(5):
        try:
            response = await client.post(subscription.address, json=payload, headers=headers)
            status: int | None = response.status_code
            error = None if response.status_code < 300 else response.text[:200]
        except httpx.HTTPError as failure:
            status, error = None, str(failure)
        with state.lock:
            state.deliveries.append(Delivery(subscription.id, payload["uuid"], status, error))
        if error is None:
            break
        await asyncio.sleep(0.5 * 2**attempt)


def _phone_routes(state: RingCentralState) -> APIRouter:
    """Not RingCentral's API: the sandbox phone a person or a test texts the business with."""
    router = APIRouter(prefix="/sandbox/phone", tags=["sandbox"])
    pending: set[asyncio.Task[None]] = set()

    @router.post("/messages", status_code=201)
    async def customer_texts(request: Request, body: PhoneText) -> dict[str, Any]:
        message = state.store(
            "Inbound", body.from_number, body.to or state.business_number, body.text
        )
        base = str(request.base_url).rstrip("/")
        task = asyncio.create_task(deliver(state, message, base))
        pending.add(task)
        task.add_done_callback(pending.discard)
        return _phone_record(message)

    @router.get("/messages")
    def thread(number: str = Query(pattern=r"^\+[1-9]\d{6,14}$")) -> dict[str, Any]:
        return {"records": [_phone_record(m) for m in state.thread(number)]}

    @router.get("/deliveries")
    def deliveries() -> dict[str, Any]:
        with state.lock:
            return {
                "records": [
                    {
                        "subscriptionId": d.subscription_id,
                        "uuid": d.event_uuid,
                        "status": d.status_code,
                        "error": d.error,
                    }
                    for d in state.deliveries
                ]
            }

    return router


def _phone_record(message: StoredSms) -> dict[str, Any]:
    return {
        "id": message.id,
        "direction": message.direction,
        "from": message.from_number,
        "to": message.to_number,
        "text": message.text,
        "creationTime": _iso(message.created),
    }
