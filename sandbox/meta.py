"""A Meta Graph API emulator for Messenger and Instagram direct messages: the Send API, the
Conversations API, and signed webhook deliveries of customers' messages.

One Facebook Page with a linked Instagram professional account. The Send API
(`POST /{version}/me/messages`, or `/{page-id}/messages`) takes the Page access token (the
`access_token` parameter or an `Authorization: Bearer|OAuth` header) and enforces Meta's window:
a reply within 24 hours of the customer's last message, or with `messaging_type: MESSAGE_TAG`
and `tag: HUMAN_AGENT` within 7 days; nothing to someone who never wrote. Errors come in Graph's
shape, `{"error": {message, type, code, error_subcode, fbtrace_id}}` with HTTP 400, as Meta
answers them (190 bad token, 100/2018001 unknown person, 10/2018278 outside the window, 613 and
friends when throttled, with `X-Business-Use-Case-Usage`). The Conversations API
(`GET /{version}/me/conversations?platform=&user_id=`, then `GET /{version}/{conversation-id}
?fields=messages{…}`) lists the latest messages of a thread, as Meta's does.

Tests and the demo play the customers through `/sandbox/meta/...`: a customer writes on
Messenger or Instagram (the message is delivered to the webhook URL as Meta would: `object`
"page" or "instagram", `entry[].messaging[]`, signed `X-Hub-Signature-256` with the app secret
over the exact bytes sent, unicode escaped like Meta's), the Page's own echoes, delivery and
read receipts, redelivery of a message, throttling; and read what was sent to whom.
`/sandbox/faults` (sandbox.framework) arms HTTP faults answered in Graph's error shape.

Not emulated: attachments, quick replies and templates in sent messages, tags other than
HUMAN_AGENT, Instagram's 1000-byte limit (2000 characters everywhere), the Page's own inbox,
app review and permissions, retries of failed deliveries (use redeliver).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
from fastapi import APIRouter, BackgroundTasks, FastAPI, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from sandbox.framework import FaultInjector, install_faults

# The only credentials the emulator knows (integrations and settings keep their own copies;
# sandbox imports nothing of ours).
SANDBOX_PAGE_ACCESS_TOKEN = "sandbox-meta-page-token"
SANDBOX_APP_SECRET = "sandbox-meta-app-secret"
DEFAULT_PAGE_ID = "104729350123456"
DEFAULT_PAGE_NAME = "Fremont Hibachi Co."
DEFAULT_INSTAGRAM_ID = "17841405822304914"
DEFAULT_INSTAGRAM_USERNAME = "fremonthibachi"
DEFAULT_APP_ID = 1517776481860111
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MAX_TEXT_CHARS = 2000
CONVERSATION_MESSAGES = 20  # Meta details only the latest 20 messages of a thread
DELIVERY_TIMEOUT_SECONDS = 5.0
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
THROTTLE_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this API have exceeded the rate limit.",
    80006: "(#80006) There have been too many messenger api calls to this Page.",
}
OUTSIDE_WINDOW = (
    "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
    "https://developers.facebook.com/docs/messenger-platform/policy-overview"
)

Platform = Literal["messenger", "instagram"]


def _now() -> datetime:
    return datetime.now(UTC)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def graph_error(
    code: int, message: str, subcode: int | None = None, error_type: str = "OAuthException"
) -> dict[str, object]:
    error: dict[str, object] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = base64.urlsafe_b64encode(secrets.token_bytes(8)).decode().rstrip("=")
    return {"error": error}


def _fault_body(status: int, _message: str) -> dict[str, object]:
    if status == 429:
        return graph_error(4, THROTTLE_MESSAGES[4])
    return graph_error(
        2, "An unexpected error has occurred. Please retry your request later.", None
    )


def sign(app_secret: str, body: bytes) -> str:
    """`X-Hub-Signature-256` for these bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _sign_sha1(app_secret: str, body: bytes) -> str:
    return "sha1=" + hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest()


def _new_user_id(platform: Platform) -> str:
    # PSIDs are 16 digits, IGSIDs 17 (in the wild; the lengths are not promised).
    digits = 16 if platform == "messenger" else 17
    return str(10 ** (digits - 1) + secrets.randbelow(9 * 10 ** (digits - 1)))


