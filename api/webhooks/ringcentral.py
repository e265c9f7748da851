"""`POST /webhooks/ringcentral`: the validation handshake and verified notifications."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.webhooks.intake import read_bounded_body, store_event
from core.settings import Settings
from integrations.telephony.ringcentral_events import (
    RingCentralInstantMessage,
    RingCentralNotification,
)

router = APIRouter(tags=["webhooks"])
log = logging.getLogger(__name__)


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in error.errors()
    )


@router.post("/webhooks/ringcentral")
async def ringcentral_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
    settings: Settings = request.app.state.settings
    validation_token = request.headers.get("validation-token")
    if validation_token is not None:
        # Subscription handshake: echo the token within 3 s, or RingCentral refuses to subscribe.
        return JSONResponse({}, headers={"Validation-Token": validation_token})

    expected = settings.ringcentral_webhook_token.get_secret_value().encode()
    given = request.headers.get("verification-token", "").encode()
    if not hmac.compare_digest(given, expected):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong Verification-Token")

    body = await read_bounded_body(request)
    try:
        notification = RingCentralNotification.model_validate_json(body)
        if notification.is_instant_sms:
            RingCentralInstantMessage.model_validate(notification.body)
    except ValidationError as error:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"not a RingCentral notification: {_describe(error)}"
        ) from error

    event_id, is_new = await run_in_threadpool(
        store_event,
        request.app.state.engine,
        request,
        provider="ringcentral",
        event_key=notification.uuid,
        event_type=notification.event,
        body=body,
    )
    if is_new:
        background.add_task(request.app.state.forwarder.forward, event_id)
    return JSONResponse({"accepted": True, "duplicate": not is_new, "inbox_id": event_id})
