from datetime import UTC, datetime, timedelta

import pytest

from domain.api_keys.models import Scope
from domain.api_keys.rules import (
    InvalidScope,
    due_for_touch,
    grants,
    hash_key,
    key_matches,
    parse_scopes,
    prefix_of,
    refusal,
    required_scope,
)

KEY = "tpk_live_1a2b3c4d_" + "A" * 21 + "-_" + "z" * 20
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/bookings", Scope.READ_BOOKINGS),
        ("HEAD", "/api/v1/bookings/12", Scope.READ_BOOKINGS),
        ("POST", "/api/v1/bookings", Scope.WRITE_BOOKINGS),
        ("PATCH", "/api/v1/bookings/{booking_id}", Scope.WRITE_BOOKINGS),
        ("delete", "/api/v1/bookings/12", Scope.WRITE_BOOKINGS),
        ("GET", "/api/v1/customers/3", Scope.READ_CUSTOMERS),
        ("POST", "/api/v1/quotes/7/confirm-travel", Scope.WRITE_QUOTES),
        ("GET", "/api/v1/extensions", Scope.READ_EXTENSIONS),
        ("PUT", "/api/v1/extensions/2", Scope.WRITE_EXTENSIONS),
        ("GET", "/api/v1/payments", None),  # no scope yet: closed to keys
        ("GET", "/api/v2/bookings", None),
        ("GET", "/webhooks/stripe", None),
        ("GET", "/api/v1/", None),
    ],
)
def test_required_scope(method: str, path: str, scope: Scope | None) -> None:
    assert required_scope(method, path) == scope


def test_write_includes_read_of_the_same_resource_only() -> None:
    assert grants(["write:bookings"], Scope.READ_BOOKINGS)
    assert grants(["write:bookings"], Scope.WRITE_BOOKINGS)
    assert not grants(["read:bookings"], Scope.WRITE_BOOKINGS)
    assert not grants(["write:bookings"], Scope.READ_CUSTOMERS)
    assert not grants(["write:customers", "read:quotes"], Scope.WRITE_QUOTES)
    assert not grants([], Scope.READ_BOOKINGS)


def test_a_stored_scope_that_no_longer_exists_grants_nothing() -> None:
    assert not grants(["admin:everything"], Scope.READ_BOOKINGS)
    assert grants(["admin:everything", "read:bookings"], Scope.READ_BOOKINGS)


def test_parse_scopes_orders_and_dedups() -> None:
    wanted = [" write:quotes", "read:bookings", "write:quotes", ""]
    assert parse_scopes(wanted) == [Scope.READ_BOOKINGS, Scope.WRITE_QUOTES]


def test_parse_scopes_refuses_unknown_and_empty() -> None:
    with pytest.raises(InvalidScope, match="unknown scope delete:bookings"):
        parse_scopes(["read:bookings", "delete:bookings"])
    with pytest.raises(InvalidScope, match="at least one"):
        parse_scopes([" "])


def test_prefix_of_accepts_only_well_formed_keys() -> None:
    assert prefix_of(KEY) == "tpk_live_1a2b3c4d"
    assert prefix_of(KEY[:-1]) is None  # secret too short
    assert prefix_of(KEY + "x") is None
    assert prefix_of(KEY.replace("tpk_live_", "tpk_test_")) is None
    assert prefix_of("tpk_live_1A2B3C4D_" + "a" * 43) is None  # the prefix is lower-case hex
    assert prefix_of("") is None


def test_hash_is_sha256_hex_and_matches_only_the_same_key() -> None:
    stored = hash_key(KEY)
    assert len(stored) == 64 and KEY not in stored
    # FIPS 180-2's test vector for "abc"
    assert hash_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert key_matches(stored, KEY)
    assert not key_matches(stored, KEY[:-1] + "y")


def test_refusal() -> None:
    assert refusal(None, None, NOW) is None
    assert refusal(None, NOW + timedelta(seconds=1), NOW) is None
    expired = refusal(None, NOW, NOW)
    assert expired == "this API key expired on 2026-12-02 18:00 UTC"
    revoked = refusal(NOW - timedelta(days=1), NOW + timedelta(days=1), NOW)
    assert revoked is not None and "revoked" in revoked


def test_last_used_is_written_at_most_once_a_minute() -> None:
    assert due_for_touch(None, NOW)
    assert not due_for_touch(NOW - timedelta(seconds=59), NOW)
    assert due_for_touch(NOW - timedelta(seconds=60), NOW)
