"""Who an activity acts as, for the audit log: the workflow that asked for it."""

from __future__ import annotations

from temporalio import activity

from domain.audit.service import Actor


def workflow_actor() -> Actor:
    return Actor.workflow(activity.info().workflow_id or "unknown")