def _new_mid(platform: Platform) -> str:
    if platform == "messenger":
        return "m_" + secrets.token_urlsafe(48)
    item = f"ig_message_item:1:IGMessageThread:{DEFAULT_INSTAGRAM_ID}:{secrets.randbelow(10**38)}"
    return base64.urlsafe_b64encode(item.encode()).decode().rstrip("=")


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        subcode: int | None = None,
        *,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.status = status
        self.headers = headers


@dataclass
class StoredMessage:
    mid: str
    platform: Platform
    sender_id: str
    recipient_id: str
    text: str
    timestamp: datetime
    direction: Literal["inbound", "outbound"]
    source: Literal["customer", "send_api", "page_inbox"]
    messaging_type: str | None = None
    tag: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "mid": self.mid,
            "platform": self.platform,
            "sender_id": self.sender_id,
            "recipient_id": self.recipient_id,
            "text": self.text,
            "timestamp": self.timestamp.isoformat(),
            "direction": self.direction,
            "source": self.source,
            "messaging_type": self.messaging_type,
            "tag": self.tag,
        }


@dataclass
class SandboxCustomer:
    user_id: str
    platform: Platform
    name: str
    last_message_at: datetime | None = None


@dataclass
class Delivery:
    kind: str  # "message", "echo", "delivery", "read"
    mid: str | None
    url: str
    status: int | None
    error: str | None = None


@dataclass
class _Throttle:
    code: int
    remaining: int
    minutes: int


@dataclass
class MetaState:
    """What the emulator holds. `send_requests` counts requests that reached the Send API
    handler (refused ones included; those answered by an armed fault are not)."""

    access_token: str = SANDBOX_PAGE_ACCESS_TOKEN
    app_secret: str = SANDBOX_APP_SECRET
    page_id: str = DEFAULT_PAGE_ID
    page_name: str = DEFAULT_PAGE_NAME
    instagram_id: str = DEFAULT_INSTAGRAM_ID
    instagram_username: str = DEFAULT_INSTAGRAM_USERNAME
    app_id: int = DEFAULT_APP_ID
    webhook_url: str | None = None
    send_echoes: bool = True  # deliver the Page's message_echoes after each Send API message
    customers: dict[str, SandboxCustomer] = field(default_factory=dict)
    messages: list[StoredMessage] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)  # mid: the exact bytes delivered
    deliveries: list[Delivery] = field(default_factory=list)
    throttles: list[_Throttle] = field(default_factory=list)
    send_requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _initial: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._initial = {"webhook_url": self.webhook_url, "send_echoes": self.send_echoes}

    def reset(self) -> None:
        """No customers, messages or deliveries; the same Page, token, secret and webhook URL."""
        fresh = MetaState()
        kept = {
            "access_token",
            "app_secret",
            "page_id",
            "page_name",
            "instagram_id",
            "instagram_username",
            "app_id",
            "lock",
            "_initial",
        }
        with self.lock:
            for each in fields(self):
                if each.name not in kept:
                    setattr(self, each.name, getattr(fresh, each.name))
            self.webhook_url = self._initial["webhook_url"]
            self.send_echoes = self._initial["send_echoes"]

    def account_id(self, platform: Platform) -> str:
        return self.page_id if platform == "messenger" else self.instagram_id

    def sent(self, recipient_id: str | None = None) -> list[StoredMessage]:
        """Messages that went out through the Send API, oldest first."""
        with self.lock:
            return [
                m
                for m in self.messages
                if m.source == "send_api" and recipient_id in (None, m.recipient_id)
            ]

    def thread(self, user_id: str) -> list[StoredMessage]:
        with self.lock:
            return [m for m in self.messages if user_id in (m.sender_id, m.recipient_id)]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "page_id": self.page_id,
                "instagram_id": self.instagram_id,
                "webhook_url": self.webhook_url,
                "send_requests": self.send_requests,
                "customers": [
                    {
                        "user_id": c.user_id,
                        "platform": c.platform,
                        "name": c.name,
                        "last_message_at": c.last_message_at.isoformat()
                        if c.last_message_at
                        else None,
                    }
                    for c in self.customers.values()
                ],
                "messages": [m.as_record() for m in self.messages],
                "deliveries": [
                    {
                        "kind": d.kind,
                        "mid": d.mid,
                        "url": d.url,
                        "status": d.status,
                        "error": d.error,
                    }
                    for d in self.deliveries
                ],
            }


