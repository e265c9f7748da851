"""Consent to texts: what each number agreed to or refused, when and how, and what may be sent.

The customer row carries the current state (`sms_consent`, `sms_opted_out`); every change also
leaves a `ConsentRecord`, the evidence kept for years.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import true
from sqlmodel import Session, col, select

from core.pagination import Page, paginate
from core.timeutil import utcnow
from domain.audit import service as audit
from domain.audit.service import Actor
from domain.business import service as business
from domain.customers.models import Channel, Customer
from domain.messaging.consent_rules import (
    CONSENT_RETENTION,
    ConsentKeyword,
    SendFacts,
)
from domain.messaging.models import (
    ConsentAction,
    ConsentRecord,
    Message,
    MessageDirection,
    MessageKind,
    MessageStatus,
)

ALL_KINDS = ",".join(
    kind.value for kind in (MessageKind.TRANSACTIONAL, MessageKind.REMINDER, MessageKind.MARKETING)
)
_ACTION_OF = {
    ConsentKeyword.OPT_OUT: ConsentAction.OPT_OUT,
    ConsentKeyword.OPT_IN: ConsentAction.OPT_IN,
    ConsentKeyword.HELP: ConsentAction.HELP,
}


def record(
    session: Session,
    *,
    address: str,
    channel: Channel,
    customer_id: int | None,
    action: ConsentAction,
    method: str,
    evidence: str,
    actor: Actor,
    scope: str = ALL_KINDS,
    message_id: int | None = None,
    now: datetime | None = None,
) -> ConsentRecord:
    recorded_at = now or utcnow()
    entry = ConsentRecord(
        address=address,
        channel=channel,
        customer_id=customer_id,
        action=action,
        scope=scope,
        method=method,
        evidence=evidence[:1000],
        message_id=message_id,
        recorded_by=actor.key,
        recorded_at=recorded_at,
        retain_until=recorded_at + CONSENT_RETENTION,
    )
    session.add(entry)
    return entry


def apply_keyword(
    session: Session,
    customer: Customer,
    keyword: ConsentKeyword,
    *,
    address: str,
    evidence: str,
    message_id: int | None,
    actor: Actor,
) -> bool:
    """Records the customer's keyword and changes their state; True when the state changed (a
    confirmation is due), False for a repeat (STOP twice gets one confirmation)."""
    changed = False
    if keyword is ConsentKeyword.OPT_OUT and not customer.sms_opted_out:
        customer.sms_opted_out = True
        changed = True
    elif keyword is ConsentKeyword.OPT_IN and customer.sms_opted_out:
        customer.sms_opted_out = False
        changed = True
    elif keyword is ConsentKeyword.HELP:
        changed = True
    record(
        session,
        address=address,
        channel=Channel.SMS,
        customer_id=customer.id,
        action=_ACTION_OF[keyword],
        method="keyword",
        evidence=evidence,
        message_id=message_id,
        actor=actor,
    )
    if changed and keyword is not ConsentKeyword.HELP:
        customer.updated_at = utcnow()
        session.add(customer)
        audit.record(
            session,
            actor,
            f"customer.sms_{keyword.value}",
            "customer",
            customer.id,
            {"sms_opted_out": customer.sms_opted_out},
            f"{customer.full_name} texted {evidence[:40]!r}",
        )
    return changed


def history(session: Session, customer_id: int, limit: int = 50) -> list[ConsentRecord]:
    return list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.customer_id == customer_id)
            .order_by(col(ConsentRecord.recorded_at).desc())
            .limit(limit)
        ).all()
    )


_COUNTED = (MessageStatus.SENT, MessageStatus.SENDING)


def _sent_times(session: Session, since: datetime, *conditions: object) -> list[datetime]:
    rows = session.exec(
        select(Message.send_started_at).where(
            Message.direction == MessageDirection.OUTBOUND,
            col(Message.status).in_(_COUNTED),
            col(Message.send_started_at) >= since,
            *conditions,  # type: ignore[arg-type]
        )
    ).all()
    return [row for row in rows if row is not None]


def send_facts(
    session: Session,
    *,
    kind: MessageKind,
    to_number: str,
    matter: str | None,
    exclude_message_id: int | None,
    now: datetime,
) -> SendFacts:
    settings = business.get_settings(session)
    customer = session.exec(select(Customer).where(Customer.phone == to_number)).first()
    others = col(Message.id) != exclude_message_id if exclude_message_id else true()
    return SendFacts(
        kind=kind,
        to_number=to_number,
        business_timezone=settings.timezone,
        texting_paused=settings.texting_paused,
        opted_out=bool(customer and customer.sms_opted_out),
        written_consent=bool(customer and customer.sms_consent),
        sent_to_number_last_hour=_sent_times(
            session,
            now - timedelta(hours=1),
            Message.to_address == to_number,
            col(Message.kind) != MessageKind.CONSENT,
            others,
        ),
        sent_by_business_last_minute=_sent_times(session, now - timedelta(minutes=1), others),
        sent_on_matter_last_day=(
            _sent_times(session, now - timedelta(days=1), Message.matter == matter, others)
            if matter
            else []
        ),
        per_number_per_hour=settings.sms_per_number_per_hour,
        per_business_per_minute=settings.sms_per_business_per_minute,
        last_inbound_at=_last_inbound_at(session, to_number),
    )


def _last_inbound_at(session: Session, number: str) -> datetime | None:
    return session.exec(
        select(Message.created_at)
        .where(Message.direction == MessageDirection.INBOUND, Message.from_address == number)
        .order_by(col(Message.created_at).desc())
        .limit(1)
    ).first()


def search_records(session: Session, number: str = "", page: int = 1) -> Page[ConsentRecord]:
    """The consent log, newest first; `number` matches any part of the address."""
    query = select(ConsentRecord)
    digits = "".join(ch for ch in number if ch.isdigit())
    if digits:
        query = query.where(col(ConsentRecord.address).contains(digits))
    query = query.order_by(col(ConsentRecord.recorded_at).desc(), col(ConsentRecord.id).desc())
    return paginate(session, query, page, 50)


def texts_not_sent(session: Session, status: MessageStatus, limit: int = 100) -> list[Message]:
    """Held texts (waiting for allowed hours or the owner's switch) or suppressed ones."""
    return list(
        session.exec(
            select(Message)
            .where(Message.status == status)
            .order_by(col(Message.created_at).desc())
            .limit(limit)
        ).all()
    )
