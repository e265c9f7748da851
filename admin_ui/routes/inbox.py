"""The messaging inbox: every customer's conversation (SMS, Messenger, Instagram) newest first,
and one conversation's thread with the customer's bookings beside it, a reply box that answers on
the customer's channel (now or later), quick replies, and the hand-off buttons.

Anyone logged in may read, reply, take a conversation over and hand it back; assigning it to
someone else is for managers. Replies are stored by `staff_replies` and sent by their own
workflow, started from the inbox after the commit. The pages refresh themselves from
`/inbox/updates` (inbox.js), which answers in plain text fields: the script never writes HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from jinja2 import pass_context
from sqlmodel import Session, col, select
from starlette.background import BackgroundTask
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import customer_names
from admin_ui.web import (
    business_timezone,
    engine_of,
    href,
    int_or_none,
    local_time,
    page_links,
    redirect,
    render,
    templates,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError
from core.money import dollars
from core.pagination import Page
from domain.accounts.models import Role, User
from domain.bookings.models import Booking
from domain.business.models import BusinessSettings, FaqEntry
from domain.customers.models import Channel, Customer
from domain.messaging import conversations, inbox, staff_replies
from domain.messaging.inbox import InboxFilter, Show
from domain.messaging.models import (
    Conversation,
    ConversationState,
    Message,
    MessageDirection,
    MessageStatus,
)
from domain.messaging.rules_inbox import (
    CHANNEL_LABELS,
    MAX_REPLY_LENGTH,
    STAFF_KEY_PREFIX,
    parse_local_time,
    preview,
    state_label,
)
from domain.payments import ledger
from domain.staff.models import StaffMember

router = APIRouter(prefix="/inbox")

PER_PAGE = 25
POLL_MILLISECONDS = 4000
LIST_TIME = "%a %-d %b, %-I:%M %p"
BOOKING_TIME = "%-d %b %Y"
MAX_BOOKINGS = 10
#: Outbound messages whose status the poll refreshes (the newest ones: older ones are settled).
STATUS_WINDOW = 50
SHOW_LABELS = {
    Show.ALL: "All",
    Show.UNREAD: "Unread",
    Show.HANDED_OFF: "Handed off",
    Show.MINE: "Mine",
}
CHANNEL_FILTERS = {channel.value: label for channel, label in CHANNEL_LABELS.items()}


# --- the menu's count ---------------------------------------------------------------------------


@pass_context
def inbox_unread(context: Mapping[str, Any]) -> int:
    """The menu's count: web.render knows nothing of messaging, so base.html asks for it."""
    request: Request = context["request"]
    with Session(engine_of(request)) as session:
        return inbox.total_unread(session)


templates.env.globals["inbox_unread"] = inbox_unread


# --- what the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One conversation in the list, as the template and the poll show it."""

    id: int
    url: str
    name: str
    preview: str
    outbound: bool  # the last message is ours
    when: str
    unread: int
    channels: list[str]
    state: str
    state_class: str
    assigned: str


@dataclass(frozen=True)
class ThreadItem:
    """One message of a thread. `status` says what became of an outbound one, with the reason
    when it was held, suppressed, scheduled or failed."""

    id: int
    inbound: bool
    channel: str
    text: str
    when: str
    who: str
    status: str
    status_class: str
    cancellable: bool


@dataclass(frozen=True)
class BookingLine:
    id: int
    reference: str
    when: str
    status: str
    balance_cents: int


@dataclass(frozen=True)
class QuickReply:
    label: str
    text: str


def _user_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {row.id: row.full_name for row in rows if row.id is not None}


def _staff_names(session: Session) -> dict[int, str]:
    """Everyone, active or not, so an old assignment still shows a name (a small table)."""
    rows = session.exec(select(StaffMember)).all()
    return {row.id: row.full_name for row in rows if row.id is not None}


