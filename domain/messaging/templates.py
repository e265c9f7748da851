"""The texts a booking sends, in the owner's words or ours.

A template is plain text with placeholders like {first_name}. `fill` is pure and strict: a
placeholder the text's kind does not know is refused with the list of those it does, so a typo
is caught when the owner saves, never when a customer would have received "{frist_name}".
`render` uses the owner's stored wording when it is active, our default otherwise.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.errors import ValidationFailed
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.messaging.models import MessageTemplate, TemplateKind

log = logging.getLogger(__name__)

BODY_LIMIT = 1000  # the column's size

#: What each placeholder stands for, as the template page explains it.
PLACEHOLDERS: dict[str, str] = {
    "first_name": "the customer's first name",
    "business_name": "your business's name",
    "business_phone": "your business's phone number",
    "booking_reference": "the booking number, like TP-1042",
    "event_date": "the day of the event, like Sat, Dec 5",
    "event_time": "when the party starts, like 6:00 PM",
    "arrival_time": "when the chef arrives (start minus the arrival lead)",
    "address": "the event's address",
    "guests": "how many guests (adults and children)",
    "balance": "what is still owed, like $960.00",
    "review_link": "your review link (Settings)",
    "pay_link": "the booking's latest payment link (your number when there is none)",
}

_PEOPLE = ("first_name", "business_name", "business_phone")
_BOOKING = tuple(PLACEHOLDERS)

#: The placeholders each kind of text may use: a lead has no booking yet.
ALLOWED: dict[TemplateKind, tuple[str, ...]] = {
    TemplateKind.BOOKING_CONFIRMATION: _BOOKING,
    TemplateKind.BOOKING_CHANGED: _BOOKING,
    TemplateKind.EVENT_REMINDER: _BOOKING,
    TemplateKind.BALANCE_REMINDER: _BOOKING,
    TemplateKind.REVIEW_REQUEST: _BOOKING,
    TemplateKind.LEAD_FOLLOW_UP: _PEOPLE,
}

TITLES: dict[TemplateKind, str] = {
    TemplateKind.BOOKING_CONFIRMATION: "Booking confirmation",
    TemplateKind.BOOKING_CHANGED: "Booking changed",
    TemplateKind.EVENT_REMINDER: "Event reminder",
    TemplateKind.BALANCE_REMINDER: "Balance reminder",
    TemplateKind.REVIEW_REQUEST: "Review request",
    TemplateKind.LEAD_FOLLOW_UP: "Lead follow-up",
}

WHEN_SENT: dict[TemplateKind, str] = {
    TemplateKind.BOOKING_CONFIRMATION: "As soon as a booking is confirmed.",
    TemplateKind.BOOKING_CHANGED: "When a confirmed booking moves to another time.",
    TemplateKind.EVENT_REMINDER: "Before the event, on the day and at the time set in Settings.",
    TemplateKind.BALANCE_REMINDER: "After the event, when money is still owed.",
    TemplateKind.REVIEW_REQUEST: "After the event, to every customer.",
    TemplateKind.LEAD_FOLLOW_UP: "Once, when a lead who asked about a party goes quiet.",
}

# Plain ASCII on purpose: one curly quote or a multiplication sign turns a text into UCS-2
# (70 characters a part instead of 160).
DEFAULTS: dict[TemplateKind, str] = {
    TemplateKind.BOOKING_CONFIRMATION: (
        "Hi {first_name}! You're booked with {business_name}: {event_date} at {event_time}, "
        "{guests} guests at {address}. Booking {booking_reference}. We can't wait to cook for "
        "you! Reply STOP to opt out."
    ),
    TemplateKind.BOOKING_CHANGED: (
        "Hi {first_name}, your hibachi party {booking_reference} with {business_name} is now "
        "{event_date} at {event_time} at {address}. Questions? Just reply here."
    ),
    TemplateKind.EVENT_REMINDER: (
        "Hi {first_name}! Your hibachi party is {event_date} at {event_time}; your chef arrives "
        "around {arrival_time}. Please have a flat outdoor space about 10x10 ft near an outlet, "
        "tables and chairs for your guests, and plates and drinks. See you soon! "
        "- {business_name}"
    ),
    TemplateKind.BALANCE_REMINDER: (
        "Hi {first_name}, thank you for having {business_name} cook for you! A balance of "
        "{balance} is still open on booking {booking_reference}. Reply here or call "
        "{business_phone} with any questions."
    ),
    TemplateKind.REVIEW_REQUEST: (
        "Hi {first_name}, thank you for celebrating with {business_name}! We'd love to hear "
        "how it went. Would you leave us a quick review? {review_link}"
    ),
    TemplateKind.LEAD_FOLLOW_UP: (
        "Hi {first_name}, it's {business_name} checking in: still planning a hibachi party? "
        "Reply with your date, address and number of guests and we'll send your quote."
    ),
}

#: What the preview fills in: a believable booking, so the owner sees the text as sent.
SAMPLE_VALUES: dict[str, str] = {
    "first_name": "Jennifer",
    "business_name": "Fremont Hibachi Co.",
    "business_phone": "(510) 555-0100",
    "booking_reference": "TP-1042",
    "event_date": "Sat, Dec 5",
    "event_time": "6:00 PM",
    "arrival_time": "5:15 PM",
    "address": "1234 Bernal Ave, Pleasanton, CA 94566",
    "guests": "20",
    "balance": "$960.00",
    "review_link": "https://g.page/r/fremont-hibachi/review",
    "pay_link": "https://pay.example.com/tp-1042",
}


class TemplateError(ValidationFailed):
    """The wording cannot be used as it is; the message says what to change."""


def _placeholder_list(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def fill(body: str, context: Mapping[str, str]) -> str:
    """The text with each {placeholder} replaced; only the context's names may appear.

    `{{` and `}}` write a literal brace. Formats ({guests:>3}), conversions ({x!r}) and
    attributes ({x.y}) are refused: owners write words, not Python.
    """
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        raise TemplateError(
            "A brace is not closed: write placeholders like {first_name}, "
            "and {{ or }} for a brace of your own."
        ) from None
    unknown: list[str] = []
    pieces: list[str] = []
    for literal, name, spec, conversion in parts:
        pieces.append(literal)
        if name is None:
            continue
        if name == "":
            raise TemplateError(
                "Empty braces {}: put a placeholder's name inside, like {first_name}."
            )
        if spec or conversion:
            raise TemplateError(f"Write placeholders plainly, like {{{name.split('.')[0]}}}.")
        if name not in context:
            if name not in unknown:
                unknown.append(name)
            continue
        pieces.append(context[name])
    if unknown:
        which = "placeholder" if len(unknown) == 1 else "placeholders"
        raise TemplateError(
            f"Unknown {which} {_placeholder_list(unknown)}. "
            f"Use only {_placeholder_list(sorted(context))}."
        )
    return "".join(pieces)


def sample_context(
    kind: TemplateKind, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The sample values of the placeholders this kind may use (the business's own, if given)."""
    values = {**SAMPLE_VALUES, **(overrides or {})}
    return {name: values[name] for name in ALLOWED[kind]}


