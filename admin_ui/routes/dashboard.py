"""Today at a glance: events, the week ahead, open work, the inbox and new messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.responses import Response

from admin_ui.auth import AnyUser
from admin_ui.lookups import chef_names, customer_names
from admin_ui.web import engine_of, render
from domain.bookings import service as bookings
from domain.bookings.models import SLOT_HOLDING_STATUSES, Booking
from domain.business.models import BusinessSettings
from domain.customers.models import Customer
from domain.inbox import service as inbox
from domain.messaging.models import Conversation, Message, MessageDirection
from domain.quotes.models import OPEN_QUOTE_STATUSES, Quote, QuoteStatus
from domain.tasks.models import Task, TaskStatus

router = APIRouter()

RECENT_MESSAGES = 8
OPEN_TASKS_SHOWN = 8


@router.get("/", name="dashboard")
def dashboard(request: Request, _user: AnyUser) -> Response:
    with Session(engine_of(request), expire_on_commit=False) as session:
        business = session.get(BusinessSettings, 1)
        if business is None:
            return render(request, "dashboard.html", {"business": None})
        zone = business.timezone
        today = datetime.now(ZoneInfo(zone)).date()
        events = bookings.events_on(session, today, zone)
        # "Next 7 days" means the seven local days after today, so it never repeats today's list.
        week_start, _ = bookings.local_day_bounds(today + timedelta(days=1), zone)
        _, week_end = bookings.local_day_bounds(today + timedelta(days=7), zone)
        week_count = session.exec(
            select(func.count()).where(
                col(Booking.status).in_(SLOT_HOLDING_STATUSES),
                col(Booking.scheduled_start) >= week_start,
                col(Booking.scheduled_start) < week_end,
            )
        ).one()
        open_tasks_total = session.exec(
            select(func.count()).where(Task.status == TaskStatus.OPEN)
        ).one()
        open_tasks = session.exec(
            select(Task)
            .where(Task.status == TaskStatus.OPEN)
            .order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.created_at))
            .limit(OPEN_TASKS_SHOWN)
        ).all()
        quotes_sent = session.exec(
            select(func.count()).where(Quote.status == QuoteStatus.SENT)
        ).one()
        distances_to_confirm = session.exec(
            select(func.count()).where(
                Quote.travel_source == "estimate",
                col(Quote.travel_confirmed).is_(False),
                col(Quote.status).in_(OPEN_QUOTE_STATUSES),
            )
        ).one()
        messages = session.exec(
            select(Message, Customer)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .join(Customer, col(Customer.id) == col(Conversation.customer_id))
            .where(Message.direction == MessageDirection.INBOUND)
            .order_by(col(Message.created_at).desc(), col(Message.id).desc())
            .limit(RECENT_MESSAGES)
        ).all()
        context = {
            "business": business,
            "timezone": zone,
            "today": today,
            "events": events,
            "customers": customer_names(session, [event.customer_id for event in events]),
            "chefs": chef_names(session, [event.chef_id for event in events]),
            "week_count": int(week_count),
            "open_tasks": open_tasks,
            "open_tasks_total": int(open_tasks_total),
            "pending_inbox": inbox.count_pending(session),
            "messages": messages,
            "quotes_sent": int(quotes_sent),
            "distances_to_confirm": int(distances_to_confirm),
        }
    return render(request, "dashboard.html", context)