def _rows(request: Request, session: Session, found: list[Conversation], zone: str) -> list[Row]:
    ids = [conversation.id or 0 for conversation in found]
    names = customer_names(session, [conversation.customer_id for conversation in found])
    staff = _staff_names(session) if any(c.assigned_staff_id for c in found) else {}
    last = inbox.last_messages(session, ids)
    channels = inbox.channels_of(session, ids)
    rows = []
    for conversation in found:
        cid = conversation.id or 0
        message = last.get(cid)
        assigned = staff.get(conversation.assigned_staff_id or 0, "")
        rows.append(
            Row(
                id=cid,
                url=href(request, f"/inbox/{cid}"),
                name=names.get(conversation.customer_id, "unknown customer"),
                preview=preview(message.body) if message else "",
                outbound=message is not None and message.direction == MessageDirection.OUTBOUND,
                when=local_time(conversation.last_message_at, zone, LIST_TIME),
                unread=conversation.unread_count,
                channels=[
                    CHANNEL_LABELS.get(channel, channel.value)
                    for channel in sorted(channels.get(cid, set()))
                ],
                state=state_label(conversation.state, assigned or None),
                state_class=conversation.state.value,
                assigned=assigned,
            )
        )
    return rows


def _who(message: Message, users: dict[int, str], customer_name: str) -> str:
    if message.direction == MessageDirection.INBOUND:
        return customer_name
    if message.sent_by.startswith("user:"):
        user_id = int_or_none(message.sent_by.removeprefix("user:"))
        return users.get(user_id or 0, "a person")
    if message.sent_by.startswith("workflow:conversation"):
        return "AI assistant"
    return "automatic"


def _status(message: Message, zone: str) -> tuple[str, str]:
    """What became of an outbound message, in words, and a class for its colour."""
    if message.direction == MessageDirection.INBOUND:
        return "", ""
    status, reason = message.status, message.error or ""
    if status == MessageStatus.SENT:
        tagged = " (human agent tag)" if message.tag else ""
        return f"sent{tagged}", "sent"
    if status == MessageStatus.SCHEDULED:
        return f"scheduled for {local_time(message.scheduled_for, zone, LIST_TIME)}", "scheduled"
    if status == MessageStatus.HELD:
        return (f"held: {reason}" if reason else "held for now"), "held"
    if status == MessageStatus.SUPPRESSED:
        return (f"not sent: {reason}" if reason else "not sent"), "suppressed"
    if status == MessageStatus.FAILED:
        return (f"failed: {reason}" if reason else "failed"), "failed"
    return "sending…", "pending"


def _items(
    session: Session, messages: list[Message], customer_name: str, zone: str
) -> list[ThreadItem]:
    user_ids = [
        int_or_none(message.sent_by.removeprefix("user:")) or 0
        for message in messages
        if message.sent_by.startswith("user:")
    ]
    users = _user_names(session, user_ids)
    items = []
    for message in messages:
        status, status_class = _status(message, zone)
        items.append(
            ThreadItem(
                id=message.id or 0,
                inbound=message.direction == MessageDirection.INBOUND,
                channel=CHANNEL_LABELS.get(message.channel, message.channel.value),
                text=message.body,
                when=local_time(message.created_at, zone, LIST_TIME),
                who=_who(message, users, customer_name),
                status=status,
                status_class=status_class,
                cancellable=message.status == MessageStatus.SCHEDULED
                and (message.idempotency_key or "").startswith(STAFF_KEY_PREFIX),
            )
        )
    return items


def _bookings(session: Session, customer_id: int, zone: str) -> list[BookingLine]:
    found = session.exec(
        select(Booking)
        .where(Booking.customer_id == customer_id)
        .order_by(col(Booking.scheduled_start).desc())
        .limit(MAX_BOOKINGS)
    ).all()
    paid = ledger.paid_cents_by_booking(session, [booking.id or 0 for booking in found])
    return [
        BookingLine(
            id=booking.id or 0,
            reference=booking.reference,
            when=local_time(booking.scheduled_start, zone, BOOKING_TIME),
            status=booking.status.value,
            balance_cents=booking.total_cents - paid.get(booking.id or 0, 0),
        )
        for booking in found
    ]


