"""The messaging inbox in the admin panel, on the demo business: the list and its filters, one
conversation (read on opening, bookings beside it), replies now and later, hand-off buttons,
the live-update endpoint, roles, CSRF and escaping."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.audit.models import AuditEntry
from domain.audit.service import SYSTEM
from domain.bookings.models import Booking
from domain.customers.models import Channel, Customer
from domain.inbox.models import WebhookEvent
from domain.inbox.service import INTERNAL_PROVIDER
from domain.messaging import conversations
from domain.messaging.models import (
    Conversation,
    ConversationState,
    Message,
    MessageDirection,
    MessageKind,
    MessageStatus,
)
from domain.messaging.outbox import STAFF_MESSAGE_QUEUED
from domain.messaging.payloads import InboundMessage
from domain.staff.models import StaffMember
from tests.admin_ui.conftest import (
    MANAGER,
    STAFF,
    FakeForwarder,
    csrf_of,
    form_token,
    signed_in,
)
from workflows.routing import route
from workflows.staff_message import StaffMessageWorkflow

BUSINESS_PHONE = "+15105550100"
PACIFIC = ZoneInfo("America/Los_Angeles")


def _receive(
    engine: Engine,
    text: str,
    *,
    channel: Channel = Channel.SMS,
    sender: str = "+15105550111",  # Jennifer Nguyen, a demo customer
    name: str | None = None,
    ago: timedelta = timedelta(minutes=5),
) -> int:
    """A customer's message, recorded as the conversation workflow records it."""
    with Session(engine, expire_on_commit=False) as session:
        received = conversations.receive(
            session,
            InboundMessage(
                channel=channel,
                external_id=uuid.uuid4().hex,
                from_address=sender,
                to_address=BUSINESS_PHONE if channel == Channel.SMS else "page-1",
                text=text,
                received_at=datetime.now(UTC) - ago,
                sender_name=name,
            ),
            SYSTEM,
        )
        session.commit()
        return received.conversation.id or 0


def _conversation(engine: Engine, conversation_id: int) -> Conversation:
    with Session(engine) as session:
        found = session.get(Conversation, conversation_id)
        assert found is not None
        return found


def _staff_id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        member = session.exec(select(StaffMember).where(StaffMember.full_name == name)).one()
        return member.id or 0


def _outbound(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Message)
                .where(Message.direction == MessageDirection.OUTBOUND)
                .order_by(col(Message.id))
            ).all()
        )


def _names_in_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: html.index(name))


def _post(client: TestClient, path: str, form_page: str, **data: str) -> Any:
    """Posts a form of the page, with the CSRF token the page carries."""
    return client.post(path, data={"csrf_token": form_token(client, form_page), **data})


# --- the list -------------------------------------------------------------------------------------


def test_an_empty_inbox_says_what_will_appear(app: FastAPI) -> None:
    staff = signed_in(app, STAFF)
    page = staff.get("/admin/inbox")
    assert page.status_code == 200
    assert "No conversations yet." in page.text
    assert 'id="inbox-list"' in page.text and "hidden" in page.text
    assert 'id="inbox-unread"' not in page.text  # nothing unread: no count in the menu


def test_the_list_shows_the_newest_first_with_unread_channels_and_state(
    app: FastAPI, engine: Engine
) -> None:
    _receive(engine, "Are you free on Dec 12?", ago=timedelta(hours=2))
    _receive(engine, "For 20 people, in Pleasanton", ago=timedelta(hours=1))
    sofia = _receive(engine, "I want to talk to a person", sender="+19255550113")
    _receive(
        engine,
        "Hi! Do you do birthday parties?",
        channel=Channel.MESSENGER,
        sender="psid-lena",
        name="Lena Park",
        ago=timedelta(minutes=30),
    )
    with Session(engine) as session:
        conversation = session.get(Conversation, sofia)
        assert conversation is not None
        conversations.hand_off(
            session, conversation, _staff_id(engine, "Ana Lopez"), "asked for a person", SYSTEM
        )
        session.commit()

    page = signed_in(app, STAFF).get("/admin/inbox")
    assert page.status_code == 200
    html = page.text
    names = ["Sofia Ramirez", "Lena Park", "Jennifer Nguyen"]
    assert _names_in_order(html, names) == names  # the latest message first
    assert "For 20 people, in Pleasanton" in html  # the last message's preview
    assert "Are you free on Dec 12?" not in html
    assert re.search(r"Jennifer Nguyen</a> <span class=\"count-badge\"[^>]*>2</span>", html)
    assert '<span class="channel channel-messenger">Messenger</span>' in html
    assert '<span class="channel channel-sms">SMS</span>' in html
    assert "with Ana Lopez" in html and ">AI<" in html
    assert '<span class="count-badge" id="inbox-unread">4</span>' in html  # the menu's total


