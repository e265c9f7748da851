"""Pure rules for API keys: the key's shape and hash, which scope a route needs, and whether a
key's scopes grant it.

A call's scope follows from its route: the resource is the first path segment under /api/v1
and the access is `read` for GET/HEAD/OPTIONS, `write` for anything else. A route under an
unknown resource needs a scope no key can hold, so a new resource stays closed to keys until
it gets its scopes here.

`write:<resource>` includes `read:<resource>`: every write answers with the resource it wrote,
so a write-only key would read anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.api_keys.models import Scope

KEY_START = "tpk_live_"
_KEY = re.compile(r"^(tpk_live_[0-9a-f]{8})_[A-Za-z0-9_-]{43}$")
API_ROOT = "/api/v1/"
RESOURCES = ("customers", "bookings", "quotes", "extensions")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often per key: a busy key costs one UPDATE a minute.
TOUCH_INTERVAL = timedelta(minutes=1)


class InvalidScope(ValueError):
    pass


def required_scope(method: str, path: str) -> Scope | None:
    """The scope a call needs, from its path (`/api/v1/bookings/12`, or the route's template
    `/api/v1/bookings/{booking_id}`); None when no scope covers it."""
    if not path.startswith(API_ROOT):
        return None
    resource = path.removeprefix(API_ROOT).split("/", 1)[0]
    if resource not in RESOURCES:
        return None
    access = "read" if method.upper() in READ_METHODS else "write"
    return Scope(f"{access}:{resource}")


def implied_by(scope: Scope) -> frozenset[Scope]:
    """The scopes holding `scope` grants: itself, and the read of the same resource."""
    access, _, resource = scope.value.partition(":")
    if access == "write":
        return frozenset({scope, Scope(f"read:{resource}")})
    return frozenset({scope})


def known_scopes(values: Iterable[str]) -> list[Scope]:
    """The stored values that are still scopes (a scope dropped later grants nothing)."""
    known = {scope.value for scope in Scope}
    return [Scope(value) for value in values if value in known]


def grants(held: Iterable[str], needed: Scope) -> bool:
    return any(needed in implied_by(scope) for scope in known_scopes(held))


def parse_scopes(values: Iterable[str]) -> list[Scope]:
    """Scopes a person asked for: each one known, no repeats, in the order of `Scope`."""
    wanted = {value.strip() for value in values if value.strip()}
    unknown = sorted(wanted - {scope.value for scope in Scope})
    if unknown:
        raise InvalidScope(
            f"unknown scope {', '.join(unknown)}: use {', '.join(scope.value for scope in Scope)}"
        )
    if not wanted:
        raise InvalidScope("give the key at least one scope")
    return [scope for scope in Scope if scope.value in wanted]


def prefix_of(key: str) -> str | None:
    """The public prefix of a well-formed key (`tpk_live_1a2b3c4d`), None for anything else."""
    found = _KEY.match(key)
    return found.group(1) if found else None


def hash_key(key: str) -> str:
    """SHA-256, no salt: the key holds 256 random bits, so no password-style stretching."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(stored_hash: str, key: str) -> bool:
    return hmac.compare_digest(stored_hash.encode(), hash_key(key).encode())


def refusal(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> str | None:
    """Why a key that exists may not be used any more, or None when it may."""
    if revoked_at is not None:
        return "this API key was revoked: ask a manager for a new one"
    if expires_at is not None and expires_at <= now:
        return f"this API key expired on {expires_at:%Y-%m-%d %H:%M} UTC"
    return None


def due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOUCH_INTERVAL
