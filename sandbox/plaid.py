"""A Plaid emulator: Link tokens, the sandbox's public-token shortcut, the token exchange,
`/accounts/get` and `/transactions/sync`, in Plaid's wire format for the real `plaid-python` SDK.

The emulator is one bank with one checking account (the business's). Every Item linked to it
sees the account's whole history: its change log of added / modified / removed transactions,
in order. A `/transactions/sync` cursor is a position in that log, so a stored cursor returns
only what changed since. Amounts follow Plaid's sign: positive is money out, negative money in.

Faults: `/sandbox/faults` (from sandbox.framework) for HTTP-level ones, rewritten to Plaid's
error shape; `POST /sandbox/teppan/faults/mutation_during_pagination` for Plaid's own way of
failing a paged sync. Tests and the demo drive the bank through `/sandbox/teppan/...` (our
routes, kept apart from Plaid's real `/sandbox/*` endpoints, which are emulated too).

Not emulated: the Link widget (the demo uses `/sandbox/public_token/create` instead) and the
`Plaid-Verification` JWT on webhooks, which are sent unsigned.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import json
import secrets
import string
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sandbox.framework import FaultInjector, install_faults

# The only keys the emulator accepts (integrations keeps its own copy; sandbox imports nothing
# of ours).
SANDBOX_CLIENT_ID = "sandbox-plaid-client"
SANDBOX_SECRET = "sandbox-plaid-secret"

INSTITUTION_ID = "ins_109508"
INSTITUTION_NAME = "First Platypus Bank"
OPENING_BALANCE_CENTS = 1_250_000
MAX_SYNC_COUNT = 500
DEFAULT_SYNC_COUNT = 100
MAX_CURSOR_LENGTH = 256
LINK_TOKEN_TTL = dt.timedelta(hours=4)

CounterpartyType = Literal[
    "merchant",
    "financial_institution",
    "payment_app",
    "marketplace",
    "payment_terminal",
    "income_source",
]
PaymentChannel = Literal["online", "in store", "other"]
ChangeKind = Literal["added", "modified", "removed"]

# Plaid's rate-limit codes name the endpoint; anything else gets the generic one.
RATE_LIMIT_CODES = {
    "/transactions/sync": "TRANSACTIONS_SYNC_LIMIT",
    "/accounts/get": "ACCOUNTS_LIMIT",
    "/item/get": "ITEM_GET_LIMIT",
}
DOCS = "https://plaid.com/docs/errors/"
DOC_PAGES = {
    "INVALID_REQUEST": "invalid-request",
    "INVALID_INPUT": "invalid-input",
    "ITEM_ERROR": "item",
    "RATE_LIMIT_EXCEEDED": "rate-limit-exceeded",
    "API_ERROR": "api",
    "TRANSACTIONS_ERROR": "transactions",
    "SANDBOX_ERROR": "sandbox",
}


# --- state -------------------------------------------------------------------------------------


def plaid_id(length: int = 37) -> str:
    """Plaid's ids (items, accounts, transactions) are long case-sensitive alphanumerics."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def request_id() -> str:
    return plaid_id(15)


@dataclass(frozen=True)
class SandboxTransaction:
    """One transaction as the bank holds it. `amount_cents` is ours: positive = money in."""

    transaction_id: str
    amount_cents: int
    date: dt.date
    name: str
    original_description: str | None
    merchant_name: str | None
    counterparty_name: str | None
    counterparty_type: CounterpartyType | None
    pending: bool
    pending_transaction_id: str | None
    authorized_date: dt.date | None
    payment_channel: PaymentChannel
    category_primary: str
    category_detailed: str

    @property
    def plaid_amount(self) -> float:
        """Plaid's sign: positive = money out of the account."""
        return float(Decimal(-self.amount_cents) / 100)


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    transaction: SandboxTransaction


