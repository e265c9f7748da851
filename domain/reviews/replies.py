"""Drafts of public replies to reviews, the check every reply passes before it is posted, and the
private make-good text.

A public reply never reveals a customer's private details (no amounts, no addresses, no phone
numbers or emails), never offers anything (Google's policy and the FTC's rule on reviews forbid
incentives tied to reviews), and fits Google's 4,096 bytes. `check_reply` enforces that on every
text, a manager's edit included; the drafts here pass it by construction.

Each kind has several phrasings, picked from a hash of the review id: the same review always
gets the same draft, and a page of replies does not read like a form letter.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

from domain.reviews.contacts import EMAIL, phone_digits

ReplyKind = Literal["warm", "personal_low", "unknown_low"]
GOOGLE_REPLY_LIMIT_BYTES = 4096

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def reply_kind(star_rating: int, verdict: str) -> ReplyKind:
    """4 and 5 stars: warm; 3 or fewer: personal for a verified customer, else asking who."""
    if star_rating >= 4:
        return "warm"
    return "personal_low" if verdict == "verified" else "unknown_low"


def event_month(event_date: date) -> str:
    """How a public reply names an event: by its month, never its date or place."""
    return _MONTHS[event_date.month - 1]


def _pick(review_id: str, slot: str, options: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{slot}\x00{review_id}".encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


_GREETINGS = ("Hi {name},", "Hello {name},", "Dear {name},")
_GREETINGS_NO_NAME = ("Hi there,", "Hello,", "Hello there,")

_WARM_OPENERS = (
    "Thank you so much for the wonderful review!",
    "We're thrilled you had a great time with us!",
    "What a lovely review to read. Thank you!",
    "Thank you for choosing {business} for your celebration!",
)
# Neutral enough for a four-star review that mentions the topic as a small complaint.
_WARM_TOPICS = {
    "food": (
        "We'll share your words about the food with our kitchen team.",
        "Your notes on the food mean a lot to our kitchen team.",
    ),
    "chef": (
        "We'll pass your kind words on to your chef.",
        "Our chefs love hearing how the show went.",
    ),
    "punctuality": (
        "Thank you for the note on timing: arriving on schedule matters to us.",
        "Being there on time matters to us, and we read every word about it.",
    ),
    "price": (
        "Thank you for the note on pricing: we work hard to make every event worth it.",
        "We want every event to feel worth it, and your note helps.",
    ),
    "communication": (
        "Thank you for the note on planning with us: we want booking to be easy.",
        "We want planning with us to be easy, and your note helps.",
    ),
}
_WARM_GENERAL = (
    "It was a pleasure to be part of your event.",
    "Celebrations like yours are why we love what we do.",
)
_WARM_CLOSERS = (
    "We hope to cook for you again soon!",
    "We'd love to fire up the grill for you again.",
    "See you at your next celebration!",
)
_SIGNATURES = ("The {business} team", "Warm regards, {business}", "With thanks, {business}")

_PERSONAL_OPENERS = (
    "Thank you for telling us about your {event}, and we're truly sorry it fell short.",
    "We're sorry your {event} wasn't what it should have been, and thank you for telling us.",
    "Thank you for your honest feedback about your {event}. We're sorry we let you down.",
)
_LOW_TOPICS = {
    "food": "We hold our food to a high standard, and we're sorry it didn't meet yours.",
    "chef": "We expect our chefs to make the evening, and we're sorry that wasn't your experience.",
    "punctuality": "Timing matters on a day like yours, and we're sorry it didn't go as planned.",
    "price": "We want every event to feel worth it, and we hear you on the price.",
    "communication": "We should have kept you better informed, and we're sorry we didn't.",
}
_PERSONAL_INVITES = (
    "We'd like to make this right. Please call or text us at {phone} so we can talk it through.",
    "Please reach out to us at {phone}: we want to hear more and make it right.",
    "We'd be grateful for the chance to talk. Please call or text us at {phone}.",
)
_UNKNOWN_OPENERS = (
    "Thank you for your feedback, and we're sorry to hear your experience wasn't what you hoped.",
    "We're sorry to read this, and thank you for taking the time to tell us.",
    "Thank you for letting us know. We take every review seriously.",
)
_UNKNOWN_ASKS = (
    "We'd like to look into it: could you tell us which event you attended (the date, or whose "
    "celebration it was) and the best way to reach you?",
    "So we can look into this, could you let us know which event you were at and how we can "
    "reach you?",
    "We want to understand what happened. Which event did you attend, and how can we reach you?",
)
_UNKNOWN_INVITES = (
    "You can call or text us at {phone}.",
    "Please call or text us at {phone}; we'd be glad to talk.",
)
_NUMBER_ON_PROFILE = "the number on our profile"


def _greeting(review_id: str, first_name: str | None) -> str:
    if first_name:
        return _pick(review_id, "greeting", _GREETINGS).format(name=first_name)
    return _pick(review_id, "greeting", _GREETINGS_NO_NAME)


def draft_reply(
    kind: ReplyKind,
    business_name: str,
    reviewer_first_name: str | None,
    topics: Sequence[str],
    event_month: str | None = None,
    *,
    review_id: str,
    business_phone: str | None = None,
) -> str:
    """A public reply to post (warm) or to put before a manager (personal_low, unknown_low).

    `reviewer_first_name` is the display name's (`names.first_name_for_reply`), never the
    booking's; `event_month` is a month's name ("March"), only for a verified customer;
    `business_phone` is the business's own number, else the reply points at its profile.
    """
    phone = business_phone or _NUMBER_ON_PROFILE
    business = business_name.strip()
    parts: list[str] = []
    if kind == "warm":
        parts.append(_pick(review_id, "opener", _WARM_OPENERS).format(business=business))
        topic = next((t for t in topics if t in _WARM_TOPICS), None)
        lines = _WARM_TOPICS[topic] if topic else _WARM_GENERAL
        parts.append(_pick(review_id, "topic", lines))
        parts.append(_pick(review_id, "closer", _WARM_CLOSERS))
    elif kind == "personal_low":
        event = f"{event_month} event" if event_month else "event"
        parts.append(_pick(review_id, "opener", _PERSONAL_OPENERS).format(event=event))
        parts.extend(_LOW_TOPICS[t] for t in [t for t in topics if t in _LOW_TOPICS][:2])
        parts.append(_pick(review_id, "invite", _PERSONAL_INVITES).format(phone=phone))
    elif kind == "unknown_low":
        parts.append(_pick(review_id, "opener", _UNKNOWN_OPENERS))
        parts.append(_pick(review_id, "ask", _UNKNOWN_ASKS))
        parts.append(_pick(review_id, "invite", _UNKNOWN_INVITES).format(phone=phone))
    else:
        raise ValueError(f"no such kind of reply: {kind!r}")
    signature = _pick(review_id, "signature", _SIGNATURES).format(business=business)
    return f"{_greeting(review_id, reviewer_first_name)}\n\n{' '.join(parts)}\n\n{signature}"


# The check -------------------------------------------------------------------------------------

_PHONE_LIKE = re.compile(
    r"(?<![\w$])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-]?)?\d{3}[\s.\-]\d{4}(?![\w])"
    r"|(?<![\w$.,])\+?\d{10,13}(?![\w])"
)
_MONEY = re.compile(
    r"(?:\$|US\$|USD\s?|€|£)\s?\d[\d,]*(?:\.\d+)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:dollars?|bucks|usd|d[oó]lares|pesos)\b",
    re.IGNORECASE,
)
_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|court|ct|place|pl"
    r"|parkway|pkwy|highway|hwy|circle|cir|terrace|ter|trail|trl|square|sq)"
)
_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:(?:[A-Z][\w'.\-]*|\d+(?:st|nd|rd|th))\s+){1,3}(?i:" + _STREET_SUFFIX + r")\b"
    r"|\b(?i:apt|apartment|suite|ste|unit)\.?\s*#?\s*\d+\w?\b"
    r"|\b(?i:p\.?\s?o\.?\s?box)\s+\d+"
    r"|\b(?i:calle|avenida|av\.)\s+[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*)*\s+#?\d+"
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # "CA 94538": the end of an address
)
_ALLOWED_FREE = re.compile(r"\bfeel free\b|\b\w+-free\b", re.IGNORECASE)
_INCENTIVES = re.compile(
    r"\b(?:discount(?:s|ed)?|coupons?|refund(?:s|ed)?|vouchers?|gift\s?cards?|free|freebies?"
    r"|complimentary|on the house|money back|reimburs\w*|rebates?|store credit"
    r"|descuentos?|cup[oó]n(?:es)?|reembols\w*|gratis|regalo)\b"
    r"|\d+\s?%\s?(?:off|de descuento)|\bpercent off\b",
    re.IGNORECASE,
)


def check_reply(text: str, *, business_phones: Sequence[str] = ()) -> list[str]:
    """What keeps this reply from being posted (empty: fine). For drafts and edits alike.

    `business_phones` are the business's own numbers: inviting a reviewer to call is fine.
    """
    problems: list[str] = []
    size = len(text.encode("utf-8"))
    if size > GOOGLE_REPLY_LIMIT_BYTES:
        problems.append(
            f"too long for Google: {size:,} bytes in UTF-8, the limit is "
            f"{GOOGLE_REPLY_LIMIT_BYTES:,}"
        )
    own = {phone_digits(phone) for phone in business_phones} - {None}
    phones = [
        m.group(0) for m in _PHONE_LIKE.finditer(EMAIL.sub(" ", text))
        if phone_digits(m.group(0)) not in own
    ]  # fmt: skip
    if phones:
        problems.append(f"contains a phone number ({phones[0].strip()}): never a customer's")
    emails = EMAIL.findall(text)
    if emails:
        problems.append(f"contains an email address ({emails[0]})")
    money = _MONEY.search(text)
    if money:
        problems.append(f"mentions an amount of money ({money.group(0).strip()})")
    address = _ADDRESS.search(text)
    if address:
        problems.append(f"looks like it contains an address ({address.group(0).strip()})")
    incentive = _INCENTIVES.search(_ALLOWED_FREE.sub(" ", text))
    if incentive:
        problems.append(
            f"offers something ({incentive.group(0).strip()!r}): incentives never go in a "
            "public reply (Google's policy, the FTC's rule on reviews)"
        )
    return problems


def make_good_sms(business_name: str, first_name: str | None, percent: int) -> str:
    """The private text offering the make-good to a verified customer after a low review.

    It is an apology, never a trade: it does not ask for the review to be changed or removed,
    and does not depend on it (Google and the FTC forbid incentives for reviews). It never goes
    in the public reply. Plain ASCII, so the SMS stays in one GSM-7 encoding.
    """
    if not 1 <= percent <= 100:
        raise ValueError(f"a make-good is 1..100 percent, not {percent}")
    greeting = f"Hi {first_name}, this is" if first_name else "Hi, this is"
    business = business_name.strip()
    stop = "" if business.endswith(".") else "."  # "Fremont Hibachi Co."
    return (
        f"{greeting} {business}{stop} We're sorry your event wasn't what it should have "
        f"been. We'd like to take {percent}% off your next event with us, with no strings "
        "attached: it's our apology and doesn't depend on any review. Reply here or call us "
        "anytime."
    )
