"""A Stripe emulator: Checkout Sessions for deposits, refunds, payouts, and signed webhook events.

It speaks Stripe's v1 wire format closely enough for the real `stripe` SDK: Bearer secret keys,
form-encoded requests with bracketed nested keys (`metadata[booking_id]=12`), JSON objects with
`object` tags, the `{"error": {...}}` error shape, and `Idempotency-Key` replay. Events are
POSTed to one webhook URL with the `Stripe-Signature` header computed the way Stripe does
(HMAC-SHA256 of "<t>.<raw body>"), here with hmac/hashlib, never the SDK.

Only Stripe's side exists here. A person (or a test) plays the customer through `/sandbox/...`:
the checkout page and its Pay button, a delayed bank payment that settles later, payouts
arriving at the bank, redelivery of an event (Stripe retries for days, so receivers must
dedupe on the event id).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import string
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

import httpx
from fastapi import APIRouter, BackgroundTasks, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from sandbox.framework import FaultInjector, install_faults

# The only credentials the emulator accepts (integrations keeps its own copy; sandbox imports
# nothing of ours).
SANDBOX_API_KEY = "sk_test_sandbox_teppan"
SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_teppan"
# The version the installed SDK pins; events carry the endpoint's version like Stripe's do.
API_VERSION = "2026-10-28.endive"
SESSION_TTL_SECONDS = 24 * 3600
MIN_SESSION_TTL_SECONDS = 30 * 60
MINIMUM_CHARGE_CENTS = 50  # Stripe's floor for USD charges
DELIVERY_TIMEOUT_SECONDS = 5.0
MAX_IDEMPOTENCY_KEY_LENGTH = 255
DOC_URL = "https://stripe.com/docs/error-codes/"
SESSION_PARAMS = frozenset(
    {
        "mode",
        "line_items",
        "client_reference_id",
        "customer",
        "customer_email",
        "customer_creation",
        "metadata",
        "success_url",
        "cancel_url",
        "payment_intent_data",
        "payment_method_types",
        "expires_at",
        "locale",
        "submit_type",
        "ui_mode",
        "currency",
        "allow_promotion_codes",
        "billing_address_collection",
        "phone_number_collection",
        "expand",
    }
)
PayoutStatus = Literal["paid", "pending", "in_transit", "failed", "canceled"]
_ALNUM = string.ascii_letters + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits


def _now() -> int:
    return int(time.time())


def _token(length: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_id(prefix: str) -> str:
    return f"{prefix}_{_token(24)}"


class StripeApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param


def error_body(
    message: str,
    *,
    error_type: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> dict[str, object]:
    error: dict[str, object] = {"type": error_type, "message": message}
    if code is not None:
        error["code"] = code
        error["doc_url"] = f"{DOC_URL}{code.replace('_', '-')}"
    if param is not None:
        error["param"] = param
    return {"error": error}


def fault_error_body(status: int, message: str) -> dict[str, object]:
    """Stripe's shape for the faults sandbox.framework injects."""
    if status == 429:
        return error_body(
            f"{message}. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
            code="rate_limit",
        )
    return error_body(message, error_type="api_error")