@dataclass
class SandboxItem:
    item_id: str
    access_token: str
    institution_id: str
    products: list[str]
    webhook: str | None
    login_required: bool = False


@dataclass
class WebhookDelivery:
    url: str
    payload: dict[str, Any]
    status: int | None
    error: str | None


@dataclass
class MutationFault:
    """Armed: the next `remaining` paged sync calls fail, the first after these transactions
    arrived at the bank."""

    then_add: list[NewTransaction]
    remaining: int = 1


@dataclass
class PlaidState:
    client_id: str = SANDBOX_CLIENT_ID
    secret: str = SANDBOX_SECRET
    # Where SYNC_UPDATES_AVAILABLE goes for Items linked without a webhook of their own, and
    # whether the bank announces every change by itself (the demo) or only when asked (tests).
    webhook_url: str | None = None
    notify_on_change: bool = False
    account_id: str = field(default_factory=plaid_id)
    log: list[Change] = field(default_factory=list)
    items: dict[str, SandboxItem] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)  # access token → item id
    public_tokens: dict[str, str] = field(default_factory=dict)  # unexchanged → item id
    link_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    mutation_fault: MutationFault | None = None
    sync_requests: int = 0
    deliveries: list[WebhookDelivery] = field(default_factory=list)
    faults: FaultInjector = field(default_factory=FaultInjector)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # The bank's side: what tests, the demo and the seed do to the account.

    def current(self) -> dict[str, SandboxTransaction]:
        """The account's transactions now (removed ones gone), by id, oldest change first."""
        with self.lock:
            live: dict[str, SandboxTransaction] = {}
            for change in self.log:
                if change.kind == "removed":
                    live.pop(change.transaction.transaction_id, None)
                else:
                    live[change.transaction.transaction_id] = change.transaction
            return live

    def add(self, new: NewTransaction) -> SandboxTransaction:
        with self.lock:
            transaction_id = new.transaction_id or plaid_id()
            if any(c.transaction.transaction_id == transaction_id for c in self.log):
                raise ValueError(f"transaction {transaction_id} exists already")
            transaction = new.build(transaction_id)
            self.log.append(Change("added", transaction))
            return transaction

    def modify(self, transaction_id: str, changes: TransactionChanges) -> SandboxTransaction:
        with self.lock:
            transaction = self._live(transaction_id)
            updated = changes.apply(transaction)
            self.log.append(Change("modified", updated))
            return updated

    def remove(self, transaction_id: str) -> SandboxTransaction:
        with self.lock:
            transaction = self._live(transaction_id)
            self.log.append(Change("removed", transaction))
            return transaction

    def post(self, transaction_id: str, posting: PostPending) -> SandboxTransaction:
        """A pending transaction posts: Plaid removes the pending one and adds a new posted
        transaction whose `pending_transaction_id` points back."""
        with self.lock:
            pending = self._live(transaction_id)
            if not pending.pending:
                raise ValueError(f"transaction {transaction_id} is not pending")
            posted_id = posting.transaction_id or plaid_id()
            posted = replace(
                pending,
                transaction_id=posted_id,
                pending=False,
                pending_transaction_id=pending.transaction_id,
                date=posting.date or pending.date,
                amount_cents=(
                    pending.amount_cents if posting.amount_cents is None else posting.amount_cents
                ),
                name=posting.name or pending.name,
            )
            self.log.append(Change("removed", pending))
            self.log.append(Change("added", posted))
            return posted

    def _live(self, transaction_id: str) -> SandboxTransaction:
        transaction = self.current().get(transaction_id)
        if transaction is None:
            raise KeyError(transaction_id)
        return transaction

    # Items and tokens.

    def create_item(
        self, institution_id: str, products: list[str], webhook: str | None
    ) -> SandboxItem:
        with self.lock:
            item = SandboxItem(
                item_id=plaid_id(),
                access_token=f"access-sandbox-{uuid.uuid4()}",
                institution_id=institution_id,
                products=products,
                webhook=webhook,
            )
            self.items[item.item_id] = item
            self.access_tokens[item.access_token] = item.item_id
            return item

    def item_for(self, access_token: str | None) -> SandboxItem | None:
        with self.lock:
            item_id = self.access_tokens.get(access_token or "")
            return self.items.get(item_id) if item_id else None

    def balance_cents(self, include_pending: bool) -> int:
        return OPENING_BALANCE_CENTS + sum(
            t.amount_cents for t in self.current().values() if include_pending or not t.pending
        )

    def reset(self) -> None:
        """Back to an empty bank with no Items and no faults; the keys and webhook settings
        stay as configured."""
        with self.lock:
            self.log.clear()
            self.items.clear()
            self.access_tokens.clear()
            self.public_tokens.clear()
            self.link_tokens.clear()
            self.mutation_fault = None
            self.sync_requests = 0
            self.deliveries.clear()
        self.faults.clear()


