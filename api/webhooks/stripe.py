"""`POST /webhooks/stripe`: Stripe-Signature checked over the raw body, then the inbox."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.webhooks.intake import read_bounded_body, store_event
from core.settings import Settings
from integrations.card_payments.base import InvalidWebhookSignature, MalformedWebhook
from integrations.card_payments.stripe_checkout import parse_webhook

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
    settings: Settings = request.app.state.settings
    body = await read_bounded_body(request)
    try:
        event = parse_webhook(
            body,
            request.headers.get("stripe-signature"),
            settings.stripe_webhook_secret.get_secret_value(),
        )
    except InvalidWebhookSignature as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"Stripe-Signature rejected: {error}"
        ) from error
    except MalformedWebhook as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error

    # Stripe redelivers for days: its event id is the inbox key, so a redelivery is a no-op.
    event_id, is_new = await run_in_threadpool(
        store_event,
        request.app.state.engine,
        request,
        provider="stripe",
        event_key=event.event_id,
        event_type=event.event_type,
        body=body,
    )
    if is_new:
        background.add_task(request.app.state.forwarder.forward, event_id)
    return JSONResponse({"received": True, "duplicate": not is_new, "inbox_id": event_id})
