"""The shared half of every webhook: bounded body, store in the inbox, forward after commit."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from core.db import session_scope
from domain.inbox import service as inbox

MAX_BODY_BYTES = 256 * 1024

# Headers worth keeping with the event for later debugging; never authorisation material.
_KEPT_HEADERS = ("content-type", "user-agent", "x-request-id")


async def read_bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, "body over 256 KiB")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "body over 256 KiB")
    return body


def store_event(
    engine: Engine,
    request: Request,
    *,
    provider: str,
    event_key: str,
    event_type: str,
    body: bytes,
) -> tuple[int, bool]:
    """Commits the event before the webhook answers; returns (inbox id, first delivery?)."""
    headers = {name: request.headers[name] for name in _KEPT_HEADERS if name in request.headers}
    with session_scope(engine) as session:
        event, is_new = inbox.accept(
            session,
            provider=provider,
            event_key=event_key,
            event_type=event_type,
            body=body.decode("utf-8"),
            headers=headers,
        )
        return event.id or 0, is_new