def check(kind: TemplateKind, body: str) -> str:
    """The wording tidied and known to fill, or TemplateError saying what is wrong."""
    text = body.strip().replace("\r\n", "\n")
    if not text:
        raise TemplateError("The text cannot be empty.")
    if len(text) > BODY_LIMIT:
        raise TemplateError(f"At most {BODY_LIMIT} characters (this one has {len(text)}).")
    fill(text, sample_context(kind))
    return text


# --- SMS length ---------------------------------------------------------------------------

# The GSM 03.38 alphabet; "^{}\\[~]|€" take two septets. Anything else switches to UCS-2.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    unicode: bool  # some character is outside GSM-7: 70 a part instead of 160


def sms_length(text: str) -> SmsLength:
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        septets = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, part, unicode = 160, 153, False
    else:
        septets = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
        single, part, unicode = 70, 67, True
    segments = 1 if septets <= single else -(-septets // part)
    return SmsLength(len(text), segments, unicode)


@dataclass(frozen=True)
class Preview:
    text: str
    length: SmsLength


def preview(kind: TemplateKind, body: str, overrides: Mapping[str, str] | None = None) -> Preview:
    """The text as a customer would read it, with sample values; TemplateError if it cannot."""
    text = fill(check(kind, body), sample_context(kind, overrides))
    return Preview(text, sms_length(text))


# --- stored templates -----------------------------------------------------------------------


def _stored(session: Session, kind: TemplateKind) -> MessageTemplate | None:
    return session.exec(select(MessageTemplate).where(MessageTemplate.kind == kind)).first()


def current_body(session: Session, kind: TemplateKind) -> str:
    stored = _stored(session, kind)
    return stored.body if stored is not None and stored.active else DEFAULTS[kind]


def render(session: Session, kind: TemplateKind, context: Mapping[str, str]) -> str:
    """The text to send: the owner's wording when active, ours otherwise.

    Stored wording was checked on save; should it still not fill (a placeholder retired since),
    the customer gets our default rather than no text at all.
    """
    body = current_body(session, kind)
    try:
        return fill(body, context)
    except TemplateError as problem:
        log.warning("template %s does not fill (%s): sending the default", kind.value, problem)
        return fill(DEFAULTS[kind], context)


@dataclass(frozen=True)
class TemplateView:
    kind: TemplateKind
    title: str
    when_sent: str
    body: str
    default_body: str
    customised: bool
    placeholders: tuple[str, ...]
    updated_by: str | None
    updated_at: datetime | None


def view(session: Session, kind: TemplateKind) -> TemplateView:
    stored = _stored(session, kind)
    customised = stored is not None and stored.active
    return TemplateView(
        kind=kind,
        title=TITLES[kind],
        when_sent=WHEN_SENT[kind],
        body=stored.body if stored is not None and stored.active else DEFAULTS[kind],
        default_body=DEFAULTS[kind],
        customised=customised,
        placeholders=ALLOWED[kind],
        updated_by=stored.updated_by if stored is not None else None,
        updated_at=stored.updated_at if stored is not None else None,
    )


def list_templates(session: Session) -> list[TemplateView]:
    return [view(session, kind) for kind in TemplateKind]


def update_template(
    session: Session, kind: TemplateKind, body: str, actor: Actor
) -> MessageTemplate | None:
    """Stores the owner's wording (checked first); None when nothing changed."""
    text = check(kind, body)
    stored = _stored(session, kind)
    if stored is not None and stored.active and stored.body == text:
        return None
    if stored is None and text == DEFAULTS[kind]:
        return None
    before = current_body(session, kind)
    if stored is None:
        stored = MessageTemplate(kind=kind, body=text)
    stored.body = text
    stored.active = True
    stored.updated_by = actor.name[:120]
    stored.updated_at = utcnow()
    session.add(stored)
    session.flush()
    audit.record(
        session,
        actor,
        "message_template.update",
        "message_template",
        kind.value,
        {"body": [before, text]},
        f"Reworded the {TITLES[kind].lower()} text",
    )
    return stored


def reset_template(session: Session, kind: TemplateKind, actor: Actor) -> bool:
    """Back to our default wording (the owner's is kept, inactive); False when it already was."""
    stored = _stored(session, kind)
    if stored is None or not stored.active:
        return False
    stored.active = False
    stored.updated_by = actor.name[:120]
    stored.updated_at = utcnow()
    session.add(stored)
    audit.record(
        session,
        actor,
        "message_template.reset",
        "message_template",
        kind.value,
        {"body": [stored.body, DEFAULTS[kind]]},
        f"Put the {TITLES[kind].lower()} text back to the default",
    )
    return True
