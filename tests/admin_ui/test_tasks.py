from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.audit.models import AuditEntry
from domain.customers.models import Customer
from domain.staff.models import StaffMember
from domain.tasks.models import Task, TaskStatus
from tests.admin_ui.conftest import STAFF, csrf_of, login

NOW = datetime.now(UTC)


def _task(
    engine: Engine, title: str, age_hours: int, kind: str = "callback", **fields: object
) -> int:
    with Session(engine) as session:
        task = Task(
            kind=kind,
            title=title,
            details=f"{title}: nobody could take the call.",
            created_at=NOW - timedelta(hours=age_hours),
            **fields,  # type: ignore[arg-type]
        )
        session.add(task)
        session.commit()
        assert task.id is not None
        return task.id


def _task_row(engine: Engine, task_id: int) -> Task:
    with Session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def test_callbacks_done_and_dismissed(client: TestClient, engine: Engine) -> None:
    login(client, STAFF)
    empty = client.get("/admin/tasks", params={"kind": "callback"})
    assert empty.status_code == 200
    assert "No callbacks waiting" in empty.text
    assert 'id="callbacks-open"' not in empty.text

    with Session(engine) as session:
        nguyen = session.exec(select(Customer).where(Customer.full_name == "Jennifer Nguyen")).one()
        ana = session.exec(select(StaffMember).where(StaffMember.full_name == "Ana Lopez")).one()
    newer = _task(engine, "Call back (408) 555-0199", 1)
    older = _task(
        engine,
        "Call back Jennifer Nguyen",
        5,
        customer_id=nguyen.id,
        assigned_staff_id=ana.id,
    )
    _task(engine, "Check the review", 9, kind="review_followup")

    page = client.get("/admin/tasks", params={"kind": "callback"})
    text = page.text
    assert 'id="callbacks-open">2<' in text  # the menu's count
    assert "Check the review" not in text
    assert text.index("Call back Jennifer Nguyen") < text.index("Call back (408) 555-0199")
    assert f'href="/admin/customers/{nguyen.id}"' in text and "Ana Lopez" in text
    assert "nobody could take the call." in text
    dashboard = client.get("/admin/")
    assert 'id="callbacks-waiting">2<' in dashboard.text
    assert 'href="/admin/tasks?kind=callback"' in dashboard.text

    token = csrf_of(text)
    forged = client.post(f"/admin/tasks/{older}/done", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert _task_row(engine, older).status == TaskStatus.OPEN

    done = client.post(f"/admin/tasks/{older}/done", data={"csrf_token": token, "kind": "callback"})
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/tasks?kind=callback"
    task = _task_row(engine, older)
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    after = client.get(done.headers["location"])
    assert "Done: Call back Jennifer Nguyen." in after.text
    assert 'id="callbacks-open">1<' in after.text

    dismissed = client.post(
        f"/admin/tasks/{newer}/dismiss", data={"csrf_token": token, "kind": "callback"}
    )
    assert dismissed.status_code == 303
    assert _task_row(engine, newer).status == TaskStatus.DISMISSED
    assert "No callbacks waiting" in client.get("/admin/tasks?kind=callback").text

    again = client.post(
        f"/admin/tasks/{newer}/done", data={"csrf_token": token, "kind": "callback"}
    )
    assert (
        "Not changed: this task is already dismissed" in client.get(again.headers["location"]).text
    )
    assert _task_row(engine, newer).status == TaskStatus.DISMISSED
    assert (
        client.post(f"/admin/tasks/{newer}/reopen", data={"csrf_token": token}).status_code == 404
    )

    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity_type == "task").order_by(col(AuditEntry.id))
        ).all()
    assert [(e.action, e.entity_id, e.actor_name) for e in entries] == [
        ("task.complete", str(older), "Jessica Wu"),
        ("task.dismiss", str(newer), "Jessica Wu"),
    ]
    assert entries[0].changes == {"status": ["open", "done"]}

    everything = client.get("/admin/tasks")
    assert "Check the review" in everything.text and "review_followup" in everything.text