def quick_replies(session: Session) -> list[QuickReply]:
    """A few answers every hibachi caterer gives daily, then the business's own FAQ."""
    fixed = [
        QuickReply(
            "Checking the date",
            "Thanks for reaching out! Let me check the chef's calendar for that date and get "
            "right back to you.",
        ),
        QuickReply(
            "What we bring",
            "Our chef brings the hibachi grill, propane, all the food and the cooking tools. "
            "You provide tables, chairs, plates and utensils for your guests.",
        ),
        QuickReply(
            "Space needed",
            "The chef cooks outdoors and needs a flat space of about 10 by 10 feet: a patio, "
            "backyard or driveway works well.",
        ),
        QuickReply(
            "Rain plan",
            "If it rains, the chef can cook under a covered patio or an open garage, or we can "
            "move your party to another date.",
        ),
        QuickReply("Calling you", "Thanks! One of our team will give you a call shortly."),
    ]
    settings = session.get(BusinessSettings, 1)
    if settings is not None:
        fixed.insert(
            1,
            QuickReply(
                "Price",
                f"Hibachi at home is {dollars(settings.price_per_adult_cents)} per adult and "
                f"{dollars(settings.price_per_child_cents)} per child, with a "
                f"{dollars(settings.minimum_spend_cents)} minimum per party. A "
                f"{settings.deposit_percent}% deposit holds your date.",
            ),
        )
    faq = session.exec(
        select(FaqEntry).where(col(FaqEntry.active).is_(True)).order_by(col(FaqEntry.id))
    ).all()
    return fixed + [QuickReply(entry.question, entry.answer) for entry in faq]


# --- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    show: Show
    channel: Channel | None
    q: str
    page: int

    @classmethod
    def read(cls, show: str, channel: str, q: str, page: int) -> ListQuery:
        return cls(
            show=Show(show) if show in {item.value for item in Show} else Show.ALL,
            channel=Channel(channel) if channel in CHANNEL_FILTERS else None,
            q=q.strip(),
            page=max(1, page),
        )

    def params(self) -> dict[str, str]:
        return {
            "show": self.show.value,
            "channel": self.channel.value if self.channel else "",
            "q": self.q,
            "page": str(self.page) if self.page > 1 else "",
        }

    @property
    def filtered(self) -> bool:
        return bool(self.show.value or self.channel or self.q)


def _search(session: Session, user: User, query: ListQuery) -> Page[Conversation]:
    mine = inbox.staff_member_of(session, user.id or 0)
    wanted = InboxFilter(query.show, query.channel, query.q, mine.id if mine else None)
    found = inbox.search(session, wanted, query.page, PER_PAGE)
    if query.page > found.pages:
        found = inbox.search(session, wanted, found.pages, PER_PAGE)
    return found


@router.get("", name="inbox")
def inbox_list(
    request: Request,
    user: AnyUser,
    show: str = Query(default="", max_length=20),
    channel: str = Query(default="", max_length=20),
    q: str = Query(default="", max_length=200),
    page: int = Query(default=1, ge=1),
) -> Response:
    query = ListQuery.read(show, channel, q, page)
    with Session(engine_of(request)) as session:
        zone = business_timezone(session)
        found = _search(session, user, query)
        context = {
            "query": query,
            "result": found,
            "rows": _rows(request, session, found.items, zone),
            "pages": page_links(request, found),
            "shows": SHOW_LABELS,
            "channels": CHANNEL_FILTERS,
            "timezone": zone,
            "updates_url": href(request, "/inbox/updates", list="1", **query.params()),
            "poll_ms": POLL_MILLISECONDS,
            "has_staff_record": inbox.staff_member_of(session, user.id or 0) is not None,
            "anything_at_all": found.total > 0 or _any_conversation(session),
        }
    return render(request, "inbox/list.html", context)


def _any_conversation(session: Session) -> bool:
    return session.exec(select(Conversation.id)).first() is not None


# --- live updates -------------------------------------------------------------------------------


@router.get("/updates")
def updates(
    request: Request,
    user: AnyUser,
    show: str = Query(default="", max_length=20),
    channel: str = Query(default="", max_length=20),
    q: str = Query(default="", max_length=200),
    page: int = Query(default=1, ge=1),
    list_: str = Query(default="", alias="list", max_length=1),
    conversation: int | None = Query(default=None, ge=1),
    after: int = Query(default=0, ge=0),
    seen: str = Query(default="", max_length=1),
) -> Response:
    """What the pages poll: the unread total, the list's rows (with `list=1`), and for an open
    conversation the messages after `after` plus the status of its recent outbound ones. With
    `seen=1` (the page is in front of someone) new messages of the open conversation are read."""
    payload: dict[str, Any] = {}
    with session_scope(engine_of(request)) as session:
        zone = business_timezone(session)
        if conversation is not None:
            payload |= _thread_updates(session, user, conversation, after, seen == "1", zone)
        if list_ == "1":
            found = _search(session, user, ListQuery.read(show, channel, q, page))
            payload["rows"] = [asdict(row) for row in _rows(request, session, found.items, zone)]
            payload["total"] = found.total
        payload["unread_total"] = inbox.total_unread(session)
    return JSONResponse(payload)