def test_filters_and_search(app: FastAPI, engine: Engine) -> None:
    jennifer = _receive(engine, "Hello")
    sofia = _receive(engine, "A person please", sender="+19255550113")
    _receive(engine, "Hi from Insta", channel=Channel.INSTAGRAM, sender="ig-1", name="Ivy Chen")
    with Session(engine) as session:
        conversation = session.get(Conversation, sofia)
        assert conversation is not None
        conversations.hand_off(
            session, conversation, _staff_id(engine, "Ana Lopez"), "asked for a person", SYSTEM
        )
        read = session.get(Conversation, jennifer)
        assert read is not None
        conversations.mark_read(session, read, SYSTEM)
        session.commit()
    manager = signed_in(app, MANAGER)  # Ana Lopez, who has Sofia

    def shown(**query: str) -> set[str]:
        html = manager.get("/admin/inbox", params=query).text
        return {name for name in ("Jennifer Nguyen", "Sofia Ramirez", "Ivy Chen") if name in html}

    assert shown() == {"Jennifer Nguyen", "Sofia Ramirez", "Ivy Chen"}
    assert shown(show="unread") == {"Sofia Ramirez", "Ivy Chen"}
    assert shown(show="handed_off") == {"Sofia Ramirez"}
    assert shown(show="mine") == {"Sofia Ramirez"}
    assert shown(channel="instagram") == {"Ivy Chen"}
    assert shown(channel="sms", show="unread") == {"Sofia Ramirez"}
    assert shown(q="jennif") == {"Jennifer Nguyen"}
    assert shown(q="925-555-0113") == {"Sofia Ramirez"}
    nothing = manager.get("/admin/inbox", params={"q": "Zebedee"})
    assert "No conversation matches" in nothing.text and "Zebedee" in nothing.text
    # Nothing is Jessica's (the staff login is her staff record): Sofia is Ana's.
    mine = signed_in(app, STAFF).get("/admin/inbox", params={"show": "mine"})
    assert mine.status_code == 200 and "Sofia Ramirez" not in mine.text


def test_the_list_pages(app: FastAPI, engine: Engine) -> None:
    for number in range(27):
        _receive(
            engine,
            f"Message {number}",
            channel=Channel.MESSENGER,
            sender=f"psid-{number}",
            name=f"Lead Number{number:02d}",
            ago=timedelta(minutes=100 - number),
        )
    staff = signed_in(app, STAFF)
    first = staff.get("/admin/inbox").text
    assert "Lead Number26" in first and "Lead Number02" in first
    assert "Lead Number01" not in first and "27 conversations" in first
    second = staff.get("/admin/inbox", params={"page": 2}).text
    assert "Lead Number01" in second and "Lead Number00" in second
    assert "Lead Number26" not in second