def _missing(kind: str, object_id: str, param: str) -> StripeApiError:
    return StripeApiError(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def sign_payload(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header for a raw body: `t=<unix>,v1=<hex HMAC-SHA256>`."""
    signed_at = _now() if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{signed_at}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={signed_at},v1={digest}"


def parse_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracketed form keys as nested values: `a[b][0][c]=1` → {"a": {"b": [{"c": "1"}]}}.

    Values stay strings, as they are on the wire; a dict whose keys are all indices becomes a
    list, except under `metadata`, where the keys are the caller's own.
    """
    root: dict[str, Any] = {}
    for raw_key, value in pairs:
        head, _, rest = raw_key.partition("[")
        path = [head] + ([part for part in rest.rstrip("]").split("][")] if rest else [])
        node = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise StripeApiError(400, f"Invalid parameter: {raw_key}", param=raw_key)
            node = child
        node[path[-1]] = value
    return _lists(root, inside_metadata=False)


def _lists(node: dict[str, Any], *, inside_metadata: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            value = _lists(value, inside_metadata=inside_metadata or key == "metadata")
            if (
                value
                and not inside_metadata
                and key != "metadata"
                and all(index.isdigit() for index in value)
            ):
                value = [value[index] for index in sorted(value, key=int)]
        result[key] = value
    return result


@dataclass
class Delivery:
    url: str
    attempted_at: int
    status_code: int | None
    error: str | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "url": self.url,
            "attempted_at": self.attempted_at,
            "status_code": self.status_code,
            "error": self.error,
        }


@dataclass
class StoredEvent:
    id: str
    type: str
    payload: dict[str, Any]
    body: str  # the exact bytes every delivery signs and sends, redeliveries included
    deliveries: list[Delivery] = field(default_factory=list)

    def as_record(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.type,
            "payload": self.payload,
            "deliveries": [delivery.as_record() for delivery in self.deliveries],
        }


@dataclass
class StoredResponse:
    fingerprint: str
    status: int
    body: dict[str, Any]
    request_id: str


@dataclass(frozen=True)
class RequestContext:
    """Which API request caused an event (events carry it as `request`)."""

    request_id: str | None
    idempotency_key: str | None


@dataclass
class StripeState:
    api_key: str = SANDBOX_API_KEY
    webhook_secret: str = SANDBOX_WEBHOOK_SECRET
    webhook_url: str | None = None
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the session keeps but does not show: its line items and payment_intent_data.
    session_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    payouts: dict[str, dict[str, Any]] = field(default_factory=dict)  # in creation order
    events: dict[str, StoredEvent] = field(default_factory=dict)  # in creation order
    idempotent_responses: dict[str, StoredResponse] = field(default_factory=dict)
    created: Counter[str] = field(default_factory=Counter)  # real creations, replays excluded
    lock: threading.RLock = field(default_factory=threading.RLock)
    # One pooled client for every delivery: a new one per event costs tens of milliseconds.
    http: httpx.Client = field(
        default_factory=lambda: httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS), repr=False
    )
    _initial_webhook_url: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._initial_webhook_url = self.webhook_url

    def reset(self) -> None:
        with self.lock:
            for store in (
                self.sessions,
                self.session_details,
                self.payment_intents,
                self.charges,
                self.refunds,
                self.payouts,
                self.events,
                self.idempotent_responses,
            ):
                store.clear()
            self.created.clear()
            self.webhook_url = self._initial_webhook_url

    def authenticate(self, authorization: str | None) -> None:
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme.lower() == "basic":  # Stripe also takes the key as a Basic-auth user name
            try:
                credential = base64.b64decode(credential).decode().partition(":")[0]
            except ValueError:
                credential = ""
        elif scheme.lower() != "bearer":
            credential = ""
        if not credential:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details.",
            )
        if not hmac.compare_digest(credential, self.api_key):
            raise StripeApiError(
                401, f"Invalid API Key provided: {credential[:8]}****{credential[-4:]}"
            )

    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        context: RequestContext,
        previous_attributes: dict[str, Any] | None = None,
    ) -> StoredEvent:
        data: dict[str, Any] = {"object": json.loads(json.dumps(obj))}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        event_id = new_id("evt")
        with self.lock:
            payload = {
                "id": event_id,
                "object": "event",
                "api_version": API_VERSION,
                "created": _now(),
                "data": data,
                "livemode": False,
                "pending_webhooks": 1 if self.webhook_url else 0,
                "request": {
                    "id": context.request_id,
                    "idempotency_key": context.idempotency_key,
                },
                "type": event_type,
            }
            event = StoredEvent(event_id, event_type, payload, json.dumps(payload, indent=2))
            self.events[event.id] = event
        return event


def deliver(state: StripeState, event: StoredEvent) -> Delivery | None:
    """POSTs the event to the webhook URL, signed now; a failure is recorded, not raised."""
    url = state.webhook_url
    if not url:
        return None
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": sign_payload(event.body, state.webhook_secret),
    }
    attempted_at = _now()
    try:
        response = state.http.post(url, content=event.body.encode(), headers=headers)
        delivery = Delivery(url, attempted_at, response.status_code)
    except httpx.HTTPError as error:
        delivery = Delivery(url, attempted_at, None, f"{type(error).__name__}: {error}")
    with state.lock:
        event.deliveries.append(delivery)
    return delivery