def seed_demo_transactions(
    state: PlaidState, items: Iterable[NewTransaction]
) -> list[SandboxTransaction]:
    """Puts transactions on the bank's account, as if they had happened before anyone linked."""
    return [state.add(item) for item in items]


# --- the bank's control API (not Plaid's) ------------------------------------------------------


class NewTransaction(BaseModel):
    """A transaction arriving at the bank. `amount_cents` positive = money in (a credit)."""

    amount_cents: int = Field(description="positive = money received; stored as Plaid's sign")
    date: dt.date
    name: str = Field(min_length=1, max_length=500)
    original_description: str | None = Field(default=None, max_length=500)
    merchant_name: str | None = None
    counterparty_name: str | None = None
    counterparty_type: CounterpartyType | None = None
    pending: bool = False
    transaction_id: str | None = Field(default=None, min_length=1, max_length=100)
    authorized_date: dt.date | None = None
    payment_channel: PaymentChannel = "other"
    category_primary: str | None = None
    category_detailed: str | None = None

    def build(self, transaction_id: str) -> SandboxTransaction:
        incoming = self.amount_cents > 0
        primary = self.category_primary or ("TRANSFER_IN" if incoming else "TRANSFER_OUT")
        detailed = self.category_detailed or f"{primary}_ACCOUNT_TRANSFER"
        return SandboxTransaction(
            transaction_id=transaction_id,
            amount_cents=self.amount_cents,
            date=self.date,
            name=self.name,
            original_description=self.original_description,
            merchant_name=self.merchant_name,
            counterparty_name=self.counterparty_name,
            counterparty_type=self.counterparty_type
            or ("payment_app" if self.counterparty_name else None),
            pending=self.pending,
            pending_transaction_id=None,
            authorized_date=self.authorized_date or self.date,
            payment_channel=self.payment_channel,
            category_primary=primary,
            category_detailed=detailed,
        )


class TransactionChanges(BaseModel):
    """What the bank changes about a transaction (the fields given, and only those)."""

    amount_cents: int | None = None
    date: dt.date | None = None
    name: str | None = Field(default=None, min_length=1, max_length=500)
    original_description: str | None = None
    merchant_name: str | None = None
    counterparty_name: str | None = None

    def apply(self, transaction: SandboxTransaction) -> SandboxTransaction:
        values = {name: getattr(self, name) for name in self.model_fields_set}
        for never_null in ("amount_cents", "date", "name"):
            if values.get(never_null) is None:
                values.pop(never_null, None)
        return replace(transaction, **values)


class PostPending(BaseModel):
    transaction_id: str | None = Field(default=None, min_length=1, max_length=100)
    date: dt.date | None = None
    amount_cents: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=500)


class MutationFaultRequest(BaseModel):
    then_add: list[NewTransaction] = Field(default_factory=list)
    count: int = Field(default=1, ge=1, le=100)


class WebhookRequest(BaseModel):
    url: str | None = None  # default: each Item's webhook, else the state's webhook_url