def _thread_updates(
    session: Session, user: User, conversation_id: int, after: int, seen: bool, zone: str
) -> dict[str, Any]:
    found = conversations.get(session, conversation_id)
    customer = session.get(Customer, found.customer_id)
    name = customer.full_name if customer else "Customer"
    fresh = inbox.messages_after(session, conversation_id, after)
    if seen and fresh and found.unread_count:
        conversations.mark_read(session, found, actor_of(user))
    recent = [
        message
        for message in inbox.thread(session, conversation_id, STATUS_WINDOW)
        if message.direction == MessageDirection.OUTBOUND
    ]
    return {
        "messages": [asdict(item) for item in _items(session, fresh, name, zone)],
        "statuses": [
            {
                "id": item.id,
                "status": item.status,
                "status_class": item.status_class,
                "cancellable": item.cancellable,
            }
            for item in _items(session, recent, name, zone)
        ],
        "state": state_label(found.state, _assigned_name(session, found)),
    }


def _assigned_name(session: Session, conversation: Conversation) -> str | None:
    if conversation.assigned_staff_id is None:
        return None
    return _staff_names(session).get(conversation.assigned_staff_id)


# --- one conversation ---------------------------------------------------------------------------


class ReplyRefused(TeppanError):
    status_code = 422


@dataclass(frozen=True)
class Draft:
    """What was typed into the reply box, shown again when it was refused."""

    body: str = ""
    channel: str = ""
    send_at: str = ""
    error: str = ""


def _conversation_page(
    request: Request,
    user: User,
    conversation_id: int,
    draft: Draft | None = None,
    status_code: int = 200,
) -> Response:
    """Opening the conversation reads it; showing a refused reply again changes nothing."""
    with session_scope(engine_of(request)) as session:
        conversation = conversations.get(session, conversation_id)
        if draft is None:
            conversations.mark_read(session, conversation, actor_of(user))
        draft = draft or Draft()
        customer = session.get(Customer, conversation.customer_id)
        assert customer is not None
        zone = business_timezone(session)
        messages = inbox.thread(session, conversation_id)
        options = staff_replies.reply_options(session, conversation)
        mine = inbox.staff_member_of(session, user.id or 0)
        assigned = _assigned_name(session, conversation)
        context = {
            "conversation": conversation,
            "customer": customer,
            "items": _items(session, messages, customer.full_name, zone),
            "last_id": messages[-1].id if messages else 0,
            "bookings": _bookings(session, customer.id or 0, zone),
            "channels": [(channel.value, CHANNEL_LABELS[channel]) for channel in options.channels],
            "chosen_channel": draft.channel or (options.default.value if options.default else ""),
            "draft": draft,
            "quick_replies": quick_replies(session),
            "state": state_label(conversation.state, assigned),
            "assigned": assigned,
            "handed_off": conversation.state == ConversationState.HANDED_OFF,
            "closed": conversation.state == ConversationState.CLOSED,
            "is_mine": mine is not None and conversation.assigned_staff_id == mine.id,
            "staff": [(member.id, member.full_name) for member in inbox.assignable_staff(session)],
            "can_assign": user.has_role(Role.MANAGER),
            "max_length": MAX_REPLY_LENGTH,
            "timezone": zone,
            "updates_url": href(request, "/inbox/updates", conversation=conversation_id),
            "poll_ms": POLL_MILLISECONDS,
        }
    return render(request, "inbox/conversation.html", context, status_code=status_code)


@router.get("/{conversation_id}")
def conversation_page(request: Request, user: AnyUser, conversation_id: int) -> Response:
    return _conversation_page(request, user, conversation_id)


@router.post("/{conversation_id}/reply")
def reply(request: Request, user: AnyUser, form: PostedForm, conversation_id: int) -> Response:
    draft = Draft(
        body=str(form.get("body") or ""),
        channel=text_field(form, "channel"),
        send_at=text_field(form, "send_at"),
    )
    try:
        with session_scope(engine_of(request)) as session:
            conversation = conversations.get(session, conversation_id)
            zone = business_timezone(session)
            try:
                scheduled_for = parse_local_time(draft.send_at, zone)
            except ValueError:
                raise ReplyRefused("That send time is not a date and time.") from None
            if draft.channel not in CHANNEL_FILTERS:
                raise ReplyRefused("Choose the channel to answer on.")
            queued = staff_replies.queue_staff_reply(
                session,
                conversation,
                draft.body,
                Channel(draft.channel),
                scheduled_for,
                actor_of(user),
            )
            scheduled = queued.message.scheduled_for
            event_id = queued.inbox_event_id
            label = f"for {local_time(scheduled, zone, LIST_TIME)}" if scheduled else ""
    except TeppanError as error:
        refused = Draft(draft.body, draft.channel, draft.send_at, error.message)
        return _conversation_page(request, user, conversation_id, refused, error.status_code)
    flash(request, f"Scheduled {label}." if scheduled else "Sending…")
    response = redirect(request, f"/inbox/{conversation_id}")
    _forward_after_commit(request, response, event_id)
    return response