def deliver_all(state: StripeState, events: Iterable[StoredEvent]) -> None:
    for event in events:
        deliver(state, event)


def create_stripe_emulator(state: StripeState | None = None) -> FastAPI:
    state = state or StripeState()
    faults = FaultInjector()
    app = FastAPI(title="Stripe sandbox", docs_url="/sandbox/docs", openapi_url=None)
    app.state.stripe = state
    app.state.faults = faults

    @app.exception_handler(StripeApiError)
    async def _error(_request: Request, error: StripeApiError) -> JSONResponse:
        body = error_body(
            error.message, error_type=error.error_type, code=error.code, param=error.param
        )
        return JSONResponse(body, error.status, headers={"Request-Id": new_id("req")})

    install_faults(app, faults, fault_error_body)
    app.include_router(_api_routes(state))
    app.include_router(_sandbox_routes(state))
    return app


# --- the v1 API --------------------------------------------------------------------------------


async def _form(request: Request) -> dict[str, Any]:
    return parse_form(parse_qsl((await request.body()).decode(), keep_blank_values=True))


def _int(value: object, param: str, *, minimum: int | None = None) -> int:
    try:
        number = int(str(value))
    except ValueError as error:
        raise StripeApiError(
            400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param
        ) from error
    if minimum is not None and number < minimum:
        raise StripeApiError(
            400,
            f"Invalid integer: {value} (must be at least {minimum})",
            code="parameter_invalid_integer",
            param=param,
        )
    return number


def _required(params: dict[str, Any], name: str, prefix: str = "") -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise StripeApiError(
            400,
            f"Missing required param: {prefix}{name}.",
            code="parameter_missing",
            param=f"{prefix}{name}",
        )
    return value


def _metadata(value: object, param: str) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise StripeApiError(400, "Invalid object", code="parameter_invalid", param=param)
    return {key: text for key, text in value.items() if text != ""}


def _idempotent(
    state: StripeState,
    request: Request,
    params: dict[str, Any],
    background: BackgroundTasks,
    create: Callable[[RequestContext, list[StoredEvent]], dict[str, Any]],
) -> JSONResponse:
    """Runs `create` once per Idempotency-Key: a repeat with the same parameters replays the
    first answer, a repeat with others is an idempotency_error. Events go out after the
    response, as Stripe's do."""
    key = request.headers.get("idempotency-key")
    request_id = f"req_{_token(14)}"
    headers = {"Request-Id": request_id}
    if key is not None:
        headers["Idempotency-Key"] = key
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise StripeApiError(
                400,
                f"Idempotency keys must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters long.",
            )
    fingerprint = json.dumps([request.url.path, params], sort_keys=True)
    emitted: list[StoredEvent] = []
    with state.lock:
        stored = state.idempotent_responses.get(key) if key else None
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise StripeApiError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    error_type="idempotency_error",
                )
            headers.update({"Idempotent-Replayed": "true", "Original-Request": stored.request_id})
            return JSONResponse(stored.body, stored.status, headers=headers)
        body = create(RequestContext(request_id, key), emitted)
        if key:
            # A replay shows the object as it was first returned, not as it is now.
            first = json.loads(json.dumps(body))
            state.idempotent_responses[key] = StoredResponse(fingerprint, 200, first, request_id)
    background.add_task(deliver_all, state, emitted)
    return JSONResponse(body, headers=headers)