class SettingsRequest(BaseModel):
    webhook_url: str | None = None
    notify_on_change: bool | None = None


def _control_routes(state: PlaidState) -> APIRouter:
    router = APIRouter(prefix="/sandbox/teppan", tags=["sandbox"])
    pending: set[asyncio.Task[list[WebhookDelivery]]] = set()

    def announce() -> None:
        if state.notify_on_change:
            task = asyncio.create_task(notify_items(state))
            pending.add(task)
            task.add_done_callback(pending.discard)

    def missing(transaction_id: str) -> HTTPException:
        return HTTPException(404, f"no live transaction {transaction_id}")

    @router.post("/transactions", status_code=201)
    async def add(body: NewTransaction) -> dict[str, Any]:
        try:
            transaction = state.add(body)
        except ValueError as error:
            raise HTTPException(409, str(error)) from error
        announce()
        return _plaid_transaction(transaction, state.account_id, include_original=True)

    @router.patch("/transactions/{transaction_id}")
    async def modify(transaction_id: str, body: TransactionChanges) -> dict[str, Any]:
        try:
            transaction = state.modify(transaction_id, body)
        except KeyError as error:
            raise missing(transaction_id) from error
        announce()
        return _plaid_transaction(transaction, state.account_id, include_original=True)

    @router.delete("/transactions/{transaction_id}", status_code=204)
    async def remove(transaction_id: str) -> Response:
        try:
            state.remove(transaction_id)
        except KeyError as error:
            raise missing(transaction_id) from error
        announce()
        return Response(status_code=204)

    @router.post("/transactions/{transaction_id}/post", status_code=201)
    async def post(transaction_id: str, body: PostPending) -> dict[str, Any]:
        try:
            posted = state.post(transaction_id, body)
        except KeyError as error:
            raise missing(transaction_id) from error
        except ValueError as error:
            raise HTTPException(409, str(error)) from error
        announce()
        return _plaid_transaction(posted, state.account_id, include_original=True)

    @router.get("/state")
    def snapshot() -> dict[str, Any]:
        with state.lock:
            return {
                "account_id": state.account_id,
                "items": [
                    {
                        "item_id": item.item_id,
                        "institution_id": item.institution_id,
                        "webhook": item.webhook,
                        "login_required": item.login_required,
                    }
                    for item in state.items.values()
                ],
                "transactions": [
                    _plaid_transaction(t, state.account_id, include_original=True)
                    for t in state.current().values()
                ],
                "changes": len(state.log),
                "sync_requests": state.sync_requests,
                "webhook_url": state.webhook_url,
                "notify_on_change": state.notify_on_change,
                "deliveries": [
                    {"url": d.url, "payload": d.payload, "status": d.status, "error": d.error}
                    for d in state.deliveries
                ],
            }

    @router.post("/settings")
    def settings(body: SettingsRequest) -> dict[str, Any]:
        with state.lock:
            if "webhook_url" in body.model_fields_set:
                state.webhook_url = body.webhook_url
            if body.notify_on_change is not None:
                state.notify_on_change = body.notify_on_change
            return {"webhook_url": state.webhook_url, "notify_on_change": state.notify_on_change}

    @router.post("/faults/mutation_during_pagination", status_code=201)
    def arm_mutation(body: MutationFaultRequest) -> dict[str, str]:
        with state.lock:
            state.mutation_fault = MutationFault(list(body.then_add), body.count)
        return {"armed": "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"}

    @router.post("/webhook")
    async def fire(body: WebhookRequest) -> dict[str, Any]:
        """Sends SYNC_UPDATES_AVAILABLE now and answers with what each receiver said."""
        deliveries = await notify_items(state, body.url)
        return {
            "deliveries": [{"url": d.url, "status": d.status, "error": d.error} for d in deliveries]
        }

    @router.post("/reset", status_code=204)
    def reset() -> Response:
        state.reset()
        return Response(status_code=204)

    return router


