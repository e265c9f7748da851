"""What the staff inbox reads: conversations filtered and paged, their last messages, channels
and unread counts, and a conversation's thread. Read-only; changes go through
`conversations` (hand-off, assignment, read) and `staff_replies` (replies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, exists, select

from core.pagination import Page, paginate
from domain.customers.models import Channel, Customer
from domain.messaging.models import Conversation, ConversationState, Message
from domain.staff.models import StaffMember

#: A thread longer than this shows its most recent messages (the customer's page has the rest).
THREAD_LIMIT = 200


class Show(StrEnum):
    ALL = ""
    UNREAD = "unread"
    HANDED_OFF = "handed_off"
    MINE = "mine"


@dataclass(frozen=True)
class InboxFilter:
    show: Show = Show.ALL
    channel: Channel | None = None
    text: str = ""
    my_staff_id: int | None = None  # for "mine": the staff record of the person looking


def search(session: Session, wanted: InboxFilter, page: int, per_page: int) -> Page[Conversation]:
    """Conversations that match, the most recent message first."""
    query = select(Conversation).join(Customer, col(Customer.id) == col(Conversation.customer_id))
    if wanted.show == Show.UNREAD:
        query = query.where(col(Conversation.unread_count) > 0)
    elif wanted.show == Show.HANDED_OFF:
        query = query.where(Conversation.state == ConversationState.HANDED_OFF)
    elif wanted.show == Show.MINE:
        # Nobody's staff record: nothing is theirs (None would match the unassigned).
        query = query.where(Conversation.assigned_staff_id == (wanted.my_staff_id or -1))
    if wanted.channel is not None:
        query = query.where(
            exists().where(
                col(Message.conversation_id) == col(Conversation.id),
                col(Message.channel) == wanted.channel,
            )
        )
    text = wanted.text.strip()
    if text:
        conditions: list[ColumnElement[bool]] = [col(Customer.full_name).ilike(f"%{text}%")]
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 3:
            conditions.append(col(Customer.phone).contains(digits))
        query = query.where(or_(*conditions))
    query = query.order_by(
        col(Conversation.last_message_at).desc().nulls_last(), col(Conversation.id).desc()
    )
    return paginate(session, query, page, per_page)


def last_messages(session: Session, conversation_ids: Iterable[int]) -> dict[int, Message]:
    wanted = set(conversation_ids)
    if not wanted:
        return {}
    latest = (
        select(func.max(Message.id))
        .where(col(Message.conversation_id).in_(wanted))
        .group_by(col(Message.conversation_id))
    )
    rows = session.exec(select(Message).where(col(Message.id).in_(latest))).all()
    return {row.conversation_id: row for row in rows if row.conversation_id is not None}


def channels_of(session: Session, conversation_ids: Iterable[int]) -> dict[int, set[Channel]]:
    """Every channel each conversation has a message on (either way)."""
    wanted = set(conversation_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Message.conversation_id, Message.channel)
        .where(col(Message.conversation_id).in_(wanted))
        .distinct()
    ).all()
    found: dict[int, set[Channel]] = {}
    for conversation_id, channel in rows:
        if conversation_id is not None:
            found.setdefault(conversation_id, set()).add(Channel(channel))
    return found


def total_unread(session: Session) -> int:
    total = session.exec(select(func.coalesce(func.sum(Conversation.unread_count), 0))).one()
    return int(total)


def thread(session: Session, conversation_id: int, limit: int = THREAD_LIMIT) -> list[Message]:
    """The conversation's latest messages, oldest first."""
    rows = session.exec(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def messages_after(session: Session, conversation_id: int, after_id: int) -> list[Message]:
    return list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id, col(Message.id) > after_id)
            .order_by(col(Message.id))
            .limit(THREAD_LIMIT)
        ).all()
    )


def staff_member_of(session: Session, user_id: int) -> StaffMember | None:
    """The staff record of a person who logs in to the panel, if they have one."""
    return session.exec(
        select(StaffMember).where(StaffMember.user_id == user_id, col(StaffMember.active).is_(True))
    ).first()


def assignable_staff(session: Session) -> list[StaffMember]:
    return list(
        session.exec(
            select(StaffMember)
            .where(col(StaffMember.active).is_(True))
            .order_by(col(StaffMember.full_name))
        ).all()
    )
