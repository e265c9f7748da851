"""The bank feed through Plaid, with the official `plaid-python` SDK: Link tokens, the token
exchange and `/transactions/sync`.

A sync pages until `has_more` is false and only then hands back the cursor. When Plaid says
the data changed under the pages (TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION) the whole loop
starts again from the cursor it began with, as Plaid asks, so no change is returned twice.

Plaid's amounts are float dollars, positive for money out; ours are integer cents, positive
for money in. The SDK never retries and neither do we: the activity's retry policy does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import plaid
import urllib3
from plaid.api import plaid_api
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.transactions_sync_request import TransactionsSyncRequest
from plaid.model.transactions_sync_request_options import TransactionsSyncRequestOptions

from integrations.bank_feed.base import (
    BankAccount,
    BankLine,
    BankLink,
    BankRelinkRequiredError,
    SyncBatch,
)
from integrations.errors import ProviderError, ProviderRejectedError, ProviderTransientError

PROVIDER = "plaid"
SANDBOX_INSTITUTION_ID = "ins_109508"  # First Platypus Bank, Plaid's sandbox bank
MAX_PAGE_SIZE = 500  # Plaid's ceiling for `count`
MAX_RESTARTS = 3
MUTATION_DURING_PAGINATION = "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"
# Failures on Plaid's or the bank's side, answered with a 400 all the same.
TRANSIENT_ERROR_TYPES = frozenset({"API_ERROR", "INSTITUTION_ERROR", "RATE_LIMIT_EXCEEDED"})
TRANSIENT_ERROR_CODES = frozenset({"PRODUCT_NOT_READY", MUTATION_DURING_PAGINATION})
# The Item needs its owner back in Link (update mode) before anything will work again.
RELINK_ERROR_CODES = frozenset(
    {"ITEM_LOGIN_REQUIRED", "ITEM_LOCKED", "ACCESS_NOT_GRANTED", "USER_PERMISSION_REVOKED"}
)
CENT = Decimal("0.01")

T = TypeVar("T")


class _MutationDuringPagination(ProviderTransientError):
    """Caught by the sync loop, which starts over; transient if restarts run out."""


class PlaidBankFeed:
    def __init__(
        self,
        client_id: str,
        secret: str,
        base_url: str,
        timeout: float,
        *,
        page_size: int = MAX_PAGE_SIZE,
        client_name: str = "Teppan",
        webhook_url: str | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        configuration = plaid.Configuration(
            host=base_url.rstrip("/"), api_key={"clientId": client_id, "secret": secret}
        )
        # urllib3 would retry a refused connection three times on its own.
        configuration.retries = False
        self._api_client = plaid.ApiClient(configuration)
        self._api = plaid_api.PlaidApi(self._api_client)
        self._timeout = timeout
        self._page_size = page_size
        self._client_name = client_name
        self._webhook_url = webhook_url

    def close(self) -> None:
        self._api_client.close()

    def create_link_token(self, client_user_id: str) -> str:
        fields: dict[str, Any] = {}
        if self._webhook_url:
            fields["webhook"] = self._webhook_url
        request = LinkTokenCreateRequest(
            client_name=self._client_name,
            language="en",
            country_codes=[CountryCode("US")],
            user=LinkTokenCreateRequestUser(client_user_id=client_user_id),
            products=[Products("transactions")],
            **fields,
        )
        response = self._call(self._api.link_token_create, request)
        return str(response["link_token"])

    def create_sandbox_public_token(self, institution_id: str = SANDBOX_INSTITUTION_ID) -> str:
        """Sandbox only: a public token without the Link widget (the demo's "Connect bank")."""
        fields: dict[str, Any] = {}
        if self._webhook_url:
            fields["options"] = SandboxPublicTokenCreateRequestOptions(webhook=self._webhook_url)
        request = SandboxPublicTokenCreateRequest(
            institution_id=institution_id, initial_products=[Products("transactions")], **fields
        )
        response = self._call(self._api.sandbox_public_token_create, request)
        return str(response["public_token"])

    def exchange_public_token(self, public_token: str) -> BankLink:
        request = ItemPublicTokenExchangeRequest(public_token=public_token)
        response = self._call(self._api.item_public_token_exchange, request)
        return BankLink(
            access_token=str(response["access_token"]), item_id=str(response["item_id"])
        )

    def accounts(self, access_token: str) -> list[BankAccount]:
        request = AccountsGetRequest(access_token=access_token)
        response = self._call(self._api.accounts_get, request)
        return [_account(account) for account in response["accounts"]]

    def sync(self, access_token: str, cursor: str | None) -> SyncBatch:
        for _restart in range(MAX_RESTARTS):
            try:
                return self._sync_pages(access_token, cursor or "")
            except _MutationDuringPagination:
                continue  # the pages so far may be stale: start over from the same cursor
        return self._sync_pages(access_token, cursor or "")  # still moving: transient

    def _sync_pages(self, access_token: str, cursor: str) -> SyncBatch:
        added: list[BankLine] = []
        modified: list[BankLine] = []
        removed: list[str] = []
        options = TransactionsSyncRequestOptions(include_original_description=True)
        while True:
            fields: dict[str, Any] = {"cursor": cursor} if cursor else {}
            request = TransactionsSyncRequest(
                access_token=access_token, count=self._page_size, options=options, **fields
            )
            page = self._call(self._api.transactions_sync, request)
            added.extend(_line(t) for t in page["added"])
            modified.extend(_line(t) for t in page["modified"])
            removed.extend(str(r["transaction_id"]) for r in page["removed"])
            cursor = str(page["next_cursor"])
            if not page["has_more"]:
                return SyncBatch(added, modified, removed, next_cursor=cursor)

    def _call(self, endpoint: Callable[..., T], request: Any) -> T:
        """Runs one SDK call, turning its exceptions into ours."""
        try:
            return endpoint(request, _request_timeout=self._timeout)
        except plaid.ApiException as error:
            raise _translate(error) from error
        except urllib3.exceptions.NewConnectionError as error:
            # Checked first: urllib3 files a refused connection under timeouts.
            raise ProviderTransientError(PROVIDER, f"no response ({error})") from error
        except urllib3.exceptions.TimeoutError as error:
            raise ProviderTransientError(PROVIDER, f"no answer in time ({error})") from error
        except urllib3.exceptions.HTTPError as error:
            raise ProviderTransientError(PROVIDER, f"no response ({error})") from error
        except plaid.OpenApiException as error:
            # The answer did not fit the SDK's models (a key missing, a wrong type).
            raise ProviderTransientError(PROVIDER, f"unreadable answer ({error})") from error


def _translate(error: Any) -> ProviderError:
    status = int(error.status or 0)
    body = _error_body(error.body)
    error_type = str(body.get("error_type") or "")
    code = str(body.get("error_code") or "")
    text = f"{code}: {body.get('error_message') or error.reason}" if code else f"HTTP {status}"
    if code == MUTATION_DURING_PAGINATION:
        return _MutationDuringPagination(PROVIDER, text, status=status)
    if status == 0 or status == 429 or status >= 500:
        # Plaid sends no Retry-After; honour one if a proxy in between does.
        return ProviderTransientError(
            PROVIDER, text, status=status or None, retry_after=_retry_after(error.headers)
        )
    if error_type in TRANSIENT_ERROR_TYPES or code in TRANSIENT_ERROR_CODES:
        return ProviderTransientError(PROVIDER, text, status=status)
    if code in RELINK_ERROR_CODES:
        return BankRelinkRequiredError(PROVIDER, text, status=status)
    return ProviderRejectedError(PROVIDER, text, status=status)


def _error_body(raw: Any) -> dict[str, Any]:
    try:
        body = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def to_cents(plaid_amount: float) -> int:
    """Plaid's float dollars (positive = money out) as our cents (positive = money in)."""
    return -dollars_to_cents(plaid_amount)


def dollars_to_cents(dollars: float) -> int:
    """Exactly: through the float's shortest decimal form, never binary arithmetic."""
    return int(Decimal(str(dollars)).quantize(CENT, rounding=ROUND_HALF_UP) * 100)


def _line(transaction: Any) -> BankLine:
    counterparties = transaction.get("counterparties") or []
    counterparty = (
        str(counterparties[0]["name"]) if counterparties else transaction.get("merchant_name")
    )
    posted_on: date = transaction["date"]
    return BankLine(
        transaction_id=str(transaction["transaction_id"]),
        pending_transaction_id=transaction.get("pending_transaction_id"),
        account_id=str(transaction["account_id"]),
        posted_on=posted_on,
        amount_cents=to_cents(transaction["amount"]),
        description=str(transaction.get("original_description") or transaction.get("name") or ""),
        counterparty_name=counterparty,
        pending=bool(transaction["pending"]),
    )


def _account(account: Any) -> BankAccount:
    current = account["balances"].get("current")
    return BankAccount(
        account_id=str(account["account_id"]),
        name=str(account["name"]),
        mask=account.get("mask"),
        current_balance_cents=None if current is None else dollars_to_cents(current),
    )
