"""Phone numbers and email addresses written in a review's text."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# A US number however people write it: 5105550101, (510) 555-0101, 510.555.0101, +1 510 555 0101.
US_PHONE = re.compile(
    r"(?<![\d\w])(?:\+?1[\s.\-]?)?\(?(\d{3})\)?[\s.\-]?(\d{3})[\s.\-]?(\d{4})(?![\d\w])"
)
_NOT_DIGITS = re.compile(r"\D")


def phone_digits(raw: str | None) -> str | None:
    """A US phone number as its ten digits (+1 dropped), or None."""
    if not raw:
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def email_key(raw: str | None) -> str | None:
    return (raw.strip().lower() or None) if raw else None


def phones_in(text: str) -> tuple[str, ...]:
    """The US phone numbers in a text, as ten digits, in order, each once."""
    without_emails = EMAIL.sub(" ", text)
    return tuple(dict.fromkeys("".join(m.groups()) for m in US_PHONE.finditer(without_emails)))


def emails_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group(0).lower().rstrip(".") for m in EMAIL.finditer(text)))
