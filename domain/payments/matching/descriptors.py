"""Reading bank descriptors: who paid, the memo, and what the memo points at.

The formats are the ones in `shared/providers.md` ("How incoming payments look in bank
descriptors"): Zelle (Chase, Bank of America current and older, Wells Fargo, generic), Venmo and
Cash App cash-outs (INDN is the account holder, i.e. the business owner, never the customer),
Cash App person-to-person (`CASH APP*JANE DOE`) and Stripe payouts (`ST-XXXXXXXXXX`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Rail = Literal["zelle", "venmo", "cashapp", "stripe", "check", "other"]

_FLAGS = re.IGNORECASE

_STRIPE = re.compile(r"\bSTRIPE\b", _FLAGS)
_STRIPE_TRACE = re.compile(r"\b(ST-[A-Z0-9]{6,})\b", _FLAGS)
_STRIPE_TRANSFER = re.compile(r"\bSTRIPE\b.*\b(TRANSFER|PAYOUT)\b|ORIG CO NAME:\s*STRIPE", _FLAGS)

_VENMO_CASHOUT = re.compile(r"\bVENMO\b.*\bCASH\s*OUT\b|\bVENMO\b.*DES:\s*CASHOUT", _FLAGS)
_CASHAPP_ACH = re.compile(r"\bCASH\s*APP\b.*\bINDN:|SQUARE INC\b.*\bCASH\s*APP\b", _FLAGS)
_CASHAPP_CASHOUT = re.compile(r"\bCASH\s*APP\s*\*\s*CASH\s*OUT\b", _FLAGS)
_CASHAPP_P2P = re.compile(r"\bCASH\s*APP\s*\*\s*(?P<name>[A-Z][A-Z .,'\-]*)$", _FLAGS)
_VENMO_FROM = re.compile(r"\bVENMO\b.*?\bFROM\s+(?P<name>[A-Z][A-Z .,'\-]*)$", _FLAGS)

_ZELLE_BOFA = re.compile(
    r"ZELLE\s+(?:SCHEDULED\s+)?PAYMENT\s+FROM\s+(?P<name>.+?)"
    r"(?:\s+FOR\s+\"(?P<memo>[^\"]*)\")?\s*(?:;\s*CONF#\s*(?P<conf>\S+))?\s*$",
    _FLAGS,
)
_ZELLE_OLD_BOFA = re.compile(
    r"ZELLE\s+TRANSFER\s+CONF#\s*(?P<conf>[^;\s]+)\s*;\s*(?P<name>.+?)\s*$", _FLAGS
)
_ZELLE_WELLS = re.compile(
    r"ZELLE\s+FROM\s+(?P<name>.+?)\s+ON\s+\d{1,2}/\d{1,2}"
    r"(?:\s+REF\s*#\s*(?P<conf>\S+))?(?:\s+(?P<memo>.*))?$",
    _FLAGS,
)
_ZELLE_GENERIC = re.compile(r"ZELLE\s+(?:TRANSFER\s+)?FROM\s+(?P<name>.+?)\s*$", _FLAGS)
_ZELLE = re.compile(r"\bZELLE\b", _FLAGS)

_CHECK = re.compile(r"\b(CHECK|CHK|CHEQUE)\b", _FLAGS)

_REFERENCE = re.compile(r"\bTP\s*[-#:]?\s*(\d{3,8})\b", _FLAGS)
_EMAIL = re.compile(r"[A-Z0-9._%+\-]+@[A-Z0-9\-]+(?:\.[A-Z0-9\-]+)+", _FLAGS)
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.\-]?)?\(?(\d{3})\)?[\s.\-]?(\d{3})[\s.\-]?(\d{4})(?!\d)")
_ID_FIELDS = re.compile(
    r"\b(?:PPD ID|CO ID|IND ID|ORIG ID|ID|CONF#|CONF|REF\s*#|TRACE#|TRACE)\s*:?\s*\S+", _FLAGS
)
# A confirmation code a bank appends to a name: letters and digits, at least one digit, 8+;
# or Chase's "BAC" and nine letters or digits, mixed case (its names are upper case), which may
# hold no digit at all ("BACssYqVRlYk").
_TRAILING_CODE = re.compile(
    r"\s+(?:(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,}|BAC(?=[A-Za-z0-9]*[a-z0-9])[A-Za-z0-9]{9})$"
)
_NAME_SEPARATORS = re.compile(r"[ .,'\-]+")
_A_LETTER = re.compile(r"[^\W\d_]")
_NAME_ONLY = re.compile(r"^[^\W\d_][^\W\d_ .,'\-]*(?:[ .,'\-]+[^\W\d_]+){1,4}\.?$")
_NOT_A_NAME = {
    "deposit", "transfer", "payment", "refund", "interest", "online", "mobile", "check", "ach",
    "from", "zelle", "venmo", "cash", "app", "stripe", "payroll", "credit", "debit", "fee",
    "withdrawal", "purchase", "reversal", "adjustment", "dividend", "tax", "treas", "irs",
}  # fmt: skip
_RAIL_NAMES = {"zelle", "venmo", "cash app", "cashapp", "square", "square inc", "stripe", "paypal"}


@dataclass(frozen=True)
class ParsedDescriptor:
    rail: Rail
    payer_name: str | None = None
    memo: str | None = None
    references: tuple[str, ...] = ()  # the business's booking references, "TP-1042"
    phones: tuple[str, ...] = ()  # ten digits, US
    emails: tuple[str, ...] = ()
    cash_out: bool = False  # a lump sum from a payment app: names nobody who paid
    stripe_payout: bool = False
    payout_reference: str | None = None  # Stripe's "ST-…" trace


_PHONE_PUNCTUATION = str.maketrans("", "", " ()-.+")
_NOT_DIGITS = re.compile(r"\D")


def digits_of_phone(raw: str | None) -> str | None:
    """A US phone number as its ten digits (drops +1), or None."""
    if not raw:
        return None
    digits = raw.translate(_PHONE_PUNCTUATION)  # most numbers: digits and punctuation only
    if not (digits.isascii() and digits.isdigit()):
        digits = _NOT_DIGITS.sub("", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def _memo_facts(memo: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if not memo:
        return (), (), ()
    references = tuple(dict.fromkeys(f"TP-{m.group(1)}" for m in _REFERENCE.finditer(memo)))
    emails = tuple(dict.fromkeys(m.group(0).lower() for m in _EMAIL.finditer(memo)))
    without = _EMAIL.sub(" ", _REFERENCE.sub(" ", memo))
    phones = tuple(dict.fromkeys("".join(m.groups()) for m in _PHONE.finditer(without)))
    return references, phones, emails


def _clean_name(raw: str | None) -> str | None:
    if raw is None:
        return None
    name = _TRAILING_CODE.sub("", raw.strip())
    name = " ".join(name.split()).strip(" ;,.-*")
    if not name or name.lower() in _RAIL_NAMES or not _A_LETTER.search(name):
        return None
    return name


def _rail_from_channel(channel: str | None) -> Rail:
    if channel in ("zelle", "venmo", "cashapp", "stripe", "check"):
        return channel  # type: ignore[return-value]
    return "other"


def parse_descriptor(
    description: str, counterparty_name: str | None = None, channel: str | None = None
) -> ParsedDescriptor:
    """Everything a descriptor says about the payer; the counterparty name is a fallback."""
    text = " ".join((description or "").split())
    channel = (channel or "").strip().lower() or None
    # Plain substring tests first: each pattern below needs its word, and most descriptors
    # have one of them at most.
    upper = text.upper()
    stripe = "STRIPE" in upper and _STRIPE.search(text) is not None
    venmo, cash, zelle = "VENMO" in upper, "CASH" in upper, "ZELLE" in upper

    if (stripe and (_STRIPE_TRANSFER.search(text) or _STRIPE_TRACE.search(text))) or (
        channel == "stripe"
        and (not text or stripe or (counterparty_name or "").lower() == "stripe")
    ):
        trace = _STRIPE_TRACE.search(text)
        return ParsedDescriptor(
            rail="stripe",
            stripe_payout=True,
            payout_reference=trace.group(1).upper() if trace else None,
        )
    if venmo and _VENMO_CASHOUT.search(text):
        return ParsedDescriptor(rail="venmo", cash_out=True)
    if cash and (_CASHAPP_CASHOUT.search(text) or _CASHAPP_ACH.search(text)):
        return ParsedDescriptor(rail="cashapp", cash_out=True)

    rail: Rail = _rail_from_channel(channel)
    name: str | None = None
    memo: str | None = None
    matched = False
    if zelle and _ZELLE.search(text):
        rail = "zelle"
        for pattern in (_ZELLE_BOFA, _ZELLE_OLD_BOFA, _ZELLE_WELLS, _ZELLE_GENERIC):
            found = pattern.search(text)
            if found:
                groups = found.groupdict()
                name, memo = groups.get("name"), groups.get("memo")
                matched = True
                break
    elif cash and (p2p := _CASHAPP_P2P.search(text)):
        rail, name, matched = "cashapp", p2p.group("name"), True
    elif venmo and (venmo_from := _VENMO_FROM.search(text)):
        rail, name, matched = "venmo", venmo_from.group("name"), True
    elif ("CH" in upper) and _CHECK.search(text):
        rail = "check"

    if not matched and rail in ("venmo", "cashapp") and not counterparty_name:
        # "VENMO", "CASH APP" with nothing else: a transfer out of the app's balance.
        return ParsedDescriptor(rail=rail, cash_out=True)
    if not matched and _NAME_ONLY.match(text):
        words = set(_NAME_SEPARATORS.split(text.lower()))
        if not words & _NOT_A_NAME:
            name, matched = text, True  # a cleaned `name` that is just the payer
    if not matched:
        memo = _ID_FIELDS.sub(" ", text) if text else None
    payer = _clean_name(name) or _clean_name(counterparty_name)
    references, phones, emails = _memo_facts(memo)
    memo = memo.strip() if memo and memo.strip() else None
    return ParsedDescriptor(
        rail=rail,
        payer_name=payer,
        memo=memo,
        references=references,
        phones=phones,
        emails=emails,
    )