def _api_routes(state: StripeState) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post("/checkout/sessions")
    async def create_session(request: Request, background: BackgroundTasks) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        params = await _form(request)
        base_url = str(request.base_url).rstrip("/")
        return _idempotent(
            state,
            request,
            params,
            background,
            lambda _context, _emitted: _create_session(state, params, base_url),
        )

    @router.get("/checkout/sessions/{session_id}")
    def retrieve_session(session_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            return _ok(_open_session(state, session_id, "session"))

    @router.post("/checkout/sessions/{session_id}/expire")
    async def expire_session(
        session_id: str, request: Request, background: BackgroundTasks
    ) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        params = await _form(request)

        def expire(context: RequestContext, emitted: list[StoredEvent]) -> dict[str, Any]:
            session = _open_session(state, session_id, "session")
            if session["status"] != "open":
                raise StripeApiError(
                    400,
                    f'Only Checkout Sessions with a status in ["open"] can be expired. This '
                    f'Checkout Session has a status of "{session["status"]}".',
                )
            session.update(status="expired", url=None)
            emitted.append(state.emit("checkout.session.expired", session, context))
            return session

        return _idempotent(state, request, params, background, expire)

    @router.get("/payment_intents/{intent_id}")
    def retrieve_payment_intent(intent_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            intent = state.payment_intents.get(intent_id)
            if intent is None:
                raise _missing("payment_intent", intent_id, "intent")
            return _ok(intent)

    @router.get("/charges/{charge_id}")
    def retrieve_charge(charge_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            charge = state.charges.get(charge_id)
            if charge is None:
                raise _missing("charge", charge_id, "id")
            return _ok(charge)

    @router.post("/refunds")
    async def create_refund(request: Request, background: BackgroundTasks) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        params = await _form(request)
        return _idempotent(
            state,
            request,
            params,
            background,
            lambda context, emitted: _create_refund(state, params, context, emitted),
        )

    @router.get("/refunds/{refund_id}")
    def retrieve_refund(refund_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            refund = state.refunds.get(refund_id)
            if refund is None:
                raise _missing("refund", refund_id, "id")
            return _ok(refund)

    @router.get("/payouts")
    def list_payouts(request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        params = parse_form(request.query_params.multi_items())
        return _ok(_list_payouts(state, params))

    @router.get("/payouts/{payout_id}")
    def retrieve_payout(payout_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            payout = state.payouts.get(payout_id)
            if payout is None:
                raise _missing("payout", payout_id, "payout")
            return _ok(payout)

    @router.get("/events/{event_id}")
    def retrieve_event(event_id: str, request: Request) -> JSONResponse:
        state.authenticate(request.headers.get("authorization"))
        with state.lock:
            event = state.events.get(event_id)
            if event is None:
                raise _missing("event", event_id, "id")
            return _ok(event.payload)

    return router


def _ok(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"Request-Id": f"req_{_token(14)}"})


def _open_session(state: StripeState, session_id: str, param: str) -> dict[str, Any]:
    """The session, expired first if its time has passed (Stripe expires them on its own)."""
    session = state.sessions.get(session_id)
    if session is None:
        raise _missing("checkout.session", session_id, param)
    if session["status"] == "open" and session["expires_at"] <= _now():
        session.update(status="expired", url=None)
    return session


def _line_items(value: object) -> tuple[list[dict[str, Any]], str]:
    if not isinstance(value, list) or not value:
        raise StripeApiError(
            400,
            "You must specify `line_items` in `payment` mode.",
            code="parameter_missing",
            param="line_items",
        )
    items: list[dict[str, Any]] = []
    currencies: set[str] = set()
    for index, item in enumerate(value):
        prefix = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise StripeApiError(400, "Invalid object", code="parameter_invalid", param=prefix)
        if "price" in item:
            raise _missing("price", str(item["price"]), f"{prefix}[price]")
        price_data = _required(item, "price_data", f"{prefix}[")
        if not isinstance(price_data, dict):
            raise StripeApiError(
                400, "Invalid object", code="parameter_invalid", param=f"{prefix}[price_data]"
            )
        currency = str(_required(price_data, "currency", f"{prefix}[price_data][")).lower()
        unit_amount = _int(
            _required(price_data, "unit_amount", f"{prefix}[price_data]["),
            f"{prefix}[price_data][unit_amount]",
            minimum=0,
        )
        product = price_data.get("product_data")
        if not isinstance(product, dict) or not product.get("name"):
            raise StripeApiError(
                400,
                f"Missing required param: {prefix}[price_data][product_data][name].",
                code="parameter_missing",
                param=f"{prefix}[price_data][product_data][name]",
            )
        quantity = _int(_required(item, "quantity", f"{prefix}["), f"{prefix}[quantity]", minimum=1)
        currencies.add(currency)
        items.append(
            {
                "description": str(product["name"]),
                "currency": currency,
                "unit_amount": unit_amount,
                "quantity": quantity,
                "amount_total": unit_amount * quantity,
            }
        )
    if len(currencies) > 1:
        raise StripeApiError(400, "All line items must share one currency.", param="line_items")
    return items, currencies.pop()


def _create_session(state: StripeState, params: dict[str, Any], base_url: str) -> dict[str, Any]:
    unknown = sorted(set(params) - SESSION_PARAMS)
    if unknown:
        raise StripeApiError(
            400,
            f"Received unknown parameter: {unknown[0]}",
            code="parameter_unknown",
            param=unknown[0],
        )
    mode = _required(params, "mode")
    if mode != "payment":
        raise StripeApiError(
            400,
            f"The sandbox only emulates `mode=payment`, not `{mode}`.",
            code="parameter_invalid",
            param="mode",
        )
    items, currency = _line_items(params.get("line_items"))
    amount_total = sum(item["amount_total"] for item in items)
    if amount_total < MINIMUM_CHARGE_CENTS:
        raise StripeApiError(
            400,
            "The Checkout Session's total amount due must add up to at least $0.50 usd",
            code="amount_too_small",
        )
    now = _now()
    expires_at = (
        _int(params["expires_at"], "expires_at") if params.get("expires_at") else None
    ) or now + SESSION_TTL_SECONDS
    if not now + MIN_SESSION_TTL_SECONDS <= expires_at <= now + SESSION_TTL_SECONDS:
        raise StripeApiError(
            400,
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
            code="parameter_invalid",
            param="expires_at",
        )
    intent_data = params.get("payment_intent_data") or {}
    if not isinstance(intent_data, dict):
        raise StripeApiError(
            400, "Invalid object", code="parameter_invalid", param="payment_intent_data"
        )
    session_id = f"cs_test_{_token(58)}"
    session: dict[str, Any] = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id") or None,
        "created": now,
        "currency": currency,
        "customer": None,
        "customer_details": None,
        "customer_email": params.get("customer_email") or None,
        "expires_at": expires_at,
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": _metadata(params.get("metadata"), "metadata"),
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": params.get("payment_method_types") or ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": params.get("submit_type"),
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": f"{base_url}/sandbox/checkout/{session_id}",
    }
    with state.lock:
        state.sessions[session_id] = session
        state.session_details[session_id] = {
            "line_items": items,
            "intent_metadata": _metadata(
                intent_data.get("metadata"), "payment_intent_data[metadata]"
            ),
            "intent_description": intent_data.get("description"),
        }
        state.created["checkout.session"] += 1
    return session


def _create_refund(
    state: StripeState,
    params: dict[str, Any],
    context: RequestContext,
    emitted: list[StoredEvent],
) -> dict[str, Any]:
    with state.lock:
        if params.get("payment_intent"):
            intent_id = str(params["payment_intent"])
            intent = state.payment_intents.get(intent_id)
            if intent is None:
                raise _missing("payment_intent", intent_id, "payment_intent")
            charge = state.charges.get(str(intent.get("latest_charge")))
            if charge is None or intent["status"] != "succeeded":
                raise StripeApiError(
                    400,
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                    "refund.",
                    code="charge_not_refundable",
                    param="payment_intent",
                )
        elif params.get("charge"):
            charge_id = str(params["charge"])
            found = state.charges.get(charge_id)
            if found is None:
                raise _missing("charge", charge_id, "charge")
            charge = found
        else:
            raise StripeApiError(
                400,
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _int(params["amount"], "amount", minimum=1) if params.get("amount") else remaining
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount (${amount / 100:.2f}) is greater than unrefunded amount on "
                f"charge (${remaining / 100:.2f})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": new_id("txn"),
            "charge": charge["id"],
            "created": _now(),
            "currency": charge["currency"],
            "metadata": _metadata(params.get("metadata"), "metadata"),
            "payment_intent": charge["payment_intent"],
            "reason": params.get("reason"),
            "status": "succeeded",
        }
        state.refunds[refund["id"]] = refund
        state.created["refund"] += 1
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        emitted.append(state.emit("refund.created", refund, context))
        emitted.append(state.emit("charge.refunded", charge, context, previous))
        return refund


def _range_filter(params: dict[str, Any], name: str) -> Callable[[int], bool]:
    value = params.get(name)
    if value is None:
        return lambda _: True
    if not isinstance(value, dict):
        exact = _int(value, name)
        return lambda candidate: candidate == exact
    bounds = {op: _int(bound, f"{name}[{op}]") for op, bound in value.items()}
    unknown = set(bounds) - {"gt", "gte", "lt", "lte"}
    if unknown:
        raise StripeApiError(
            400,
            f"Received unknown parameter: {name}[{sorted(unknown)[0]}]",
            code="parameter_unknown",
            param=name,
        )
    return lambda candidate: (
        ("gt" not in bounds or candidate > bounds["gt"])
        and ("gte" not in bounds or candidate >= bounds["gte"])
        and ("lt" not in bounds or candidate < bounds["lt"])
        and ("lte" not in bounds or candidate <= bounds["lte"])
    )


def _list_payouts(state: StripeState, params: dict[str, Any]) -> dict[str, Any]:
    limit = _int(params.get("limit", 10), "limit", minimum=1)
    if limit > 100:
        raise StripeApiError(
            400,
            "This value must be less than or equal to 100.",
            code="parameter_invalid_integer",
            param="limit",
        )
    by_arrival, by_created = _range_filter(params, "arrival_date"), _range_filter(params, "created")
    status = params.get("status")
    with state.lock:
        for cursor_name in ("starting_after", "ending_before"):
            cursor = params.get(cursor_name)
            if cursor and cursor not in state.payouts:
                raise _missing("payout", str(cursor), cursor_name)
        matching = [
            payout
            for payout in reversed(state.payouts.values())  # newest first, as Stripe lists
            if by_arrival(payout["arrival_date"])
            and by_created(payout["created"])
            and (status is None or payout["status"] == status)
        ]
    ids = [payout["id"] for payout in matching]
    if params.get("starting_after"):
        cursor = params["starting_after"]
        start = ids.index(cursor) + 1 if cursor in ids else len(ids)
        page = matching[start : start + limit]
        has_more = start + limit < len(matching)
    elif params.get("ending_before"):
        cursor = params["ending_before"]
        end = ids.index(cursor) if cursor in ids else 0
        page = matching[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        page, has_more = matching[:limit], len(matching) > limit
    return {"object": "list", "data": page, "has_more": has_more, "url": "/v1/payouts"}


# --- the customer's and the bank's side -------------------------------------------------------


class PayRequest(BaseModel):
    """The customer paying on the checkout page; `us_bank_account` settles later (ACH)."""

    payer_name: str | None = Field(default=None, max_length=200)
    payer_email: str | None = Field(default=None, max_length=200)
    payment_method: Literal["card", "us_bank_account"] = "card"


class CreatePayout(BaseModel):
    amount: int = Field(gt=0)
    arrival_date: date
    currency: str = Field(default="usd", pattern=r"^[a-z]{3}$")
    status: PayoutStatus = "paid"
    statement_descriptor: str | None = Field(default=None, max_length=22)
    trace_id: str | None = Field(default=None, max_length=100)


class WebhookEndpoint(BaseModel):
    url: str | None


def _sandbox_routes(state: StripeState) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.get("/checkout/{session_id}", response_class=HTMLResponse)
    def checkout_page(session_id: str) -> HTMLResponse:
        with state.lock:
            session = _open_session(state, session_id, "session")
            items = state.session_details[session_id]["line_items"]
            return HTMLResponse(_checkout_html(session, items))

    @router.post("/checkout/{session_id}/pay", response_model=None)
    async def pay(session_id: str, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        from_page = content_type.startswith("application/x-www-form-urlencoded")
        raw = await request.body()
        try:
            if from_page:
                body = PayRequest.model_validate({k: v for k, v in parse_qsl(raw.decode()) if v})
            else:
                body = PayRequest.model_validate_json(raw) if raw.strip() else PayRequest()
        except ValidationError as error:
            raise StripeApiError(400, f"Invalid payment: {error}") from error
        result, emitted = _pay(state, session_id, body)
        await run_in_threadpool(deliver_all, state, emitted)
        if from_page:
            success_url = str(result["session"]["success_url"] or "")
            target = success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
            if target:
                return RedirectResponse(target, status_code=303)
            return HTMLResponse("<p>Payment received. You can close this page.</p>")
        return JSONResponse({**result, "events": [event.id for event in emitted]})

    @router.post("/checkout/{session_id}/settle")
    async def settle(session_id: str) -> JSONResponse:
        """A delayed (bank) payment clears: the intent succeeds days after the checkout."""
        result, emitted = _settle(state, session_id)
        await run_in_threadpool(deliver_all, state, emitted)
        return JSONResponse({**result, "events": [event.id for event in emitted]})

    @router.post("/payouts", status_code=201)
    async def create_payout(body: CreatePayout) -> JSONResponse:
        payout, emitted = _create_payout(state, body)
        await run_in_threadpool(deliver_all, state, emitted)
        return JSONResponse(payout, status_code=201)

    @router.post("/webhook-endpoint")
    def set_webhook_endpoint(body: WebhookEndpoint) -> dict[str, str | None]:
        with state.lock:
            state.webhook_url = body.url or None
            return {"url": state.webhook_url}

    @router.get("/webhook-endpoint")
    def get_webhook_endpoint() -> dict[str, str | None]:
        return {"url": state.webhook_url}

    @router.get("/events")
    def list_events(
        event_type: Annotated[str | None, Query(alias="type")] = None,
    ) -> list[dict[str, object]]:
        with state.lock:
            return [
                event.as_record()
                for event in state.events.values()
                if event_type is None or event.type == event_type
            ]

    @router.post("/events/{event_id}/redeliver")
    async def redeliver(event_id: str) -> JSONResponse:
        with state.lock:
            event = state.events.get(event_id)
            if event is None:
                raise _missing("event", event_id, "event")
            if not state.webhook_url:
                raise StripeApiError(409, "No webhook endpoint is set.")
        delivery = await run_in_threadpool(deliver, state, event)
        return JSONResponse(delivery.as_record() if delivery else None)

    @router.get("/counts")
    def counts() -> dict[str, int]:
        with state.lock:
            return dict(state.created)

    return router


def _pay(
    state: StripeState, session_id: str, body: PayRequest
) -> tuple[dict[str, Any], list[StoredEvent]]:
    # The customer acted in the browser, not through an API request.
    context = RequestContext(None, None)
    with state.lock:
        session = _open_session(state, session_id, "session")
        if session["status"] != "open":
            raise StripeApiError(
                400, f"This Checkout Session is no longer active ({session['status']})."
            )
        details = state.session_details[session_id]
        email = body.payer_email or session["customer_email"] or "customer@example.com"
        name = body.payer_name or "Sandbox Customer"
        now = _now()
        intent: dict[str, Any] = {
            "id": new_id("pi"),
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": "automatic_async",
            "created": now,
            "currency": session["currency"],
            "customer": None,
            "description": details["intent_description"],
            "latest_charge": None,
            "livemode": False,
            "metadata": dict(details["intent_metadata"]),
            "payment_method": new_id("pm"),
            "payment_method_types": [body.payment_method],
            "receipt_email": email,
            "status": "processing",
        }
        state.payment_intents[intent["id"]] = intent
        state.created["payment_intent"] += 1
        details.update(payer_name=name, payer_email=email, payment_method=body.payment_method)
        session.update(
            status="complete",
            url=None,
            payment_intent=intent["id"],
            customer_details={
                "address": None,
                "email": email,
                "name": name,
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": [],
            },
        )
        emitted: list[StoredEvent] = []
        # A card pays at once; a bank debit completes the checkout unpaid and settles later.
        charge = (
            _succeed(state, session, intent, context, emitted)
            if body.payment_method == "card"
            else None
        )
        emitted.append(state.emit("checkout.session.completed", session, context))
        return {"session": session, "payment_intent": intent, "charge": charge}, emitted


def _settle(state: StripeState, session_id: str) -> tuple[dict[str, Any], list[StoredEvent]]:
    context = RequestContext(None, None)
    with state.lock:
        session = _open_session(state, session_id, "session")
        intent = state.payment_intents.get(str(session["payment_intent"]))
        if session["status"] != "complete" or intent is None or intent["status"] != "processing":
            raise StripeApiError(400, "Only a completed checkout awaiting its payment settles.")
        emitted: list[StoredEvent] = []
        charge = _succeed(state, session, intent, context, emitted)
        emitted.append(state.emit("checkout.session.async_payment_succeeded", session, context))
        return {"session": session, "payment_intent": intent, "charge": charge}, emitted


def _succeed(
    state: StripeState,
    session: dict[str, Any],
    intent: dict[str, Any],
    context: RequestContext,
    emitted: list[StoredEvent],
) -> dict[str, Any]:
    """The money moved: a charge, the intent succeeded, the session paid."""
    details = state.session_details[session["id"]]
    method = details["payment_method"]
    charge: dict[str, Any] = {
        "id": new_id("ch"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"],
        "amount_refunded": 0,
        "balance_transaction": new_id("txn"),
        "billing_details": {
            "address": None,
            "email": details["payer_email"],
            "name": details["payer_name"],
            "phone": None,
        },
        "captured": True,
        "created": _now(),
        "currency": intent["currency"],
        "description": intent["description"],
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "paid": True,
        "payment_intent": intent["id"],
        "payment_method": intent["payment_method"],
        "payment_method_details": (
            {"type": "card", "card": {"brand": "visa", "last4": "4242", "funding": "credit"}}
            if method == "card"
            else {"type": "us_bank_account", "us_bank_account": {"last4": "6789"}}
        ),
        "receipt_email": intent["receipt_email"],
        "refunded": False,
        "status": "succeeded",
    }
    state.charges[charge["id"]] = charge
    state.created["charge"] += 1
    intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"])
    session["payment_status"] = "paid"
    emitted.append(state.emit("payment_intent.succeeded", intent, context))
    return charge


def _create_payout(
    state: StripeState, body: CreatePayout
) -> tuple[dict[str, Any], list[StoredEvent]]:
    arrival = int(datetime(*body.arrival_date.timetuple()[:3], tzinfo=UTC).timestamp())
    payout: dict[str, Any] = {
        "id": new_id("po"),
        "object": "payout",
        "amount": body.amount,
        "arrival_date": arrival,
        "automatic": True,
        "balance_transaction": new_id("txn"),
        "created": _now(),
        "currency": body.currency,
        "description": "STRIPE PAYOUT",
        "destination": new_id("ba"),
        "failure_code": "account_closed" if body.status == "failed" else None,
        "failure_message": None,
        "livemode": False,
        "metadata": {},
        "method": "standard",
        "source_type": "card",
        "statement_descriptor": body.statement_descriptor,
        "status": body.status,
        "trace_id": {
            "status": "supported",
            "value": body.trace_id or f"ST-{_token(10, _UPPER_ALNUM)}",
        },
        "type": "bank_account",
    }
    event_type = {"paid": "payout.paid", "failed": "payout.failed", "canceled": "payout.canceled"}
    with state.lock:
        state.payouts[payout["id"]] = payout
        state.created["payout"] += 1
        event = state.emit(
            event_type.get(body.status, "payout.created"), payout, RequestContext(None, None)
        )
    return payout, [event]


def _checkout_html(session: dict[str, Any], items: list[dict[str, Any]]) -> str:
    def money(cents: int) -> str:
        return f"${cents / 100:,.2f}"

    rows = "".join(
        f"<tr><td>{html.escape(item['description'])} &times; {item['quantity']}</td>"
        f"<td>{money(item['amount_total'])}</td></tr>"
        for item in items
    )
    session_id = html.escape(session["id"])
    cancel = session.get("cancel_url")
    if session["status"] != "open":
        action = f"<p>This checkout is {html.escape(session['status'])}.</p>"
    else:
        action = (
            f'<form method="post" action="/sandbox/checkout/{session_id}/pay">'
            '<label>Name <input name="payer_name" autocomplete="name"></label> '
            '<label>Email <input name="payer_email" type="email" '
            f'value="{html.escape(session.get("customer_email") or "")}"></label> '
            f'<button type="submit">Pay {money(session["amount_total"])}</button></form>'
        )
        if cancel:
            action += f'<p><a href="{html.escape(cancel)}">Cancel</a></p>'
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Sandbox checkout</title>"
        "</head><body><h1>Sandbox checkout</h1>"
        "<p>Test mode: no real card is charged.</p>"
        f"<table>{rows}<tr><th>Total</th><th>{money(session['amount_total'])}</th></tr>"
        f"</table>{action}</body></html>"
    )
