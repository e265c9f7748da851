"""Open tasks, oldest first: callbacks for missed calls and the rest. Anyone may mark one done
or dismiss it."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from admin_ui.auth import AnyUser, PostedForm, actor_of, flash
from admin_ui.lookups import chef_names, customer_names
from admin_ui.web import CALLBACK, business_timezone, engine_of, redirect, render, text_field
from core.db import session_scope
from core.errors import NotFoundError, TeppanError
from domain.tasks import service as tasks
from domain.tasks.models import TaskStatus

router = APIRouter(prefix="/tasks")

KIND_TITLES = {CALLBACK: "Callbacks", "": "Open tasks"}
#: What each button does (the last part of its path), and the word the flash uses.
CLOSINGS = {"done": (TaskStatus.DONE, "Done"), "dismiss": (TaskStatus.DISMISSED, "Dismissed")}


@router.get("", name="tasks")
def task_list(
    request: Request, _user: AnyUser, kind: str = Query(default="", max_length=40)
) -> Response:
    with Session(engine_of(request)) as session:
        found = tasks.open_tasks(session, kind or None)
        context = {
            "kind": kind,
            "title": KIND_TITLES.get(kind, f"Open {kind} tasks"),
            "tasks": found,
            "customers": customer_names(
                session, [task.customer_id for task in found if task.customer_id is not None]
            ),
            "staff": chef_names(session, [task.assigned_staff_id for task in found]),
            "timezone": business_timezone(session),
        }
    return render(request, "tasks/list.html", context)


@router.post("/{task_id}/{closing}")
def close(
    request: Request, user: AnyUser, form: PostedForm, task_id: int, closing: str
) -> Response:
    kind = text_field(form, "kind")
    if closing not in CLOSINGS:
        raise NotFoundError("no such action on a task")
    status, verb = CLOSINGS[closing]
    try:
        with session_scope(engine_of(request)) as session:
            task = tasks.close_task(session, task_id, status, actor_of(user))
            title = task.title
    except TeppanError as error:
        flash(request, f"Not changed: {error.message}")
        return redirect(request, "/tasks", kind=kind)
    flash(request, f"{verb}: {title}.")
    return redirect(request, "/tasks", kind=kind)
