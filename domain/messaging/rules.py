"""Pure messaging rules."""

from __future__ import annotations

import re

# Idempotency keys of automatic acknowledgements start with this.
ACKNOWLEDGEMENT_KEY_PREFIX = "ack:"

# Carrier and CTIA keywords that must stop texts at once.
OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT"}
)


def is_opt_out(text: str) -> bool:
    words = re.sub(r"[^A-Za-z ]", "", text).strip().upper()
    return words in OPT_OUT_KEYWORDS


def acknowledgement_text(business_name: str) -> str:
    return (
        f"Thanks for texting {business_name}! We got your message and will reply shortly. "
        "Reply STOP to opt out."
    )
