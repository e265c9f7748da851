"""Who an activity acts as, for the audit log (the workflow that asked for it), and what time
it is for the activity."""

from __future__ import annotations

from datetime import datetime

from temporalio import activity

from core.timeutil import utcnow
from domain.audit.service import Actor


def workflow_actor() -> Actor:
    return Actor.workflow(activity.info().workflow_id or "unknown")


def server_now() -> datetime:
    """Temporal's clock when this attempt was scheduled: the wall clock in production, and the
    skipped-ahead clock under the time-skipping test server, so rules about hours and windows
    follow the workflow's own notion of time."""
    try:
        return activity.info().current_attempt_scheduled_time
    except RuntimeError:  # called outside an activity (a script, a test of the service)
        return utcnow()
