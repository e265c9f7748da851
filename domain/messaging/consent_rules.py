"""Pure consent and sending rules: keywords, allowed hours, daily caps, rate limits.

The law (TCPA, CTIA guidelines, state "mini-TCPA" acts) in the few rules a caterer's texts meet:
opt-out words stop texts at once; texts that are not answers to the customer wait for daytime
in the recipient's time zone; some states allow fewer hours and at most three texts a day on
one matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.messaging.area_codes import place_of
from domain.messaging.models import MessageKind


class ConsentKeyword(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


# A message that is exactly one of these (any case, punctuation ignored).
_OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
     "OPT OUT", "BAJA", "ALTO", "PARAR", "CANCELAR"}
)  # fmt: skip
# Not "YES": customers answer questions with it.
_OPT_IN_WORDS = frozenset({"START", "UNSTOP", "SUBSCRIBE", "OPT IN", "OPTIN"})
_HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})

# Plain-language requests to stop ("please stop texting me"), English and Spanish. A request about
# a booking ("can you stop by earlier", "I want to cancel my party") is not one of them.
_OPT_OUT_PHRASES = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(stop|quit|cease|end)\s+(texting|messaging|sending|contacting|spamming)\b",
        r"\b(stop|no more)\s+(texts?|messages?|sms)\b",
        r"\b(don'?t|do not|never)\s+(text|message|contact|sms)\s+(me|us|this number)\b",
        r"\b(remove|take|delete)\s+(me|my number|this number)\s+(off|from)\b",
        r"\bunsubscribe\b",
        r"\bopt\s*(me\s+)?out\b",
        r"\b(no|dejen? de|deja de)\s+(me\s+)?(manden|mandes|envien|envies|escriban|escribas|"
        r"enviarme|mandarme|escribirme)\b",
        r"\bya no (me )?(manden|envien|escriban)\b",
    )
)


def _plain(text: str) -> str:
    without_accents = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return re.sub(r"\s+", " ", without_accents).strip()


def consent_keyword(text: str) -> ConsentKeyword | None:
    """What a customer's text asks of their consent, if anything."""
    plain = _plain(text)
    bare = re.sub(r"[^A-Za-z ]", "", plain).strip().upper()
    bare = re.sub(r"\s+", " ", bare)
    if bare in _OPT_OUT_WORDS:
        return ConsentKeyword.OPT_OUT
    if bare in _OPT_IN_WORDS:
        return ConsentKeyword.OPT_IN
    if bare in _HELP_WORDS:
        return ConsentKeyword.HELP
    lowered = plain.lower().replace("\u2019", "'")
    if any(phrase.search(lowered) for phrase in _OPT_OUT_PHRASES):
        return ConsentKeyword.OPT_OUT
    return None


def opt_out_confirmation(business_name: str) -> str:
    return (
        f"{business_name}: you're unsubscribed and will get no more texts from us. "
        "Reply START to resubscribe."
    )


def opt_in_confirmation(business_name: str) -> str:
    return (
        f"{business_name}: you're subscribed to texts about your bookings again. "
        "Msg frequency varies. Reply STOP to opt out, HELP for help."
    )


def help_answer(business_name: str, phone: str, email: str | None) -> str:
    contact = f"call or text {phone}" + (f" or email {email}" if email else "")
    return (
        f"{business_name} hibachi catering: for help, {contact}. "
        "Reply STOP to opt out. Msg & data rates may apply."
    )


# Consent records are evidence; keep them at least four years (the TCPA's limitation period).
CONSENT_RETENTION = timedelta(days=4 * 366)

# Kinds that need the number not to have opted out, and the hours they may go.
_NEEDS_NOT_OPTED_OUT = frozenset({MessageKind.TRANSACTIONAL, MessageKind.REMINDER})
_NEEDS_WRITTEN_CONSENT = frozenset({MessageKind.MARKETING})
# Texts nobody is waiting for at this moment. A transactional text answers the customer's own
# action just now (the quote they asked for, the booking they made) and goes at once, like a
# reply to a customer who wrote.
_WAITS_FOR_DAYTIME = frozenset({MessageKind.REMINDER, MessageKind.MARKETING})


@dataclass(frozen=True)
class StateRule:
    opens: time
    closes: time
    max_per_matter_per_day: int | None


DEFAULT_RULE = StateRule(time(8), time(21), None)
# States whose telemarketing acts are stricter: 8am-8pm and at most three texts a day on a matter.
STRICT_STATES: dict[str, StateRule] = {
    "FL": StateRule(time(8), time(20), 3),
    "OK": StateRule(time(8), time(20), 3),
    "MD": StateRule(time(8), time(20), 3),
}


def rule_for(state: str | None) -> StateRule:
    return STRICT_STATES.get(state or "", DEFAULT_RULE)


@dataclass(frozen=True)
class Recipient:
    """Where the recipient is, as far as we can tell: their area code's zone and the business's."""

    timezones: tuple[str, ...]
    rule: StateRule


def recipient_for(number: str, business_timezone: str) -> Recipient:
    place = place_of(number)
    zones = (business_timezone,) if place is None else (place.timezone, business_timezone)
    return Recipient(tuple(dict.fromkeys(zones)), rule_for(place.state if place else None))


