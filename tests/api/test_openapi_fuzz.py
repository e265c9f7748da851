"""Property-based fuzzing of every operation in the OpenAPI schema (schemathesis): no request,
however odd, gets a 5xx, every 4xx says in words what was wrong, and every documented answer
matches the schema.

Bounded and repeatable: `derandomize` (the same cases every run), a few examples per operation
and mode, and no shrinking. Shrinking a failure replays the operation hundreds of times, which
is what made an earlier version look hung on PostgreSQL: report the failing case as found.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

import hypothesis.strategies as st
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.python.asgi import ASGIClient, get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import Engine
from sqlmodel import Session

from domain.accounts import service as accounts
from domain.accounts.models import Role
from domain.api_keys import service as api_keys
from domain.api_keys.models import Scope
from domain.audit.service import SYSTEM
from domain.quotes import service as quotes
from domain.quotes.schemas import QuoteCreate
from tests import factories
from tests.api.conftest import _basic

EXAMPLES_PER_OPERATION = 6
MANAGER = ("fuzz-manager@example.com", "fuzz-manager-password")


def error_says_what_was_wrong(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is JSON `{"error": {"code": …, "message": <words>}}` (api/errors.py)."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = _header(response, "content-type")
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered {content_type or 'no content type'}, not the JSON error"
    )
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    assert isinstance(message, str) and message.strip(), (
        f"{response.status_code} without a human-readable error.message: {body!r}"
    )
    return True


def no_server_error_but_ready_503(ctx: Any, response: Any, case: Any) -> bool | None:
    """/ready answers 503 while Temporal is down (it is, in these tests): that is its job, and
    then it must say that Temporal, and only Temporal, is what is down."""
    if case.operation.path == "/ready" and response.status_code == 503:
        assert response.json() == {
            "ready": False,
            "checks": {"database": "ok", "temporal": "unreachable"},
        }, response.text
        return True
    return not_a_server_error(ctx, response, case)


CHECKS = [
    no_server_error_but_ready_503,
    response_schema_conformance,
    content_type_conformance,
    error_says_what_was_wrong,
]


def _header(response: Any, name: str) -> str:
    value = response.headers.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "")


def _seed(engine: Engine) -> list[dict[str, str]]:
    """One of each resource (ids start at 1, where generated ids often land, so the handlers
    find rows to read, change and delete; the booking came from the quote, as most do), and
    the two ways to sign in: a manager's panel
    login (extensions need a manager) and an API key holding every scope."""
    with Session(engine, expire_on_commit=False) as session:
        accounts.create_user(
            session,
            email=MANAGER[0],
            full_name="Fuzz Manager",
            password=MANAGER[1],
            role=Role.MANAGER,
            actor=SYSTEM,
        )
        customer = factories.customer(session)
        booking = factories.booking(session, customer.id or 0, chef_id=factories.chef(session).id)
        factories.owner_on_primary_extension(session, "+15105550199")
        quote = quotes.create(
            session,
            QuoteCreate(customer_id=customer.id, address="1234 Bernal Ave, Pleasanton", adults=9),
            SYSTEM,
        ).quote
        quote.booking_id = booking.id  # accepted: the booking has a history to keep
        key = api_keys.create(session, name="Fuzzer", scopes=[s.value for s in Scope], actor=SYSTEM)
        session.commit()
    return [{"Authorization": _basic(*MANAGER)}, {"Authorization": f"Bearer {key.key}"}]


def _has_input(operation: Any) -> bool:
    """Negative cases need something to break: a parameter or a documented body."""
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody"))


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    client: ASGIClient,
    credentials: list[dict[str, str]],
    answers: Counter[tuple[str, int]],
) -> None:
    @given(case=operation.as_strategy(mode), auth=st.sampled_from(credentials))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def examples(case: Any, auth: dict[str, str]) -> None:
        # Signed in on every call, or every case would stop at the door with a 401.
        response = case.call_and_validate(session=client, headers=auth, checks=CHECKS)
        answers[(operation.label, response.status_code)] += 1

    examples()


def test_every_operation_answers_without_5xx_and_every_4xx_says_why(
    app: FastAPI, engine: Engine
) -> None:
    credentials = _seed(engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations: list[Any] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # a route whose schema cannot be read is a failure too
            raise result.err()
        operations.append(result.ok())
    # A client that is not entered: schemathesis would otherwise start the app's lifespan (the
    # periodic inbox forwarder) and keep it running, on this engine, through later tests.
    client = get_client(cast(Any, app))  # an ASGI app: FastAPI's scope type is wider
    answers: Counter[tuple[str, int]] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        # Valid requests (must succeed or say why not) and invalid ones (refused, clearly).
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, client, credentials, answers)
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE or _has_input(operation):
                    failures.append(f"{operation.label} ({mode.value}): no case generated")
            except (Exception, BaseExceptionGroup) as error:  # collect all, then fail once
                failures.append(f"{operation.label} ({mode.value}): {error}")
    elapsed = time.monotonic() - started
    fuzzed = {label for label, _ in answers}
    succeeded = {label for label, status in answers if status < 300}
    print(
        f"fuzzed {len(fuzzed)} operations with {answers.total()} requests in {elapsed:.1f} s;"
        f" {len(succeeded)} of them answered 2xx at least once;"
        f" never: {sorted(fuzzed - succeeded)}"
    )
    assert not failures, "\n\n".join(failures)
    # A route added later is fuzzed without anyone listing it here.
    assert len(fuzzed) == len(operations) == _operation_count(app)
    # The cases reached the handlers: the manager and the all-scopes key are never turned away.
    # (Webhooks are, rightly: a fuzzed body carries no provider's signature.)
    refused = sorted(
        f"{label}: {status}"
        for label, status in answers
        if status in (401, 403) and " /api/" in label
    )
    assert not refused, refused


def _operation_count(app: FastAPI) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return sum(len(methods & set(item)) for item in app.openapi()["paths"].values())
