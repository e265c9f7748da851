"""`/webhooks/meta`: Messenger and Instagram. GET is Meta's subscription check (echo
`hub.challenge` when `hub.verify_token` matches); every POST carries `X-Hub-Signature-256` over
the raw body. Each customer message is stored in the inbox under its message id (`mid`), so a
redelivery stores nothing new; the Page's own echoes and delivery/read receipts are skipped."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.webhooks.intake import read_bounded_body, store_event
from core.settings import Settings
from integrations.meta.signature import SIGNATURE_HEADER, verify_signature
from integrations.meta.webhooks import MalformedMetaWebhook, MetaMessage, parse_delivery

router = APIRouter(tags=["webhooks"])
log = logging.getLogger(__name__)

PROVIDER = "meta"


@router.get("/webhooks/meta", response_class=PlainTextResponse)
def verify_subscription(
    request: Request,
    mode: str = Query(default="", alias="hub.mode"),
    verify_token: str = Query(default="", alias="hub.verify_token"),
    challenge: str = Query(default="", alias="hub.challenge", max_length=1000),
) -> PlainTextResponse:
    settings: Settings = request.app.state.settings
    expected = settings.meta_verify_token.get_secret_value().encode()
    if mode == "subscribe" and challenge and hmac.compare_digest(verify_token.encode(), expected):
        return PlainTextResponse(challenge)
    raise HTTPException(status.HTTP_403_FORBIDDEN, "hub.mode or hub.verify_token rejected")


def _store_all(
    engine: Engine, request: Request, messages: list[MetaMessage]
) -> list[tuple[int, bool]]:
    return [
        store_event(
            engine,
            request,
            provider=PROVIDER,
            event_key=message.event_key,
            event_type=f"{message.platform}.message",
            body=message.envelope().encode(),
        )
        for message in messages
    ]


@router.post("/webhooks/meta")
async def meta_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
    settings: Settings = request.app.state.settings
    body = await read_bounded_body(request)
    header = request.headers.get(SIGNATURE_HEADER)
    if not verify_signature(settings.meta_app_secret.get_secret_value(), body, header):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"missing or wrong {SIGNATURE_HEADER}")
    try:
        delivery = parse_delivery(body)
    except MalformedMetaWebhook as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error

    customer_messages = delivery.customer_messages
    skipped = len(delivery.echoes) + len(delivery.ignored)
    if skipped:
        # Our own sends come back as echoes; receipts change nothing we keep.
        log.info(
            "meta webhook: ignored %d echo(es) and %s",
            len(delivery.echoes),
            ", ".join(delivery.ignored) or "no other events",
        )
    stored = await run_in_threadpool(
        _store_all, request.app.state.engine, request, customer_messages
    )
    for event_id, is_new in stored:
        if is_new:
            background.add_task(request.app.state.forwarder.forward, event_id)
    new = sum(1 for _, is_new in stored if is_new)
    return JSONResponse(
        {
            "received": True,
            "stored": new,
            "duplicates": len(stored) - new,
            "skipped": skipped,
            "inbox_ids": [event_id for event_id, _ in stored],
        }
    )
