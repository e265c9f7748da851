"""Hands stored inbox events to Temporal, now or later.

The webhook answers as soon as the event is stored; forwarding happens after. If Temporal is
down the event stays pending and the periodic pass delivers it once Temporal is back. Starting
the same workflow id twice is harmless (reject-duplicate, use-existing), so the immediate
attempt and the periodic pass may overlap.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from core.db import session_scope
from core.temporal import TemporalGateway
from domain.inbox import service as inbox
from domain.inbox.models import InboxStatus, WebhookEvent
from workflows.routing import UnroutableEvent, WorkflowStart, route

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _StoredEvent:
    id: int
    provider: str
    body: str
    event_key: str


class InboxForwarder:
    def __init__(self, engine: Engine, gateway: TemporalGateway, task_queue: str) -> None:
        self._engine = engine
        self._gateway = gateway
        self._task_queue = task_queue

    async def forward(self, event_id: int) -> bool:
        """True once the event is with Temporal (or deliberately ignored)."""
        event = await asyncio.to_thread(self._load_pending, event_id)
        if event is None:
            return True
        try:
            start = route(event.provider, event.body, event.event_key)
        except (UnroutableEvent, ValidationError, ValueError) as error:
            log.info("inbox event %s ignored: %s", event.id, error)
            await asyncio.to_thread(self._mark, event.id, None, None)
            return True
        try:
            await self._start(start)
        except (RPCError, RuntimeError, OSError, TimeoutError) as error:
            log.warning("inbox event %s waits for Temporal: %s", event.id, error)
            await asyncio.to_thread(self._mark, event.id, None, f"{type(error).__name__}: {error}")
            return False
        await asyncio.to_thread(self._mark, event.id, start.workflow_id, None)
        return True

    async def forward_pending(self, limit: int = 100) -> int:
        """One pass over what is waiting; returns how many reached Temporal."""
        ids = await asyncio.to_thread(self._pending_ids, limit)
        delivered = 0
        for event_id in ids:
            if not await self.forward(event_id):
                break  # Temporal is down: the rest would fail the same way
            delivered += 1
        return delivered

    async def run_forever(self, interval_seconds: float) -> None:
        while True:
            try:
                await self.forward_pending()
            except Exception:
                log.exception("inbox forwarding pass failed")
            await asyncio.sleep(interval_seconds)

    async def _start(self, start: WorkflowStart) -> None:
        client = await self._gateway.client()
        signal: dict[str, Any] = (
            {"start_signal": start.signal, "start_signal_args": [start.signal_argument]}
            if start.signal
            else {"id_conflict_policy": WorkflowIDConflictPolicy.USE_EXISTING}
        )
        try:
            await client.start_workflow(
                start.workflow,
                start.argument,
                id=start.workflow_id,
                task_queue=self._task_queue,
                id_reuse_policy=(
                    WorkflowIDReusePolicy.ALLOW_DUPLICATE
                    if start.restart_if_closed
                    else WorkflowIDReusePolicy.REJECT_DUPLICATE
                ),
                **signal,
            )
        except WorkflowAlreadyStartedError:
            # Closed already: a late event of a call that ended, or a message handled before.
            log.debug("workflow %s already ran", start.workflow_id)

    def _load_pending(self, event_id: int) -> _StoredEvent | None:
        with session_scope(self._engine) as session:
            event = session.get(WebhookEvent, event_id)
            if event is None or event.status != InboxStatus.PENDING:
                return None
            return _StoredEvent(event.id or 0, event.provider, event.body, event.event_key)

    def _pending_ids(self, limit: int) -> list[int]:
        with session_scope(self._engine) as session:
            return [event.id or 0 for event in inbox.pending(session, limit)]

    def _mark(self, event_id: int, workflow_id: str | None, error: str | None) -> None:
        with session_scope(self._engine) as session:
            if error is not None:
                inbox.mark_attempt_failed(session, event_id, error)
            else:
                inbox.mark_forwarded(session, event_id, workflow_id)