# --- webhooks ----------------------------------------------------------------------------------


def sync_updates_payload(item_id: str) -> dict[str, Any]:
    return {
        "webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": item_id,
        "initial_update_complete": True,
        "historical_update_complete": True,
        "environment": "sandbox",
    }


async def notify_items(state: PlaidState, url: str | None = None) -> list[WebhookDelivery]:
    """SYNC_UPDATES_AVAILABLE for every Item, to `url` or where the Item asked for it."""
    with state.lock:
        targets = [
            (target, item.item_id)
            for item in state.items.values()
            if (target := url or item.webhook or state.webhook_url)
        ]
    return [await deliver_webhook(state, target, sync_updates_payload(i)) for target, i in targets]


async def deliver_webhook(state: PlaidState, url: str, payload: dict[str, Any]) -> WebhookDelivery:
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.post(url, json=payload)
        delivery = WebhookDelivery(url, payload, response.status_code, None)
    except httpx.HTTPError as failure:
        delivery = WebhookDelivery(url, payload, None, repr(failure))
    with state.lock:
        state.deliveries.append(delivery)
    return delivery


# --- Plaid's wire format -----------------------------------------------------------------------


class PlaidError(Exception):
    def __init__(
        self,
        status: int,
        error_type: str,
        error_code: str,
        message: str,
        display_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.error_code = error_code
        self.message = message
        self.display_message = display_message


def plaid_error_body(
    status: int,
    error_type: str,
    error_code: str,
    message: str,
    display_message: str | None = None,
) -> dict[str, Any]:
    """Plaid's error object; the SDK's PlaidError model needs the first four keys."""
    page = DOC_PAGES.get(error_type, "")
    return {
        "error_type": error_type,
        "error_code": error_code,
        "error_code_reason": None,
        "error_message": message,
        "display_message": display_message,
        "request_id": request_id(),
        "causes": [],
        "status": status,
        "documentation_url": f"{DOCS}{page}/#{error_code.lower()}" if page else DOCS,
        "suggested_action": None,
    }


def _fault_body(status: int, _message: str) -> dict[str, object]:
    if status == 429:
        return _rate_limit_body("RATE_LIMIT")
    return plaid_error_body(
        status, "API_ERROR", "INTERNAL_SERVER_ERROR", "an unexpected error occurred"
    )


def _rate_limit_body(code: str) -> dict[str, Any]:
    return plaid_error_body(
        429,
        "RATE_LIMIT_EXCEEDED",
        code,
        "rate limit exceeded for attempts to access this item. please try again later",
    )


def invalid_request(code: str, message: str) -> PlaidError:
    return PlaidError(400, "INVALID_REQUEST", code, message)


def missing_fields(names: list[str]) -> PlaidError:
    return invalid_request(
        "MISSING_FIELDS", f"the following required fields are missing: {', '.join(names)}"
    )


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


NULL_LOCATION = dict.fromkeys(
    ("address", "city", "region", "postal_code", "country", "lat", "lon", "store_number")
)
NULL_PAYMENT_META = dict.fromkeys(
    (
        "reference_number",
        "ppd_id",
        "payee",
        "by_order_of",
        "payer",
        "payment_method",
        "payment_processor",
        "reason",
    )
)


def _plaid_transaction(
    transaction: SandboxTransaction, account_id: str, include_original: bool
) -> dict[str, Any]:
    """Every key the SDK's Transaction model requires is here (nulls where Plaid has none);
    `location` and `payment_meta` carry all eight of their keys, or the SDK refuses them."""
    counterparties = (
        [
            {
                "name": transaction.counterparty_name,
                "type": transaction.counterparty_type or "merchant",
                "website": None,
                "logo_url": None,
                "entity_id": None,
                "confidence_level": "VERY_HIGH",
            }
        ]
        if transaction.counterparty_name
        else []
    )
    return {
        "account_id": account_id,
        "account_owner": None,
        "amount": transaction.plaid_amount,
        "iso_currency_code": "USD",
        "unofficial_currency_code": None,
        "category": None,
        "category_id": None,
        "check_number": None,
        "counterparties": counterparties,
        "date": transaction.date.isoformat(),
        "datetime": None,
        "authorized_date": (
            transaction.authorized_date.isoformat() if transaction.authorized_date else None
        ),
        "authorized_datetime": None,
        "location": dict(NULL_LOCATION),
        "logo_url": None,
        "merchant_entity_id": None,
        "merchant_name": transaction.merchant_name,
        "name": transaction.name,
        "original_description": transaction.original_description if include_original else None,
        "payment_channel": transaction.payment_channel,
        "payment_meta": dict(NULL_PAYMENT_META),
        "pending": transaction.pending,
        "pending_transaction_id": transaction.pending_transaction_id,
        "personal_finance_category": {
            "primary": transaction.category_primary,
            "detailed": transaction.category_detailed,
            "confidence_level": "VERY_HIGH",
        },
        "personal_finance_category_icon_url": (
            f"https://plaid-category-icons.plaid.com/PFC_{transaction.category_primary}.png"
        ),
        "transaction_code": None,
        "transaction_id": transaction.transaction_id,
        "transaction_type": "special",
        "website": None,
    }


def _account(state: PlaidState) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "balances": {
            "available": state.balance_cents(include_pending=True) / 100,
            "current": state.balance_cents(include_pending=False) / 100,
            "limit": None,
            "iso_currency_code": "USD",
            "unofficial_currency_code": None,
        },
        "mask": "0000",
        "name": "Plaid Checking",
        "official_name": "Plaid Gold Standard 0% Interest Checking",
        "type": "depository",
        "subtype": "checking",
        "persistent_account_id": f"persistent-{state.account_id[:20]}",
    }


