"""Tasks for staff. A task raised by a workflow carries a source key, so a retry adds one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from core.errors import ConflictError, NotFoundError
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.tasks.models import Task, TaskStatus


def raise_task(
    session: Session,
    *,
    kind: str,
    title: str,
    details: str,
    source_key: str,
    actor: Actor,
    customer_id: int | None = None,
    booking_id: int | None = None,
    assigned_staff_id: int | None = None,
    due_at: datetime | None = None,
) -> Task:
    existing = session.exec(select(Task).where(Task.source_key == source_key)).first()
    if existing is not None:
        return existing
    task = Task(
        kind=kind,
        title=title[:200],
        details=details[:4000],
        source_key=source_key,
        customer_id=customer_id,
        booking_id=booking_id,
        assigned_staff_id=assigned_staff_id,
        due_at=due_at,
    )
    session.add(task)
    session.flush()
    audit.record(session, actor, "task.create", "task", task.id, {"kind": kind}, title)
    return task


def open_tasks(session: Session, kind: str | None = None) -> list[Task]:
    query = select(Task).where(Task.status == TaskStatus.OPEN)
    if kind is not None:
        query = query.where(Task.kind == kind)
    return list(session.exec(query.order_by(col(Task.created_at))).all())


def close_task(session: Session, task_id: int, status: TaskStatus, actor: Actor) -> Task:
    """Marks an open task done or dismissed, with its audit entry (a closed one is refused)."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError(f"task {task_id} not found")
    if task.status != TaskStatus.OPEN:
        raise ConflictError(f"this task is already {task.status.value}")
    task.status = status
    task.completed_at = utcnow()
    session.add(task)
    action = "task.complete" if status == TaskStatus.DONE else "task.dismiss"
    verb = "Done" if status == TaskStatus.DONE else "Dismissed"
    audit.record(
        session,
        actor,
        action,
        "task",
        task.id,
        {"status": [TaskStatus.OPEN.value, status.value]},
        f"{verb}: {task.title}",
    )
    return task