# --- webhook payloads ---------------------------------------------------------------------------


def _envelope(state: MetaState, platform: Platform, item: dict[str, Any]) -> bytes:
    """Meta's delivery of one event, serialised the way Meta signs it (unicode escaped)."""
    payload = {
        "object": "page" if platform == "messenger" else "instagram",
        "entry": [{"id": state.account_id(platform), "time": _millis(_now()), "messaging": [item]}],
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()


def deliver(state: MetaState, kind: str, mid: str | None, body: bytes, url: str) -> Delivery:
    """POSTs the signed body to the webhook URL; a failure is recorded, not raised."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "facebookexternalua",
        "X-Hub-Signature": _sign_sha1(state.app_secret, body),
        "X-Hub-Signature-256": sign(state.app_secret, body),
    }
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS) as client:
            response = client.post(url, content=body, headers=headers)
        delivery = Delivery(kind, mid, url, response.status_code)
        if response.status_code >= 300:
            delivery.error = response.text[:300]
    except httpx.HTTPError as error:
        delivery = Delivery(kind, mid, url, None, f"{type(error).__name__}: {error}")
    with state.lock:
        state.deliveries.append(delivery)
    return delivery


def _signed(
    state: MetaState, kind: str, mid: str | None, body: bytes, url: str | None, send: bool
) -> dict[str, Any]:
    """What the control routes answer: the exact body and its signature (a test may POST them
    itself), and the delivery when one was made."""
    delivery = deliver(state, kind, mid, body, url) if send and url else None
    return {
        "body": body.decode(),
        "signature": sign(state.app_secret, body),
        "delivery": None
        if delivery is None
        else {"url": delivery.url, "status": delivery.status, "error": delivery.error},
    }


# --- Graph API ----------------------------------------------------------------------------------


def _authenticate(state: MetaState, request: Request) -> None:
    token = request.query_params.get("access_token")
    if token is None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() in ("bearer", "oauth") else None
    if not token:
        raise GraphError(
            2500, "An active access token must be used to query information about the current user."
        )
    if not hmac.compare_digest(token.encode(), state.access_token.encode()):
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")


def _check_node(state: MetaState, node: str, action: str) -> None:
    if node not in ("me", state.page_id):
        raise GraphError(
            100,
            f"Unsupported {action} request. Object with ID '{node}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            33,
        )


def _take_throttle(state: MetaState) -> None:
    with state.lock:
        if not state.throttles:
            return
        throttle = state.throttles[0]
        throttle.remaining -= 1
        if throttle.remaining <= 0:
            state.throttles.pop(0)
    usage = {
        state.page_id: [
            {
                "type": "messenger",
                "call_count": 100,
                "total_cputime": 12,
                "total_time": 30,
                "estimated_time_to_regain_access": throttle.minutes,
            }
        ]
    }
    raise GraphError(
        throttle.code,
        THROTTLE_MESSAGES.get(throttle.code, f"(#{throttle.code}) Rate limit reached"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage, separators=(",", ":"))},
    )


def _param(message: str) -> GraphError:
    return GraphError(100, f"(#100) {message}")


def _check_window(customer: SandboxCustomer, messaging_type: str, tag: str | None) -> None:
    last = customer.last_message_at
    if last is None:
        raise GraphError(10, OUTSIDE_WINDOW, 2018278)
    elapsed = _now() - last
    window = HUMAN_AGENT_WINDOW if messaging_type == "MESSAGE_TAG" else STANDARD_WINDOW
    if messaging_type == "MESSAGE_TAG" and tag != "HUMAN_AGENT":
        raise _param("Param tag must be HUMAN_AGENT in the sandbox")
    if elapsed >= window:
        raise GraphError(10, OUTSIDE_WINDOW, 2018278)


def _send_message(state: MetaState, body: Any) -> StoredMessage:
    """Validates a Send API body and stores the message; raises GraphError as Meta would."""
    if not isinstance(body, dict):
        raise _param("param recipient must be non-empty.")
    recipient = body.get("recipient")
    recipient_id = recipient.get("id") if isinstance(recipient, dict) else None
    if not recipient_id:
        raise _param("param recipient must be non-empty.")
    message = body.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text:
        raise _param("param message must be non-empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise _param(
            f"Length of param message[text] must be less than or equal to {MAX_TEXT_CHARS}"
        )
    messaging_type = body.get("messaging_type", "RESPONSE")
    if messaging_type not in MESSAGING_TYPES:
        raise _param("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
    tag = body.get("tag")
    if messaging_type == "MESSAGE_TAG" and not tag:
        raise _param("Param tag is required when messaging_type is MESSAGE_TAG")
    with state.lock:
        customer = state.customers.get(str(recipient_id))
        if customer is None:
            raise GraphError(100, "(#100) No matching user found", 2018001)
        _check_window(customer, str(messaging_type), tag if isinstance(tag, str) else None)
        stored = StoredMessage(
            mid=_new_mid(customer.platform),
            platform=customer.platform,
            sender_id=state.account_id(customer.platform),
            recipient_id=customer.user_id,
            text=text,
            timestamp=_now(),
            direction="outbound",
            source="send_api",
            messaging_type=str(messaging_type),
            tag=tag if isinstance(tag, str) else None,
        )
        state.messages.append(stored)
    return stored


def _echo_item(state: MetaState, message: StoredMessage) -> dict[str, Any]:
    return {
        "sender": {"id": message.sender_id},
        "recipient": {"id": message.recipient_id},
        "timestamp": _millis(message.timestamp),
        "message": {
            "mid": message.mid,
            "is_echo": True,
            "app_id": state.app_id,
            "text": message.text,
        },
    }


def _echo(state: MetaState, message: StoredMessage) -> None:
    url = state.webhook_url
    if url and state.send_echoes:
        body = _envelope(state, message.platform, _echo_item(state, message))
        deliver(state, "echo", message.mid, body, url)


def _conversation_id(user_id: str) -> str:
    return f"t_{user_id}"


def _party(state: MetaState, user_id: str) -> dict[str, str]:
    with_name: dict[str, str] = {"id": user_id}
    if user_id == state.page_id:
        with_name["name"] = state.page_name
    elif user_id == state.instagram_id:
        with_name["username"] = state.instagram_username
    elif user_id in state.customers:
        customer = state.customers[user_id]
        key = "name" if customer.platform == "messenger" else "username"
        with_name[key] = customer.name
    return with_name


def _graph_message(state: MetaState, message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.mid,
        "created_time": _graph_time(message.timestamp),
        "from": _party(state, message.sender_id),
        "to": {"data": [_party(state, message.recipient_id)]},
        "message": message.text,
    }


def _graph_routes(state: MetaState) -> APIRouter:
    router = APIRouter()

    @router.post("/{version}/{node}/messages")
    async def send_api(
        version: str, node: str, request: Request, background: BackgroundTasks
    ) -> dict[str, str]:
        with state.lock:
            state.send_requests += 1
        _authenticate(state, request)
        _check_node(state, node, "post")
        _take_throttle(state)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as error:
            raise _param("param recipient must be non-empty.") from error
        stored = _send_message(state, body)
        background.add_task(_echo, state, stored)
        return {"recipient_id": stored.recipient_id, "message_id": stored.mid}

    @router.get("/{version}/{node}/conversations")
    def conversations(
        version: str,
        node: str,
        request: Request,
        platform: Platform = "messenger",
        user_id: str | None = None,
    ) -> dict[str, Any]:
        _authenticate(state, request)
        _check_node(state, node, "get")
        with state.lock:
            found = []
            for customer in state.customers.values():
                if customer.platform != platform or user_id not in (None, customer.user_id):
                    continue
                thread = [
                    m for m in state.messages if customer.user_id in (m.sender_id, m.recipient_id)
                ]
                if thread:
                    found.append((customer.user_id, max(m.timestamp for m in thread)))
        found.sort(key=lambda pair: pair[1], reverse=True)
        return {
            "data": [
                {"id": _conversation_id(uid), "updated_time": _graph_time(when)}
                for uid, when in found
            ]
        }

    @router.get("/{version}/{conversation_id}")
    def conversation(
        version: str, conversation_id: str, request: Request, fields: str = ""
    ) -> dict[str, Any]:
        _authenticate(state, request)
        user_id = conversation_id.removeprefix("t_")
        with state.lock:
            if not conversation_id.startswith("t_") or user_id not in state.customers:
                raise GraphError(
                    100,
                    f"Unsupported get request. Object with ID '{conversation_id}' does not "
                    "exist, cannot be loaded due to missing permissions, or does not support "
                    "this operation.",
                    33,
                )
            answer: dict[str, Any] = {"id": conversation_id}
            if "messages" in fields:
                thread = [m for m in state.messages if user_id in (m.sender_id, m.recipient_id)]
                latest = sorted(thread, key=lambda m: m.timestamp, reverse=True)
                answer["messages"] = {
                    "data": [_graph_message(state, m) for m in latest[:CONVERSATION_MESSAGES]]
                }
            return answer

    return router


# --- the customers' side, for tests and the demo ------------------------------------------------


class CustomerWrites(BaseModel):
    """A customer sends the Page (Messenger) or the Instagram account a message."""

    platform: Platform = "messenger"
    sender_id: str | None = Field(default=None, pattern=r"^[0-9]{5,30}$")  # None: a new person
    name: str = Field(default="Sandbox Customer", max_length=200)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    timestamp: datetime | None = None  # naive means UTC; in the past to open an old window
    mid: str | None = Field(default=None, min_length=1, max_length=400)
    deliver: bool = True
    webhook_url: str | None = None  # this delivery only; default: the configured one


class PageEcho(BaseModel):
    """Someone answered from the Page's own inbox: Meta echoes it to the webhook."""

    platform: Platform = "messenger"
    recipient_id: str = Field(pattern=r"^[0-9]{5,30}$")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    deliver: bool = True
    webhook_url: str | None = None


class Receipt(BaseModel):
    platform: Platform = "messenger"
    sender_id: str = Field(pattern=r"^[0-9]{5,30}$")
    kind: Literal["delivery", "read"] = "read"
    deliver: bool = True
    webhook_url: str | None = None


class Redeliver(BaseModel):
    mid: str
    webhook_url: str | None = None


class WebhookSetting(BaseModel):
    url: str | None = None
    send_echoes: bool = True


class Throttle(BaseModel):
    """The next `count` Send API calls are throttled with this Graph code."""

    code: Literal[4, 17, 32, 613, 80006] = 613
    count: int = Field(default=1, ge=1, le=1000)
    minutes: int = Field(default=1, ge=0, le=1440)  # estimated_time_to_regain_access


def _control_routes(state: MetaState) -> APIRouter:
    router = APIRouter(prefix="/sandbox/meta", tags=["sandbox"])

    @router.post("/messages", status_code=201)
    def customer_writes(body: CustomerWrites) -> dict[str, Any]:
        when = _utc(body.timestamp) if body.timestamp else _now()
        with state.lock:
            sender_id = body.sender_id or _new_user_id(body.platform)
            customer = state.customers.get(sender_id)
            if customer is None:
                customer = SandboxCustomer(sender_id, body.platform, body.name)
                state.customers[sender_id] = customer
            elif customer.platform != body.platform:
                raise GraphError(100, f"(#100) {sender_id} is a {customer.platform} user")
            if customer.last_message_at is None or when > customer.last_message_at:
                customer.last_message_at = when
            mid = body.mid or _new_mid(body.platform)
            account = state.account_id(body.platform)
            state.messages.append(
                StoredMessage(
                    mid, body.platform, sender_id, account, body.text, when, "inbound", "customer"
                )
            )
            item = {
                "sender": {"id": sender_id},
                "recipient": {"id": account},
                "timestamp": _millis(when),
                "message": {"mid": mid, "text": body.text},
            }
            payload = _envelope(state, body.platform, item)
            state.bodies[mid] = payload
            url = body.webhook_url or state.webhook_url
        return {
            "mid": mid,
            "sender_id": sender_id,
            "recipient_id": account,
            "platform": body.platform,
            **_signed(state, "message", mid, payload, url, body.deliver),
        }

    @router.post("/echoes", status_code=201)
    def page_echo(body: PageEcho) -> dict[str, Any]:
        with state.lock:
            message = StoredMessage(
                _new_mid(body.platform),
                body.platform,
                state.account_id(body.platform),
                body.recipient_id,
                body.text,
                _now(),
                "outbound",
                "page_inbox",
            )
            state.messages.append(message)
            payload = _envelope(state, body.platform, _echo_item(state, message))
            url = body.webhook_url or state.webhook_url
        return {
            "mid": message.mid,
            **_signed(state, "echo", message.mid, payload, url, body.deliver),
        }

    @router.post("/receipts", status_code=201)
    def receipt(body: Receipt) -> dict[str, Any]:
        now = _now()
        with state.lock:
            account = state.account_id(body.platform)
            ours = [
                m.mid
                for m in state.messages
                if m.recipient_id == body.sender_id and m.direction == "outbound"
            ]
            item: dict[str, Any] = {
                "sender": {"id": body.sender_id},
                "recipient": {"id": account},
                "timestamp": _millis(now),
            }
            if body.kind == "delivery":
                item["delivery"] = {"mids": ours[-1:], "watermark": _millis(now)}
            elif body.platform == "instagram":
                item["read"] = {"mid": ours[-1] if ours else ""}
            else:
                item["read"] = {"watermark": _millis(now)}
            payload = _envelope(state, body.platform, item)
            url = body.webhook_url or state.webhook_url
        return _signed(state, body.kind, None, payload, url, body.deliver)

    @router.post("/redeliver")
    def redeliver(body: Redeliver) -> dict[str, Any]:
        """Meta delivers again what it delivered before (the same bytes): receivers dedupe."""
        with state.lock:
            payload = state.bodies.get(body.mid)
            url = body.webhook_url or state.webhook_url
        if payload is None:
            raise GraphError(100, f"(#100) No delivered message {body.mid}", status=404)
        return _signed(state, "message", body.mid, payload, url, True)

    @router.get("/sent")
    def sent(recipient_id: str | None = Query(default=None)) -> dict[str, Any]:
        return {"data": [m.as_record() for m in state.sent(recipient_id)]}

    @router.get("/threads/{user_id}")
    def thread(user_id: str) -> dict[str, Any]:
        return {"data": [m.as_record() for m in state.thread(user_id)]}

    @router.get("/state")
    def snapshot() -> dict[str, Any]:
        return state.snapshot()

    @router.post("/webhook")
    def webhook(body: WebhookSetting) -> dict[str, Any]:
        with state.lock:
            state.webhook_url = body.url or None
            state.send_echoes = body.send_echoes
            return {"url": state.webhook_url, "send_echoes": state.send_echoes}

    @router.post("/throttle", status_code=201)
    def throttle(body: Throttle) -> dict[str, int]:
        with state.lock:
            state.throttles.append(_Throttle(body.code, body.count, body.minutes))
        return {"code": body.code, "count": body.count}

    @router.delete("/throttle", status_code=204)
    def clear_throttle() -> Response:
        with state.lock:
            state.throttles.clear()
        return Response(status_code=204)

    return router


def create_meta_emulator(state: MetaState | None = None) -> FastAPI:
    state = state or MetaState()
    faults = FaultInjector()
    app = FastAPI(title="Meta Graph API sandbox", docs_url="/sandbox/docs", openapi_url=None)
    app.state.meta = state
    app.state.faults = faults
    install_faults(app, faults, _fault_body)

    @app.exception_handler(GraphError)
    async def _graph_error(_request: Request, error: GraphError) -> JSONResponse:
        error_type = "OAuthException"
        if error.code == 100 and error.subcode == 33:
            error_type = "GraphMethodException"
        return JSONResponse(
            graph_error(error.code, error.message, error.subcode, error_type),
            status_code=error.status,
            headers=error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if request.url.path.startswith("/sandbox/"):
            return await request_validation_exception_handler(request, error)
        return JSONResponse(graph_error(100, "(#100) Invalid parameter"), status_code=400)

    # The customers' side first: `/{version}/{conversation-id}` would take `/sandbox/…` paths.
    app.include_router(_control_routes(state))
    app.include_router(_graph_routes(state))
    return app