def _item(item: SandboxItem) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "webhook": item.webhook,
        "error": None,  # an Item in error answers with the error instead (see usable_item_of)
        "available_products": ["balance", "identity", "investments"],
        "billed_products": item.products,
        "products": item.products,
        "consented_products": item.products,
        "consent_expiration_time": None,
        "update_type": "background",
        "institution_id": item.institution_id,
        "institution_name": INSTITUTION_NAME if item.institution_id == INSTITUTION_ID else None,
    }


def _login_required() -> PlaidError:
    return PlaidError(
        400,
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user "
        "action) and a user login is required to update this information. use Link's update "
        "mode to restore the item to a good state",
        "To continue, please log in to your bank again.",
    )


# Cursors: an Item and a position in the log; a cursor handed out mid-pagination (has_more)
# also holds the log's length then, so a later page can tell the data moved under it.


def encode_cursor(item_id: str, position: int, snapshot: int | None) -> str:
    raw = f"{item_id}:{position}:{'' if snapshot is None else snapshot}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, item_id: str) -> tuple[int, int | None]:
    bad = invalid_request("INVALID_FIELD", "cursor is not valid for this item")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, position_text, snapshot_text = raw.split(":")
        position = int(position_text)
        snapshot = int(snapshot_text) if snapshot_text else None
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise bad from error
    if owner != item_id or position < 0:
        raise bad
    return position, snapshot