def _opens_next(now: datetime, zone: str, rule: StateRule) -> datetime | None:
    """When texting may next start in this zone; None when it may now."""
    local = now.astimezone(ZoneInfo(zone))
    if rule.opens <= local.time() < rule.closes:
        return None
    day = local.date() if local.time() < rule.opens else local.date() + timedelta(days=1)
    return datetime.combine(day, rule.opens, tzinfo=ZoneInfo(zone))


def daytime_opens(now: datetime, recipient: Recipient) -> datetime | None:
    """When a text may go in *every* zone the recipient might be in; None when it may now.

    Zones are a few hours apart and windows 12-13 hours long, so a couple of rounds settle it.
    """
    moment = now
    for _ in range(4):
        later = [
            t for zone in recipient.timezones if (t := _opens_next(moment, zone, recipient.rule))
        ]
        if not later:
            return None if moment == now else moment
        moment = max(later)
    return moment


def matter_cap_frees(
    now: datetime, recipient: Recipient, sent_on_matter: Sequence[datetime]
) -> datetime | None:
    """In strict states, at most N texts per matter in 24 hours: when the next may go."""
    cap = recipient.rule.max_per_matter_per_day
    if cap is None:
        return None
    recent = sorted(t for t in sent_on_matter if t > now - timedelta(days=1))
    if len(recent) < cap:
        return None
    return recent[-cap] + timedelta(days=1)


def rate_limit_frees(
    now: datetime, sent_times: Iterable[datetime], limit: int, period: timedelta
) -> datetime | None:
    """A sliding-window limit: when the next send fits, or None if it fits now."""
    recent = sorted(t for t in sent_times if t > now - period)
    if len(recent) < limit:
        return None
    return recent[-limit] + period


class Verdict(StrEnum):
    SEND = "send"
    HOLD = "hold"
    SUPPRESS = "suppress"


@dataclass(frozen=True)
class SendDecision:
    verdict: Verdict
    reason: str = ""
    until: datetime | None = None

    @staticmethod
    def send() -> SendDecision:
        return SendDecision(Verdict.SEND)

    @staticmethod
    def suppress(reason: str) -> SendDecision:
        return SendDecision(Verdict.SUPPRESS, reason)

    @staticmethod
    def hold(until: datetime, reason: str) -> SendDecision:
        return SendDecision(Verdict.HOLD, reason, until)


@dataclass(frozen=True)
class SendFacts:
    """Everything the decision needs, read from the database by the caller."""

    kind: MessageKind
    to_number: str
    business_timezone: str
    texting_paused: bool
    opted_out: bool
    written_consent: bool
    sent_to_number_last_hour: Sequence[datetime]
    sent_by_business_last_minute: Sequence[datetime]
    sent_on_matter_last_day: Sequence[datetime]
    per_number_per_hour: int
    per_business_per_minute: int
    # When the customer last wrote to us: an answer to them is allowed even after STOP.
    last_inbound_at: datetime | None = None


PAUSED_RECHECK = timedelta(minutes=5)
# How long after a customer's own message an answer to them counts as one.
ANSWER_WINDOW = timedelta(hours=24)
LEAD_CONVERSATION_WINDOW = timedelta(days=7)


def _started_recently(last_inbound_at: datetime | None, now: datetime) -> bool:
    """A lead who wrote to us this week asked to hear from us: one follow-up in that
    conversation is allowed without a ticked consent box (never after STOP)."""
    return last_inbound_at is not None and last_inbound_at >= now - LEAD_CONVERSATION_WINDOW


def decide(facts: SendFacts, now: datetime) -> SendDecision:
    """Whether a text may go now, must wait, or must never go. Checks run strictest first."""
    kind = facts.kind
    if facts.texting_paused:
        return SendDecision.hold(now + PAUSED_RECHECK, "texting is paused by the owner")
    if kind in _NEEDS_NOT_OPTED_OUT | _NEEDS_WRITTEN_CONSENT and facts.opted_out:
        return SendDecision.suppress("the customer opted out of texts")
    if (
        kind is MessageKind.CONVERSATION
        and facts.opted_out
        and (facts.last_inbound_at is None or facts.last_inbound_at < now - ANSWER_WINDOW)
    ):
        return SendDecision.suppress("the customer opted out and has not written since")
    if kind in _NEEDS_WRITTEN_CONSENT and not (
        facts.written_consent or _started_recently(facts.last_inbound_at, now)
    ):
        return SendDecision.suppress("no consent to marketing texts on record")
    if kind is MessageKind.STAFF:
        return SendDecision.send()
    recipient = recipient_for(facts.to_number, facts.business_timezone)
    if kind in _WAITS_FOR_DAYTIME:
        opens = daytime_opens(now, recipient)
        if opens is not None:
            return SendDecision.hold(opens, "outside the recipient's allowed hours")
        frees = matter_cap_frees(now, recipient, facts.sent_on_matter_last_day)
        if frees is not None:
            return SendDecision.hold(frees, "daily limit of texts on this matter reached")
    if kind is not MessageKind.CONSENT:
        frees = rate_limit_frees(
            now, facts.sent_to_number_last_hour, facts.per_number_per_hour, timedelta(hours=1)
        )
        if frees is not None:
            return SendDecision.hold(frees, "too many texts to this number this hour")
    frees = rate_limit_frees(
        now,
        facts.sent_by_business_last_minute,
        facts.per_business_per_minute,
        timedelta(minutes=1),
    )
    if frees is not None:
        return SendDecision.hold(frees, "business-wide sending rate reached")
    return SendDecision.send()