def test_mark_read_from_the_list_keeps_the_filter(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Hello")
    staff = signed_in(app, STAFF)
    response = _post(
        staff,
        f"/admin/inbox/{conversation_id}/read",
        "/admin/inbox",
        show="unread",
        channel="sms",
        q="",
        page="1",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/inbox?show=unread&channel=sms"
    assert _conversation(engine, conversation_id).unread_count == 0


# --- one conversation -----------------------------------------------------------------------------


def test_opening_a_conversation_reads_it_and_shows_thread_and_bookings(
    app: FastAPI, engine: Engine
) -> None:
    conversation_id = _receive(engine, "Can we move the party to 7pm?")
    _receive(engine, "Also, add 5 guests", ago=timedelta(minutes=1))
    assert _conversation(engine, conversation_id).unread_count == 2
    with Session(engine) as session:
        jennifer = session.exec(select(Customer).where(Customer.phone == "+15105550111")).one()
        booking = session.exec(select(Booking).where(Booking.customer_id == jennifer.id)).first()
        assert booking is not None

    page = signed_in(app, STAFF).get(f"/admin/inbox/{conversation_id}")
    assert page.status_code == 200
    assert _conversation(engine, conversation_id).unread_count == 0
    html = page.text
    assert html.index("Can we move the party to 7pm?") < html.index("Also, add 5 guests")
    assert booking.reference in html  # the customer's bookings beside the thread
    assert "America/Los_Angeles" in html
    # The reply goes where she wrote: SMS is the only channel, and it is chosen.
    assert '<option value="sms" selected>SMS</option>' in html
    # Quick replies: the fixed ones, the price from the settings, the business's FAQ.
    assert "What we bring" in html and "$60.00 per adult" in html
    with Session(engine) as session:
        [read] = session.exec(
            select(AuditEntry).where(AuditEntry.action == "conversation.read")
        ).all()
        assert read.actor_name == "Jessica Wu"


def test_times_are_shown_in_the_business_time_zone(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Hello")
    with Session(engine) as session:
        message = session.exec(select(Message)).one()
        message.created_at = datetime(2026, 1, 14, 18, 5, tzinfo=UTC)  # 10:05 AM in Fremont
        session.add(message)
        session.commit()
    page = signed_in(app, STAFF).get(f"/admin/inbox/{conversation_id}")
    assert "Wed 14 Jan, 10:05 AM" in page.text


def test_the_reply_channel_defaults_to_the_last_inbound_one(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(
        engine, "Hi on Messenger", channel=Channel.MESSENGER, sender="psid-9", name="Lena Park"
    )
    html = signed_in(app, STAFF).get(f"/admin/inbox/{conversation_id}").text
    assert '<option value="messenger" selected>Messenger</option>' in html
    assert 'value="sms"' not in html  # no phone number for her: only Messenger


# --- replies --------------------------------------------------------------------------------------


def test_a_reply_is_queued_and_its_workflow_event_enqueued(
    app: FastAPI, engine: Engine, forwarder: FakeForwarder
) -> None:
    conversation_id = _receive(engine, "Do you have vegetarian options?")
    manager = signed_in(app, MANAGER)
    page = f"/admin/inbox/{conversation_id}"
    response = _post(
        manager,
        f"{page}/reply",
        page,
        channel="sms",
        body="Yes: tofu and vegetables on the grill.",
        send_at="",
    )
    assert response.status_code == 303
    [reply] = _outbound(engine)
    assert reply.status == MessageStatus.PENDING and reply.kind == MessageKind.CONVERSATION
    assert reply.body == "Yes: tofu and vegetables on the grill."
    assert (reply.from_address, reply.to_address) == (BUSINESS_PHONE, "+15105550111")
    assert reply.idempotency_key == f"staff:{reply.id}"
    assert reply.sent_by.startswith("user:") and reply.scheduled_for is None
    with Session(engine) as session:
        [event] = session.exec(
            select(WebhookEvent).where(WebhookEvent.event_type == STAFF_MESSAGE_QUEUED)
        ).all()
        [audited] = session.exec(select(AuditEntry).where(AuditEntry.action == "message.reply"))
        assert audited.actor_name == "Ana Lopez"
    assert event.provider == INTERNAL_PROVIDER and json.loads(event.body)["message_id"] == reply.id
    assert forwarder.forwarded == [event.id]  # handed to Temporal after the commit
    start = route(event.provider, event.body, event.event_key)
    assert start.workflow == StaffMessageWorkflow.__name__
    assert start.workflow_id == f"staff-message-{reply.id}"

    thread = manager.get(page).text
    assert "Yes: tofu and vegetables on the grill." in thread and "sending…" in thread


def test_a_reply_for_later_is_scheduled_and_can_be_cancelled(
    app: FastAPI, engine: Engine, forwarder: FakeForwarder
) -> None:
    conversation_id = _receive(engine, "Text me the menu tomorrow morning")
    tomorrow = datetime.now(PACIFIC).date() + timedelta(days=1)
    staff = signed_in(app, STAFF)
    page = f"/admin/inbox/{conversation_id}"
    response = _post(
        staff,
        f"{page}/reply",
        page,
        channel="sms",
        body="Good morning! Here is our menu.",
        send_at=f"{tomorrow.isoformat()}T09:30",
    )
    assert response.status_code == 303
    [reply] = _outbound(engine)
    assert reply.status == MessageStatus.SCHEDULED
    local = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 30, tzinfo=PACIFIC)
    assert reply.scheduled_for == local.astimezone(UTC)
    assert len(forwarder.forwarded) == 1  # the workflow starts now and waits

    html = staff.get(page).text
    assert f"scheduled for {local.strftime('%a %-d %b')}, 9:30 AM" in html
    cancel_path = f"{page}/messages/{reply.id}/cancel"
    assert f'action="/admin{cancel_path.removeprefix("/admin")}"' in html
    cancelled = staff.post(cancel_path, data={"csrf_token": csrf_of(html)})
    assert cancelled.status_code == 303
    [after] = _outbound(engine)
    assert after.status == MessageStatus.SUPPRESSED
    html = staff.get(page).text
    assert "not sent: cancelled by Jessica Wu" in html and cancel_path not in html
    again = staff.post(cancel_path, data={"csrf_token": csrf_of(html)})
    assert again.status_code == 303
    assert "Not cancelled" in staff.get(page).text


def test_a_refused_reply_keeps_what_was_typed(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Hello")
    staff = signed_in(app, STAFF)
    page = f"/admin/inbox/{conversation_id}"

    empty = _post(staff, f"{page}/reply", page, channel="sms", body="   ", send_at="")
    assert empty.status_code == 422
    assert "Write a message first." in empty.text

    elsewhere = _post(staff, f"{page}/reply", page, channel="instagram", body="Hi!", send_at="")
    assert elsewhere.status_code == 422
    assert "cannot be reached on Instagram" in elsewhere.text
    assert ">Hi!</textarea>" in elsewhere.text

    garbled = _post(staff, f"{page}/reply", page, channel="sms", body="Hi", send_at="soon")
    assert garbled.status_code == 422
    assert "not a date and time" in garbled.text
    assert _outbound(engine) == []


def test_a_messenger_reply_past_seven_days_is_refused_up_front(
    app: FastAPI, engine: Engine
) -> None:
    conversation_id = _receive(
        engine,
        "Hi",
        channel=Channel.MESSENGER,
        sender="psid-old",
        name="Lena Park",
        ago=timedelta(days=8),
    )
    staff = signed_in(app, STAFF)
    page = f"/admin/inbox/{conversation_id}"
    refused = _post(staff, f"{page}/reply", page, channel="messenger", body="Still there?")
    assert refused.status_code == 422
    assert "Meta would refuse it" in refused.text
    assert _outbound(engine) == []


# --- hand-off -------------------------------------------------------------------------------------


def test_take_over_hand_back_and_assign(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "I have a complaint")
    manager = signed_in(app, MANAGER)
    page = f"/admin/inbox/{conversation_id}"

    assert _post(manager, f"{page}/take-over", page).status_code == 303
    taken = _conversation(engine, conversation_id)
    assert taken.state == ConversationState.HANDED_OFF
    assert taken.assigned_staff_id == _staff_id(engine, "Ana Lopez")
    assert "with Ana Lopez" in manager.get(page).text

    marco = _staff_id(engine, "Marco Rossi")
    assert _post(manager, f"{page}/assign", page, staff_id=str(marco)).status_code == 303
    assert _conversation(engine, conversation_id).assigned_staff_id == marco
    assert "with Marco Rossi" in manager.get(page).text

    assert _post(manager, f"{page}/hand-back", page).status_code == 303
    back = _conversation(engine, conversation_id)
    assert back.state == ConversationState.AUTOMATED
    html = manager.get(page).text
    assert "Handed back: the AI answers this customer again." in html

    assert _post(manager, f"{page}/close", page).status_code == 303
    assert _conversation(engine, conversation_id).state == ConversationState.CLOSED


def test_staff_take_over_but_only_managers_assign(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Can I speak to someone?")
    staff = signed_in(app, STAFF)
    page = f"/admin/inbox/{conversation_id}"
    html = staff.get(page).text
    assert "Assign to…" not in html  # not offered

    refused = _post(staff, f"{page}/assign", page, staff_id=str(_staff_id(engine, "Marco Rossi")))
    assert refused.status_code == 403
    assert _conversation(engine, conversation_id).assigned_staff_id is None

    assert _post(staff, f"{page}/take-over", page).status_code == 303
    taken = _conversation(engine, conversation_id)
    assert taken.state == ConversationState.HANDED_OFF
    assert taken.assigned_staff_id == _staff_id(engine, "Jessica Wu")


# --- live updates ---------------------------------------------------------------------------------


def test_updates_bring_new_messages_statuses_and_the_list(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "First")
    staff = signed_in(app, STAFF)
    staff.get(f"/admin/inbox/{conversation_id}")  # read
    with Session(engine, expire_on_commit=False) as session:
        [first] = session.exec(select(Message)).all()
    _receive(engine, "Second, while the page is open", ago=timedelta(seconds=1))

    polled = staff.get(
        "/admin/inbox/updates",
        params={"conversation": conversation_id, "after": first.id, "list": "1"},
        headers={"Accept": "application/json"},
    )
    assert polled.status_code == 200
    data = polled.json()
    [fresh] = data["messages"]
    assert fresh["text"] == "Second, while the page is open" and fresh["inbound"]
    assert fresh["who"] == "Jennifer Nguyen" and fresh["channel"] == "SMS"
    assert data["unread_total"] == 1 and data["state"] == "AI"
    [row] = data["rows"]
    assert row["name"] == "Jennifer Nguyen" and row["unread"] == 1
    assert row["preview"] == "Second, while the page is open"

    # Someone is looking (seen=1): the new message is read.
    seen = staff.get(
        "/admin/inbox/updates",
        params={"conversation": conversation_id, "after": first.id, "seen": "1"},
    ).json()
    assert seen["unread_total"] == 0 and "rows" not in seen
    assert _conversation(engine, conversation_id).unread_count == 0

    nothing_new = staff.get(
        "/admin/inbox/updates", params={"conversation": conversation_id, "after": fresh["id"]}
    ).json()
    assert nothing_new["messages"] == []


def test_updates_report_delivery_statuses_with_reasons(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Hello")
    staff = signed_in(app, STAFF)
    page = f"/admin/inbox/{conversation_id}"
    _post(staff, f"{page}/reply", page, channel="sms", body="Hi there", send_at="")
    with Session(engine, expire_on_commit=False) as session:
        [reply] = session.exec(
            select(Message).where(Message.direction == MessageDirection.OUTBOUND)
        ).all()
        reply.status = MessageStatus.HELD
        reply.error = "outside the recipient's allowed hours"
        session.add(reply)
        session.commit()
    data = staff.get(
        "/admin/inbox/updates", params={"conversation": conversation_id, "after": reply.id}
    ).json()
    [status] = data["statuses"]
    assert status["id"] == reply.id and status["status_class"] == "held"
    assert status["status"] == "held: outside the recipient's allowed hours"
    assert "held: outside the recipient&#39;s allowed hours" in staff.get(page).text


# --- roles, CSRF, escaping ------------------------------------------------------------------------


def test_logging_in_is_required(client: TestClient) -> None:
    page = client.get("/admin/inbox")
    assert page.status_code == 303 and "/admin/login" in page.headers["location"]
    polled = client.get("/admin/inbox/updates", headers={"Accept": "application/json"})
    assert polled.status_code == 401


def test_every_form_needs_its_csrf_token(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(engine, "Hello")
    staff = signed_in(app, STAFF)
    base = f"/admin/inbox/{conversation_id}"
    for action, data in (
        ("reply", {"channel": "sms", "body": "Forged"}),
        ("take-over", {}),
        ("hand-back", {}),
        ("close", {}),
        ("read", {}),
        ("messages/1/cancel", {}),
    ):
        refused = staff.post(f"{base}/{action}", data={**data, "csrf_token": "forged"})
        assert refused.status_code == 403, action
    assert _outbound(engine) == []
    assert _conversation(engine, conversation_id).state == ConversationState.AUTOMATED


def test_customers_words_are_escaped(app: FastAPI, engine: Engine) -> None:
    conversation_id = _receive(
        engine,
        "<img src=x onerror=alert(1)>",
        channel=Channel.MESSENGER,
        sender="psid-x",
        name="<script>alert('name')</script>",
    )
    staff = signed_in(app, STAFF)
    for html in (staff.get("/admin/inbox").text, staff.get(f"/admin/inbox/{conversation_id}").text):
        assert "<script>alert(" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in staff.get(f"/admin/inbox/{conversation_id}").text