def _plaid_api(state: PlaidState) -> APIRouter:
    router = APIRouter()

    async def read(request: Request) -> dict[str, Any]:
        """The JSON body, after Plaid's key check (headers as the SDK sends them, or the
        body's client_id / secret as the raw API allows)."""
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError as error:
            raise invalid_request("INVALID_BODY", "body could not be parsed as JSON") from error
        if not isinstance(body, dict):
            raise invalid_request("INVALID_BODY", "body must be a JSON object")
        client_id = request.headers.get("plaid-client-id") or body.get("client_id")
        secret = request.headers.get("plaid-secret") or body.get("secret")
        absent = [
            name for name, value in (("client_id", client_id), ("secret", secret)) if not value
        ]
        if absent:
            raise missing_fields(absent)
        if client_id != state.client_id or secret != state.secret:
            raise PlaidError(
                400, "INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided"
            )
        return body

    def required(body: dict[str, Any], *names: str) -> None:
        absent = [name for name in names if body.get(name) in (None, "", [])]
        if absent:
            raise missing_fields(absent)

    def item_of(body: dict[str, Any]) -> SandboxItem:
        required(body, "access_token")
        token = body["access_token"]
        item = state.item_for(token if isinstance(token, str) else None)
        if item is None:
            raise PlaidError(
                400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", "could not find matching access token"
            )
        return item

    def usable_item_of(body: dict[str, Any]) -> SandboxItem:
        item = item_of(body)
        if item.login_required:
            raise _login_required()
        return item

    @router.post("/link/token/create")
    async def link_token_create(request: Request) -> dict[str, Any]:
        body = await read(request)
        required(body, "client_name", "language", "country_codes")
        user = _object(body, "user")
        if not (user.get("client_user_id") or body.get("user_token") or body.get("user_id")):
            raise missing_fields(["user.client_user_id"])
        token = f"link-sandbox-{uuid.uuid4()}"
        expiration = dt.datetime.now(dt.UTC) + LINK_TOKEN_TTL
        with state.lock:
            state.link_tokens[token] = {
                "client_user_id": user.get("client_user_id"),
                "products": body.get("products") or [],
                "webhook": body.get("webhook"),
            }
        return {"link_token": token, "expiration": _iso(expiration), "request_id": request_id()}

    @router.post("/sandbox/public_token/create")
    async def sandbox_public_token_create(request: Request) -> dict[str, Any]:
        body = await read(request)
        required(body, "institution_id", "initial_products")
        products = body["initial_products"]
        if not isinstance(products, list) or not all(isinstance(p, str) for p in products):
            raise invalid_request("INVALID_FIELD", "initial_products must be a list of products")
        options = _object(body, "options")
        item = state.create_item(str(body["institution_id"]), products, options.get("webhook"))
        public_token = f"public-sandbox-{uuid.uuid4()}"
        with state.lock:
            state.public_tokens[public_token] = item.item_id
        return {"public_token": public_token, "request_id": request_id()}

    @router.post("/item/public_token/exchange")
    async def public_token_exchange(request: Request) -> dict[str, Any]:
        body = await read(request)
        required(body, "public_token")
        with state.lock:
            item_id = state.public_tokens.pop(str(body["public_token"]), None)
            item = state.items.get(item_id) if item_id else None
        if item is None:
            raise PlaidError(
                400,
                "INVALID_INPUT",
                "INVALID_PUBLIC_TOKEN",
                "provided public token is expired or has already been exchanged. public "
                "tokens can be exchanged once, within 30 minutes of creation",
            )
        return {
            "access_token": item.access_token,
            "item_id": item.item_id,
            "request_id": request_id(),
        }

    @router.post("/accounts/get")
    async def accounts_get(request: Request) -> dict[str, Any]:
        item = usable_item_of(await read(request))
        return {"accounts": [_account(state)], "item": _item(item), "request_id": request_id()}

    @router.post("/transactions/sync")
    async def transactions_sync(request: Request) -> dict[str, Any]:
        body = await read(request)
        with state.lock:
            state.sync_requests += 1
        item = usable_item_of(body)
        count = body.get("count", DEFAULT_SYNC_COUNT)
        if not isinstance(count, int) or not 1 <= count <= MAX_SYNC_COUNT:
            raise invalid_request("INVALID_FIELD", f"count must be between 1 and {MAX_SYNC_COUNT}")
        options = _object(body, "options")
        include_original = bool(options.get("include_original_description"))
        cursor = body.get("cursor") or ""
        if not isinstance(cursor, str):
            raise invalid_request("INVALID_FIELD", "cursor must be a string")
        with state.lock:
            position, snapshot = decode_cursor(cursor, item.item_id) if cursor else (0, None)
            if position > len(state.log):
                raise invalid_request("INVALID_FIELD", "cursor is not valid for this item")
            if snapshot is not None:
                _check_no_mutation(state, snapshot)
            end = min(len(state.log), position + count)
            page = state.log[position:end]
            has_more = end < len(state.log)
            next_cursor = encode_cursor(item.item_id, end, len(state.log) if has_more else None)
            account = _account(state)
        changes: dict[str, list[dict[str, Any]]] = {
            "added": [],
            "modified": [],
            "removed": [],
        }
        for change in page:
            transaction = change.transaction
            changes[change.kind].append(
                {"transaction_id": transaction.transaction_id, "account_id": state.account_id}
                if change.kind == "removed"
                else _plaid_transaction(transaction, state.account_id, include_original)
            )
        return {
            "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
            "accounts": [account],
            **changes,
            "next_cursor": next_cursor,
            "has_more": has_more,
            "request_id": request_id(),
        }

    @router.post("/sandbox/item/reset_login")
    async def reset_login(request: Request) -> dict[str, Any]:
        item = item_of(await read(request))
        with state.lock:
            item.login_required = True
        return {"reset_login": True, "request_id": request_id()}

    @router.post("/sandbox/item/fire_webhook")
    async def fire_webhook(request: Request) -> dict[str, Any]:
        body = await read(request)
        item = item_of(body)
        required(body, "webhook_code")
        if body["webhook_code"] != "SYNC_UPDATES_AVAILABLE":
            raise invalid_request(
                "INVALID_FIELD", "the sandbox emulator only fires SYNC_UPDATES_AVAILABLE"
            )
        target = item.webhook or state.webhook_url
        if not target:
            raise PlaidError(
                400,
                "SANDBOX_ERROR",
                "SANDBOX_WEBHOOK_INVALID",
                "webhook for this item is either empty or has not been set",
            )
        await deliver_webhook(state, target, sync_updates_payload(item.item_id))
        return {"webhook_fired": True, "request_id": request_id()}

    return router


