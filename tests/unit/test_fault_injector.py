"""The emulators' fault injector (sandbox.framework): counted faults and random-rate faults."""

from __future__ import annotations

from collections import Counter

from sandbox.framework import FaultInjector, FaultRequest


def _rate_fault(rate: float, seed: int = 7, **extra: object) -> FaultRequest:
    return FaultRequest.model_validate(
        {
            "path_prefix": "/restapi/",
            "rate": rate,
            "mix": ["rate_limit", "server_error", "delay"],
            "seed": seed,
            **extra,
        }
    )


def _kinds(injector: FaultInjector, requests: int) -> list[str | None]:
    hits = (injector.take("POST", f"/restapi/v1.0/sms/{n}") for n in range(requests))
    return [hit.kind if hit else None for hit in hits]


def test_a_counted_fault_hits_the_next_matching_requests_then_disarms() -> None:
    injector = FaultInjector()
    injector.arm(FaultRequest(path_prefix="/sms", kind="rate_limit", method="POST", count=2))

    assert injector.take("GET", "/sms") is None  # another method
    assert injector.take("POST", "/calls") is None  # another path
    assert [injector.take("POST", "/sms") is not None for _ in range(3)] == [True, True, False]
    assert injector.triggered == 2


def test_a_rate_fault_hits_about_that_share_of_requests_with_every_kind_and_stays_armed() -> None:
    injector = FaultInjector()
    injector.arm(_rate_fault(0.3))

    kinds = _kinds(injector, 3000)

    share = sum(kind is not None for kind in kinds) / len(kinds)
    assert 0.27 < share < 0.33
    counts = Counter(kind for kind in kinds if kind)
    assert set(counts) == {"rate_limit", "server_error", "delay"}
    assert min(counts.values()) > 0.25 * sum(counts.values())
    assert _kinds(injector, 200).count(None) < 200  # still armed after thousands of draws


def test_the_same_seed_draws_the_same_faults() -> None:
    first, second, other = FaultInjector(), FaultInjector(), FaultInjector()
    first.arm(_rate_fault(0.3, seed=11))
    second.arm(_rate_fault(0.3, seed=11))
    other.arm(_rate_fault(0.3, seed=12))

    assert _kinds(first, 100) == _kinds(second, 100)
    assert _kinds(first, 100) != _kinds(other, 100)


def test_a_drawn_fault_keeps_the_armed_retry_after_and_delay() -> None:
    injector = FaultInjector()
    injector.arm(_rate_fault(1.0, retry_after_seconds=45, delay_seconds=1.5))

    hit = injector.take("POST", "/restapi/v1.0/sms")

    assert hit is not None
    assert (hit.retry_after_seconds, hit.delay_seconds) == (45, 1.5)


def test_every_request_is_logged_with_its_fault_and_a_digest_of_its_body() -> None:
    injector = FaultInjector()
    injector.arm(FaultRequest(path_prefix="/sms", kind="server_error"))

    injector.take("POST", "/sms", b'{"text": "hi"}')
    injector.take("POST", "/sms", b'{"text": "hi"}')
    injector.take("POST", "/sms", b'{"text": "bye"}')

    first, retry, other = injector.seen
    assert (first.fault, retry.fault, other.fault) == ("server_error", None, None)
    assert first.body_digest == retry.body_digest != other.body_digest
    assert first.at <= retry.at <= other.at
    injector.clear()
    assert not injector.seen