def _forward_after_commit(request: Request, response: Response, event_id: int) -> None:
    # Without a forwarder (tests, a panel on its own) the periodic pass delivers it.
    forwarder = getattr(request.app.state, "forwarder", None)
    if forwarder is not None:
        response.background = BackgroundTask(forwarder.forward, event_id)


@router.post("/{conversation_id}/messages/{message_id}/cancel")
def cancel(
    request: Request, user: AnyUser, _form: PostedForm, conversation_id: int, message_id: int
) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            message = session.get(Message, message_id)
            if message is None or message.conversation_id != conversation_id:
                raise TeppanError("That message is not in this conversation.")
            staff_replies.cancel_scheduled(session, message_id, actor_of(user))
    except TeppanError as error:
        flash(request, f"Not cancelled: {error.message}")
    else:
        flash(request, "Cancelled: it will not be sent.")
    return redirect(request, f"/inbox/{conversation_id}")


@router.post("/{conversation_id}/take-over")
def take_over(request: Request, user: AnyUser, _form: PostedForm, conversation_id: int) -> Response:
    with session_scope(engine_of(request)) as session:
        conversation = conversations.get(session, conversation_id)
        mine = inbox.staff_member_of(session, user.id or 0)
        conversations.hand_off(
            session,
            conversation,
            mine.id if mine else None,
            f"taken over by {user.full_name}",
            actor_of(user),
        )
    if mine is None:
        flash(
            request,
            "The AI is off for this conversation. It is not assigned to you: your login has no "
            "staff record (the owner can link one).",
        )
    else:
        flash(request, "It is yours: the AI stays quiet until you hand it back.")
    return redirect(request, f"/inbox/{conversation_id}")


@router.post("/{conversation_id}/hand-back")
def hand_back(request: Request, user: AnyUser, _form: PostedForm, conversation_id: int) -> Response:
    with session_scope(engine_of(request)) as session:
        conversations.hand_back(
            session, conversations.get(session, conversation_id), actor_of(user)
        )
    flash(request, "Handed back: the AI answers this customer again.")
    return redirect(request, f"/inbox/{conversation_id}")


@router.post("/{conversation_id}/close")
def close(request: Request, user: AnyUser, _form: PostedForm, conversation_id: int) -> Response:
    with session_scope(engine_of(request)) as session:
        conversations.close(session, conversations.get(session, conversation_id), actor_of(user))
    flash(request, "Closed: the AI stays quiet; hand it back to reopen it.")
    return redirect(request, f"/inbox/{conversation_id}")


@router.post("/{conversation_id}/assign")
def assign(request: Request, user: ManagerUser, form: PostedForm, conversation_id: int) -> Response:
    staff_id = int_or_none(text_field(form, "staff_id"))
    try:
        with session_scope(engine_of(request)) as session:
            conversation = conversations.get(session, conversation_id)
            conversations.assign(session, conversation, staff_id, actor_of(user))
            name = _assigned_name(session, conversation)
    except TeppanError as error:
        flash(request, f"Not assigned: {error.message}")
    else:
        flash(request, f"Assigned to {name}." if name else "Assigned to nobody.")
    return redirect(request, f"/inbox/{conversation_id}")


@router.post("/{conversation_id}/read")
def mark_read(request: Request, user: AnyUser, form: PostedForm, conversation_id: int) -> Response:
    with session_scope(engine_of(request)) as session:
        conversations.mark_read(
            session, conversations.get(session, conversation_id), actor_of(user)
        )
    query = ListQuery.read(
        text_field(form, "show"),
        text_field(form, "channel"),
        text_field(form, "q"),
        int_or_none(text_field(form, "page")) or 1,
    )
    return redirect(request, "/inbox", **query.params())
