"""The bank feed as our code sees it: linking the business's account and syncing its
transactions, with no provider types.

Amounts are integer cents with our sign: positive is money the business received, negative
money that went out. Apply a SyncBatch in order: added, then modified, then removed (a
transaction added and removed within one sync shows up in both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from integrations.errors import ProviderRejectedError


@dataclass(frozen=True)
class BankLink:
    access_token: str
    item_id: str


@dataclass(frozen=True)
class BankLine:
    """One bank transaction."""

    transaction_id: str
    pending_transaction_id: str | None  # a posted transaction: the pending one it replaces
    account_id: str
    posted_on: date
    amount_cents: int  # positive = money received (Plaid's sign flipped)
    description: str  # the bank's raw descriptor when there is one, else Plaid's cleaned name
    counterparty_name: str | None  # e.g. "Zelle", "Stripe"; else the merchant name
    pending: bool


@dataclass(frozen=True)
class SyncBatch:
    added: list[BankLine]
    modified: list[BankLine]
    removed: list[str]  # transaction ids
    next_cursor: str  # store it only once the batch is applied and committed


@dataclass(frozen=True)
class BankAccount:
    account_id: str
    name: str
    mask: str | None  # the last digits of the account number
    current_balance_cents: int | None


class BankRelinkRequiredError(ProviderRejectedError):
    """The bank connection needs the owner again (new password, MFA, consent withdrawn):
    syncing will keep failing until they reconnect the bank."""


class BankFeed(Protocol):
    def create_link_token(self, client_user_id: str) -> str:
        """A token to open the bank's Link widget for this user."""
        ...

    def exchange_public_token(self, public_token: str) -> BankLink:
        """The lasting link for the public token Link handed back (it works once)."""
        ...

    def sync(self, access_token: str, cursor: str | None) -> SyncBatch:
        """Every change since `cursor` (None: everything), across all pages. Raises
        ProviderTransientError, ProviderRejectedError or BankRelinkRequiredError."""
        ...