def _check_no_mutation(state: PlaidState, snapshot: int) -> None:
    fault = state.mutation_fault
    if fault is not None:
        for new in fault.then_add:
            state.add(new)
        fault.then_add = []
        fault.remaining -= 1
        if fault.remaining <= 0:
            state.mutation_fault = None
    if fault is not None or len(state.log) != snapshot:
        raise PlaidError(
            400,
            "TRANSACTIONS_ERROR",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            "Underlying transaction data changed since last page was fetched. Please restart "
            "pagination from last update.",
        )


def create_plaid_emulator(state: PlaidState | None = None) -> FastAPI:
    state = state or PlaidState()
    app = FastAPI(title="Plaid sandbox emulator")
    app.state.plaid = state

    @app.exception_handler(PlaidError)
    async def plaid_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, PlaidError)
        body = plaid_error_body(
            error.status, error.error_type, error.error_code, error.message, error.display_message
        )
        return JSONResponse(body, status_code=error.status)

    install_faults(app, state.faults, _fault_body)

    @app.middleware("http")
    async def plaid_rate_limits(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """The framework's 429 carries Retry-After and one code; Plaid sends no Retry-After
        and names the limit after the endpoint, so its answer is rewritten here."""
        response = await call_next(request)
        if response.status_code != 429:
            return response
        code = RATE_LIMIT_CODES.get(request.url.path, "RATE_LIMIT")
        return JSONResponse(_rate_limit_body(code), status_code=429)

    app.include_router(_plaid_api(state))
    app.include_router(_control_routes(state))
    return app
