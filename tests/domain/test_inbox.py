from sqlmodel import Session

from domain.inbox import service as inbox
from domain.inbox.models import InboxStatus


def _accept(session: Session, key: str = "evt-1") -> tuple[int, bool]:
    event, is_new = inbox.accept(
        session, provider="ringcentral", event_key=key, event_type="sms", body="{}", headers={}
    )
    return event.id or 0, is_new


def test_a_second_delivery_is_recognised_and_counted(session: Session) -> None:
    first_id, first_new = _accept(session)
    session.commit()
    second_id, second_new = _accept(session)
    session.commit()
    assert first_new and not second_new and first_id == second_id
    assert inbox.count_pending(session) == 1
    assert inbox.pending(session)[0].duplicate_deliveries == 1


def test_forwarding_is_recorded_once(session: Session) -> None:
    event_id, _ = _accept(session)
    inbox.mark_attempt_failed(session, event_id, "Temporal down")
    inbox.mark_forwarded(session, event_id, "sms-inbound-1")
    inbox.mark_forwarded(session, event_id, "sms-inbound-other")
    session.commit()
    event = inbox.pending(session) == [] and session.get(inbox.WebhookEvent, event_id)
    assert event and event.status == InboxStatus.FORWARDED
    assert event.workflow_id == "sms-inbound-1" and event.attempts == 2
    assert event.last_error == "Temporal down"
