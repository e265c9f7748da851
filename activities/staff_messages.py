"""Activities of StaffMessageWorkflow: read the stored reply, and take the last look before it
goes (a scheduled reply someone cancelled is never sent)."""

from __future__ import annotations

from sqlalchemy import Engine
from temporalio import activity

from activities.actor import workflow_actor
from core.db import session_scope
from core.errors import NotFoundError
from domain.messaging import staff_replies
from domain.messaging.models import Message
from domain.messaging.payloads_staff import (
    StaffMessageInput,
    StaffMessagePlan,
    StaffMessageRelease,
)


class StaffMessageActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn
    def load_staff_message(self, request: StaffMessageInput) -> StaffMessagePlan:
        with session_scope(self._engine) as session:
            message = session.get(Message, request.message_id)
            if message is None or message.conversation_id is None:
                raise NotFoundError(f"no staff reply {request.message_id}")
            return StaffMessagePlan(
                message_id=message.id or 0,
                conversation_id=message.conversation_id,
                channel=message.channel,
                status=message.status.value,
                scheduled_for=message.scheduled_for,
                idempotency_key=message.idempotency_key or "",
                from_address=message.from_address,
                to_address=message.to_address,
                text=message.body,
                sent_by=message.sent_by,
            )

    @activity.defn
    def release_staff_message(self, request: StaffMessageInput) -> StaffMessageRelease:
        with session_scope(self._engine) as session:
            if not staff_replies.release_for_sending(session, request.message_id, workflow_actor()):
                return StaffMessageRelease(send=False, reason="cancelled")
        return StaffMessageRelease(send=True)
