"""Telling a running quote workflow that its quote was decided (accepted or cancelled).

Best effort by design: the database already holds the decision, and the workflow reads it at
its next timer, so a signal lost while Temporal is down only delays the confirmation text.
"""

from __future__ import annotations

import logging

from temporalio.service import RPCError

from core.temporal import TemporalGateway
from workflows.quote import QuoteWorkflow, workflow_id_for

log = logging.getLogger(__name__)


async def tell_quote_decided(gateway: TemporalGateway, quote_id: int) -> bool:
    try:
        client = await gateway.client()
        handle = client.get_workflow_handle(workflow_id_for(quote_id))
        await handle.signal(QuoteWorkflow.decided)
    except (RPCError, RuntimeError, OSError, TimeoutError) as error:
        log.warning("quote %s: workflow not told of the decision yet: %s", quote_id, error)
        return False
    return True
