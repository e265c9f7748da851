"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
keyed with the app secret. Always over the bytes received: Meta signs its own serialisation
(with unicode escaped), which re-serialised JSON would not reproduce."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def signature_header(app_secret: str, body: bytes) -> str:
    """The header value Meta sends with this body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{_PREFIX}{digest}"


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True only for a `sha256=` header carrying this body's HMAC under the app secret."""
    if not header or not app_secret:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        return False
    expected = signature_header(app_secret, body)[len(_PREFIX) :]
    return hmac.compare_digest(given.lower().encode(), expected.encode())
