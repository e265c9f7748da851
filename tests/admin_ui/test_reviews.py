from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from core.secrets_at_rest import decrypt
from core.settings import Settings
from domain.audit.models import AuditEntry
from domain.bookings.models import Booking
from domain.customers.models import Customer
from domain.inbox.models import WebhookEvent
from domain.reviews.analytics import monday_of
from domain.reviews.models import GoogleConnection, ReplyStatus, Review, ReviewVerdict
from sandbox.google_business import DEFAULT_ACCOUNT, DEFAULT_LOCATION, DEFAULT_LOCATION_TITLE
from tests.admin_ui.conftest import OWNER, FakeForwarder, csrf_of, form_token, signed_in
from tests.admin_ui.live_server import free_port
from tests.google_business_fixtures import GoogleBusinessSandbox

PACIFIC = ZoneInfo("America/Los_Angeles")
LIST = "/admin/reviews"
QUEUE = "/admin/reviews/queue"
GOOGLE = "/admin/reviews/google"
CALLBACK = "/admin/reviews/google/callback"
DRAFT = (
    "Hi Dana, thank you for telling us about your March celebration, and we're truly sorry it "
    "fell short. Please call or text us at (510) 555-0100 so we can talk it through."
)


@pytest.fixture
def admin_settings(settings: Settings, google_business: GoogleBusinessSandbox) -> Settings:
    # Temporal and RingCentral are down; Google is its emulator (its state reset per test).
    return settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "sandbox_ringcentral_port": free_port(),
            "sandbox_google_business_port": google_business.server.port,
        }
    )


# --- data -------------------------------------------------------------------------------


def _bookings(engine: Engine, count: int = 2) -> list[tuple[Booking, Customer]]:
    """Seeded bookings of different customers, with their customers."""
    with Session(engine) as session:
        rows = session.exec(
            select(Booking, Customer)
            .join(Customer, col(Customer.id) == Booking.customer_id)
            .order_by(col(Booking.id))
        ).all()
    picked: list[tuple[Booking, Customer]] = []
    for booking, customer in rows:
        if all(customer.id != other.id for _b, other in picked):
            picked.append((booking, customer))
        if len(picked) == count:
            return picked
    raise AssertionError("the demo data has too few customers")


def _candidate(booking: Booking, customer: Customer, score: float) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "reference": booking.reference,
        "customer": customer.full_name,
        "event_date": booking.scheduled_start.astimezone(PACIFIC).date().isoformat(),
        "score": score,
        "reasons": [f"name matches {customer.full_name}", "event 9 days before the review"],
    }


def _review(
    engine: Engine,
    stars: int,
    comment: str = "",
    *,
    written: datetime | None = None,
    days_ago: float = 1,
    reviewer: str = "Dana S.",
    verdict: ReviewVerdict = ReviewVerdict.PENDING,
    status: ReplyStatus = ReplyStatus.NONE,
    draft: str | None = None,
    **fields: Any,
) -> int:
    at = written or datetime.now(UTC) - timedelta(days=days_ago)
    with Session(engine) as session:
        review = Review(
            google_review_id=f"g-{stars}-{at.isoformat()}-{reviewer}",
            reviewer_name=reviewer,
            star_rating=stars,
            comment=comment,
            created_on_google_at=at,
            updated_on_google_at=at,
            verdict=verdict,
            reply_status=status,
            draft_reply=draft,
            **fields,
        )
        session.add(review)
        session.commit()
        assert review.id is not None
        return review.id


def _awaiting(engine: Engine, **fields: Any) -> int:
    """A two-star review of a verified customer, its personal draft waiting for a manager."""
    (booking, customer), (other, other_customer) = _bookings(engine)
    values: dict[str, Any] = {
        "comment": "Chef came 40 minutes late and the rice was cold.",
        "verdict": ReviewVerdict.VERIFIED,
        "status": ReplyStatus.AWAITING_APPROVAL,
        "draft": DRAFT,
        "booking_id": booking.id,
        "verification_confidence": 0.97,
        "verification_reasons": ["the only customer named Dana S. with an event that month"],
        "candidates": [_candidate(booking, customer, 0.97), _candidate(other, other_customer, 0.2)],
        "sentiment": "negative",
        "sentiment_score": -0.64,
        "topics": ["punctuality", "food"],
    }
    values.update(fields)
    return _review(engine, 2, **values)


def _stored(engine: Engine, review_id: int) -> Review:
    with Session(engine) as session:
        review = session.get(Review, review_id)
        assert review is not None
        return review


def _inbox(engine: Engine, kind: str) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(WebhookEvent)
                .where(WebhookEvent.event_type == kind)
                .order_by(col(WebhookEvent.id))
            ).all()
        )


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def _flashes(client: TestClient, path: str = QUEUE) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return html.unescape(
        " ".join(re.findall(r'<p class="flash" role="status">([^<]*)</p>', page.text))
    )


def _rows(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr id="review-(\d+)">', page)]


def _form(client: TestClient, path: str = QUEUE, **values: str) -> dict[str, str]:
    return {"csrf_token": form_token(client, path), "back": "queue", "page": "1"} | values


# --- every review -------------------------------------------------------------------------


def test_list_newest_first_with_filters_marks_and_local_dates(
    staff: TestClient, engine: Engine
) -> None:
    empty = staff.get(LIST)
    assert empty.status_code == 200 and 'id="no-reviews"' in empty.text
    assert 'id="reviews-awaiting-approval"' not in empty.text

    long_praise = "Amazing show and great food. " * 12
    # 06:30 UTC on 1 March is the evening of 28 February in Fremont.
    happy = _review(
        engine,
        5,
        long_praise,
        written=datetime(2026, 3, 1, 6, 30, tzinfo=UTC),
        reviewer="Maria Garcia",
        verdict=ReviewVerdict.VERIFIED,
        status=ReplyStatus.POSTED,
        reply_comment="Thank you, Maria!",
    )
    stranger = _review(
        engine,
        1,
        "Worst hibachi ever.",
        days_ago=2,
        reviewer="Troll Account",
        verdict=ReviewVerdict.NOT_FOUND,
        status=ReplyStatus.AWAITING_APPROVAL,
        flagged_for_investigation=True,
    )
    middling = _review(
        engine,
        3,
        "Fine, a bit pricey.",
        days_ago=5,
        reviewer="Sam Park",
        verdict=ReviewVerdict.UNCERTAIN,
        edited_on_google=True,
    )

    page = staff.get(LIST).text
    assert _rows(page) == [stranger, middling, happy]
    assert 'id="reviews-awaiting-approval">1<' in page  # the menu's badge
    assert 'href="/admin/reviews/queue">Reviews' in page
    row = page[page.index(f'id="review-{happy}"') :]
    row = row[: row.index("</tr>")]
    assert 'aria-label="5 of 5 stars"' in row and "Maria Garcia" in row
    assert "28 Feb 2026" in row
    assert "verified customer" in row and ">replied<" in row
    assert long_praise[:100] in row and long_praise.strip() not in row  # an excerpt
    stranger_row = page[page.index(f'id="review-{stranger}"') :]
    stranger_row = stranger_row[: stranger_row.index("</tr>")]
    assert "no matching customer" in stranger_row and ">flagged<" in stranger_row
    assert "draft awaiting approval" in stranger_row
    middling_row = page[page.index(f'id="review-{middling}"') :]
    middling_row = middling_row[: middling_row.index("</tr>")]
    assert "edited on Google" in middling_row and "uncertain" in middling_row

    def shown(**query: str) -> list[int]:
        response = staff.get(LIST, params=query)
        assert response.status_code == 200
        return _rows(response.text)

    assert shown(stars="1") == [stranger]
    assert shown(stars="4") == []
    assert shown(verdict="verified") == [happy]
    assert shown(verdict="uncertain") == [middling]
    assert shown(replied="yes") == [happy]
    assert shown(replied="no") == [stranger, middling]
    assert shown(replied="no", stars="3", verdict="uncertain") == [middling]
    assert "No review matches." in staff.get(LIST, params={"stars": "4"}).text
    # Odd values are ignored rather than failing.
    assert shown(stars="9", verdict="bogus", replied="maybe") == [stranger, middling, happy]
    selected = staff.get(LIST, params={"stars": "1", "replied": "no"}).text
    assert '<option value="1" selected>' in selected and '<option value="no" selected>' in selected


def test_list_pages(staff: TestClient, engine: Engine) -> None:
    ids = [_review(engine, 4, f"review {n}", days_ago=n + 1, reviewer=f"R{n}") for n in range(26)]
    first = staff.get(LIST).text
    assert "26 reviews" in first and "page 1 of 2" in first
    assert _rows(first) == ids[:25]
    second = staff.get(LIST, params={"page": "2"}).text
    assert _rows(second) == ids[25:]


# --- the approval queue -------------------------------------------------------------------


def test_queue_shows_the_review_beside_its_draft_with_candidates_and_history(
    staff: TestClient, manager: TestClient, engine: Engine
) -> None:
    empty = staff.get(QUEUE)
    assert empty.status_code == 200 and 'id="queue-empty"' in empty.text

    (booking, customer), (other, other_customer) = _bookings(engine)
    newer = _awaiting(engine, days_ago=1)
    older = _review(
        engine,
        1,
        "Never again.",
        days_ago=3,
        reviewer="Unknown Person",
        verdict=ReviewVerdict.NOT_FOUND,
        status=ReplyStatus.AWAITING_APPROVAL,
        draft="Hello, we're sorry to read this. Which event did you attend?",
        flagged_for_investigation=True,
    )
    _review(engine, 5, "Great!", status=ReplyStatus.POSTED, reviewer="Happy Customer")

    page = manager.get(QUEUE)
    assert page.status_code == 200
    text = page.text
    assert text.index(f'id="review-{older}"') < text.index(f'id="review-{newer}"')
    assert "Happy Customer" not in text
    assert 'id="reviews-awaiting-approval">2<' in text
    item = text[text.index(f'id="review-{newer}"') :]
    # The review and its reading.
    assert "Chef came 40 minutes late and the rice was cold." in item
    assert "negative" in item and "(-0.64)" in item
    assert ">punctuality<" in item and ">food<" in item
    # The verification: verdict, confidence, reasons, candidates linking to bookings, customers.
    assert "Verified customer" in item and "97% confidence" in item
    assert "the only customer named Dana S. with an event that month" in item
    assert f'href="/admin/bookings/{booking.id}">{booking.reference}</a>' in item
    assert f'href="/admin/bookings/{other.id}">{other.reference}</a>' in item
    assert f'href="/admin/customers/{other_customer.id}">{other_customer.full_name}</a>' in item
    assert "20%" in item and f"name matches {customer.full_name}" in item
    # The matched customer's history.
    history = item[item.index(f'id="history-{newer}"') :]
    assert f'href="/admin/customers/{customer.id}">{customer.full_name}</a>' in history
    matched = history[: history.index(f'href="/admin/bookings/{booking.id}"')]
    assert matched.rindex("<tr") == matched.rindex('<tr class="matched">')
    # The draft, editable, with both decisions.
    assert f'<textarea id="reply-{newer}" name="reply" rows="8">{escape(DRAFT)}</textarea>' in (
        item
    )
    assert f'action="/admin/reviews/{newer}/approve"' in item
    assert f'action="/admin/reviews/{newer}/skip"' in item and "Don't reply</button>" in item
    older_item = text[text.index(f'id="review-{older}"') : text.index(f'id="review-{newer}"')]
    assert "no matching customer" in older_item and ">flagged<" in older_item
    assert "Which event did you attend?" in older_item

    # Staff read the draft but cannot decide.
    staff_page = staff.get(QUEUE).text
    assert "<textarea" not in staff_page and "/approve" not in staff_page
    assert "Only a manager or the owner may approve a reply." in staff_page
    assert str(escape(DRAFT)) in staff_page


def test_approve_an_edited_reply_stores_it_and_wakes_the_workflow(
    manager: TestClient, engine: Engine
) -> None:
    review_id = _awaiting(engine)
    edited = DRAFT.replace("Hi Dana,", "Dana, thank you.")
    response = manager.post(
        f"/admin/reviews/{review_id}/approve", data=_form(manager, reply=edited)
    )
    assert response.status_code == 303
    assert response.headers["location"] == QUEUE

    review = _stored(engine, review_id)
    assert review.reply_status == ReplyStatus.APPROVED
    assert review.draft_reply == edited
    assert review.decided_by is not None and review.decided_by.startswith("user:")
    (entry,) = _audit(engine, "review.reply_approved")
    assert entry.entity_id == str(review_id) and entry.summary == "edited and approved"
    assert entry.actor_name == "Ana Lopez"
    (wake,) = _inbox(engine, "review.wake")
    assert f'"review_id": {review_id}' in wake.body and '"reason": "approved"' in wake.body
    flashes = _flashes(manager)
    assert "Approved the reply to Dana S.: it is posted to Google in a moment." in flashes
    assert 'id="queue-empty"' in manager.get(QUEUE).text

    # Another tab pressing again changes nothing and says why.
    again = manager.post(f"/admin/reviews/{review_id}/approve", data=_form(manager, reply="Hi"))
    assert again.status_code == 303
    assert "Not changed: This review's reply is approved." in _flashes(manager)
    assert _stored(engine, review_id).draft_reply == edited
    assert len(_inbox(engine, "review.wake")) == 1


def test_approve_the_draft_as_it_is_from_the_review_page(
    manager: TestClient, engine: Engine
) -> None:
    # The draft invites a call to the business's own number: not a private detail.
    review_id = _awaiting(engine)
    path = f"/admin/reviews/{review_id}"
    form = _form(manager, path, reply=DRAFT, back="detail")
    response = manager.post(f"{path}/approve", data=form)
    assert response.status_code == 303 and response.headers["location"] == path
    assert _stored(engine, review_id).reply_status == ReplyStatus.APPROVED
    (entry,) = _audit(engine, "review.reply_approved")
    assert entry.summary == "draft approved"
    page = manager.get(path).text
    assert "approved, being posted" in page and "<textarea" not in page
    assert "review.reply_approved" in page[page.index('id="history"') :]


REFUSED = [
    (
        "Dana, call me on my cell (510) 555-0199 and enjoy 20% off your next event!",
        ["Contains a phone number ((510) 555-0199)", "Offers something"],
    ),
    ("Sorry! We'll refund the $450 and email you at dana@example.com.", ["amount of money"]),
    ("Sorry. " * 700, ["Too long for Google: 4,899 bytes in UTF-8, the limit is 4,096."]),
    ("   ", ["The reply is empty."]),
]


def test_a_reply_with_private_details_or_an_incentive_is_refused_as_typed(
    manager: TestClient, engine: Engine
) -> None:
    review_id = _awaiting(engine)
    for typed, problems in REFUSED:
        refused = manager.post(
            f"/admin/reviews/{review_id}/approve", data=_form(manager, reply=typed)
        )
        assert refused.status_code == 400
        text = refused.text
        alert = text[text.index(f'id="reply-{review_id}-problems"') :]
        alert = html.unescape(alert[: alert.index("</div>")])
        assert 'role="alert"' in text and "This reply cannot be posted:" in alert
        for problem in problems:
            assert problem in alert, (typed, alert)
        # What was typed stays in the textarea, ready to fix.
        area = text[text.index(f'<textarea id="reply-{review_id}"') :]
        assert html.unescape(area[area.index(">") + 1 : area.index("</textarea>")]) == typed
        assert 'aria-invalid="true"' in area[: area.index(">")]
    review = _stored(engine, review_id)
    assert review.reply_status == ReplyStatus.AWAITING_APPROVAL and review.draft_reply == DRAFT
    assert review.decided_by is None
    assert _inbox(engine, "review.wake") == []
    assert _audit(engine, "review.reply_approved") == []


def test_a_refusal_on_the_review_page_stays_there(manager: TestClient, engine: Engine) -> None:
    review_id = _awaiting(engine)
    path = f"/admin/reviews/{review_id}"
    typed = "Thanks Dana, your next event is free!"
    refused = manager.post(f"{path}/approve", data=_form(manager, path, reply=typed, back="detail"))
    assert refused.status_code == 400
    assert "<h2>The review</h2>" in refused.text  # the review's page, not the queue
    assert "Offers something" in html.unescape(refused.text)
    assert str(escape(typed)) in refused.text


def test_skip(manager: TestClient, engine: Engine) -> None:
    review_id = _awaiting(engine)
    response = manager.post(f"/admin/reviews/{review_id}/skip", data=_form(manager))
    assert response.status_code == 303 and response.headers["location"] == QUEUE
    review = _stored(engine, review_id)
    assert review.reply_status == ReplyStatus.SKIPPED and review.draft_reply == DRAFT
    (wake,) = _inbox(engine, "review.wake")
    assert '"reason": "skipped"' in wake.body
    assert len(_audit(engine, "review.reply_skipped")) == 1
    assert "Dana S.'s review will not be answered." in _flashes(manager)
    listed = manager.get(LIST).text
    assert "not answered (decided)" in listed
    missing = manager.post("/admin/reviews/999999/skip", data=_form(manager))
    assert missing.status_code == 303
    assert "Not changed: Review 999999 does not exist." in _flashes(manager)


def test_staff_cannot_decide_and_every_decision_needs_the_csrf_token(
    staff: TestClient, manager: TestClient, engine: Engine
) -> None:
    review_id = _awaiting(engine)
    token = form_token(staff, QUEUE)
    for action in ("approve", "skip"):
        refused = staff.post(
            f"/admin/reviews/{review_id}/{action}", data={"csrf_token": token, "reply": DRAFT}
        )
        assert refused.status_code == 403
        assert "Only a manager or the owner may do this." in refused.text
    for sent in ({}, {"csrf_token": "forged"}):
        for action in ("approve", "skip"):
            forged = manager.post(
                f"/admin/reviews/{review_id}/{action}", data={"reply": DRAFT, **sent}
            )
            assert forged.status_code == 403 and "Form expired or forged" in forged.text
    review = _stored(engine, review_id)
    assert review.reply_status == ReplyStatus.AWAITING_APPROVAL
    assert _inbox(engine, "review.wake") == []
    # Staff may look at everything but the Google connection.
    for path in (LIST, QUEUE, f"/admin/reviews/{review_id}", "/admin/reviews/analytics"):
        assert staff.get(path).status_code == 200, path
    assert "Google connection" not in staff.get(LIST).text
    assert staff.get(GOOGLE).status_code == 403
    for action in ("connect", "sync"):
        assert staff.post(f"{GOOGLE}/{action}", data={"csrf_token": token}).status_code == 403


def test_review_page_shows_everything_and_its_history(
    staff: TestClient, manager: TestClient, engine: Engine
) -> None:
    (booking, customer), _other = _bookings(engine)
    earlier = _review(
        engine, 5, "Loved it", days_ago=200, reviewer="Dana S.", booking_id=booking.id
    )
    review_id = _awaiting(engine)
    manager.post(f"/admin/reviews/{review_id}/skip", data=_form(manager))

    page = staff.get(f"/admin/reviews/{review_id}")
    assert page.status_code == 200
    text = page.text
    assert "2-star review from Dana S." in text
    assert "Chef came 40 minutes late" in text and "97% confidence" in text
    assert f'href="/admin/bookings/{booking.id}">{booking.reference}</a>' in text
    assert f'href="/admin/customers/{customer.id}">{customer.full_name}</a>' in text
    assert f'href="/admin/reviews/{earlier}"' in text  # their other review
    assert str(escape(DRAFT)) in text and "<textarea" not in text
    history = text[text.index('id="history"') :]
    assert "review.reply_skipped" in history and "Ana Lopez" in history
    assert staff.get("/admin/reviews/999999").status_code == 404


# --- the Google connection ----------------------------------------------------------------


def _start(client: TestClient, google: GoogleBusinessSandbox, settings: Settings) -> str:
    """Presses "Connect Google": answers the consent page's address."""
    response = client.post(f"{GOOGLE}/connect", data={"csrf_token": form_token(client, GOOGLE)})
    assert response.status_code == 303
    target = response.headers["location"]
    assert target.startswith(f"{google.url}/o/oauth2/v2/auth?")
    query = parse_qs(urlsplit(target).query)
    assert query["redirect_uri"] == [f"{settings.public_base_url}/admin/reviews/google/callback"]
    assert query["access_type"] == ["offline"] and len(query["state"][0]) >= 32
    return target


def _allow(consent_url: str) -> dict[str, str]:
    """The owner presses Allow on the emulator's consent page; answers what reaches the
    callback."""
    with httpx.Client(timeout=5) as browser:
        page = browser.get(consent_url)
        assert page.status_code == 200 and ">Allow</button>" in page.text
        hidden = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)
        )
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action is not None
        answer = browser.post(
            urljoin(str(page.url), action.group(1)),
            data={**{k: html.unescape(v) for k, v in hidden.items()}, "decision": "allow"},
        )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert location.path == CALLBACK
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def _every_text_value(engine: Engine) -> str:
    """Everything the database holds about the connection and its audit trail, as text."""
    with engine.connect() as connection:
        rows = [
            *connection.execute(text("SELECT * FROM google_connection")).all(),
            *connection.execute(text("SELECT * FROM audit_entry")).all(),
        ]
    return " ".join(str(value) for row in rows for value in row)


def test_connect_google_end_to_end_against_the_emulator(
    manager: TestClient,
    engine: Engine,
    forwarder: FakeForwarder,
    google_business: GoogleBusinessSandbox,
    admin_settings: Settings,
) -> None:
    page = manager.get(GOOGLE)
    assert page.status_code == 200 and 'id="not-connected"' in page.text
    assert "Sync now</button>" not in page.text
    nothing = manager.post(f"{GOOGLE}/sync", data={"csrf_token": csrf_of(page.text)})
    assert nothing.status_code == 303
    assert "Connect Google and choose a location first" in _flashes(manager, GOOGLE)
    assert _inbox(engine, "review.sync_requested") == []

    answer = _allow(_start(manager, google_business, admin_settings))
    done = manager.get(CALLBACK, params=answer)
    assert done.status_code == 303 and done.headers["location"] == GOOGLE

    with Session(engine) as session:
        google = session.exec(select(GoogleConnection)).one()
    refresh_token = decrypt(admin_settings, google.refresh_token_encrypted)
    assert refresh_token in google_business.state.refresh_tokens  # a token Google issued
    assert refresh_token not in _every_text_value(engine)  # stored encrypted only
    assert (google.account, google.location) == (DEFAULT_ACCOUNT, DEFAULT_LOCATION)
    assert google.location_title == DEFAULT_LOCATION_TITLE and google.active
    assert google.connected_by.startswith("user:")
    assert google_business.snapshot()["token_requests"]["authorization_code"] == 1
    first_sync = _inbox(engine, "review.sync_requested")
    assert len(first_sync) == 1 and forwarder.forwarded == [first_sync[0].id]
    assert {e.action for e in _audit(engine, "google.connected")} == {"google.connected"}
    assert len(_audit(engine, "google.location_chosen")) == 1

    shown = manager.get(GOOGLE).text
    assert f"Connected Google: {DEFAULT_LOCATION_TITLE}. The first sync has started." in (
        html.unescape(shown)
    )
    assert f"{DEFAULT_ACCOUNT}/{DEFAULT_LOCATION}" in shown and "not yet" in shown

    # The same answer again (a reload, or a replay) is refused: the state was used.
    replay = manager.get(CALLBACK, params=answer)
    assert replay.status_code == 400

    synced = manager.post(f"{GOOGLE}/sync", data={"csrf_token": csrf_of(shown)})
    assert synced.status_code == 303
    requests = _inbox(engine, "review.sync_requested")
    assert len(requests) == 2 and forwarder.forwarded[-1] == requests[-1].id
    assert "Sync started" in _flashes(manager, GOOGLE)

    # What a sync recorded shows on the page.
    with Session(engine) as session:
        stored = session.exec(select(GoogleConnection)).one()
        stored.last_synced_at = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
        stored.last_sync_new, stored.last_error = 3, "HTTP 503 UNAVAILABLE: try later"
        session.add(stored)
        session.commit()
    after = manager.get(GOOGLE).text
    assert "Sat 28 Feb 2026, 10:30 PM: 3 new reviews" in after
    assert "HTTP 503 UNAVAILABLE: try later" in after


def test_a_callback_whose_state_does_not_match_is_refused(
    app: FastAPI,
    manager: TestClient,
    engine: Engine,
    google_business: GoogleBusinessSandbox,
    admin_settings: Settings,
) -> None:
    answer = _allow(_start(manager, google_business, admin_settings))
    forged = manager.get(CALLBACK, params={**answer, "state": "attacker-chosen-state"})
    assert forged.status_code == 400
    assert "does not belong to a connection started from this browser" in forged.text
    # Refused before the code was used, and the started connection is spent.
    assert google_business.snapshot()["token_requests"].get("authorization_code", 0) == 0
    assert manager.get(CALLBACK, params=answer).status_code == 400

    # Another manager's browser, which never started a connection, cannot finish this one.
    other = signed_in(app, OWNER)
    answer = _allow(_start(manager, google_business, admin_settings))
    assert other.get(CALLBACK, params=answer).status_code == 400
    missing = manager.get(CALLBACK, params={"code": answer["code"]})
    assert missing.status_code == 400
    with Session(engine) as session:
        assert session.exec(select(GoogleConnection)).all() == []


def test_consent_refused_or_google_failing_is_explained(
    manager: TestClient,
    engine: Engine,
    google_business: GoogleBusinessSandbox,
    admin_settings: Settings,
) -> None:
    denied = google_business.consent(_start(manager, google_business, admin_settings), "deny")
    response = manager.get(CALLBACK, params={k: v[0] for k, v in denied.items()})
    assert response.status_code == 303
    assert "access was not allowed on Google's page" in _flashes(manager, GOOGLE)

    google_business.fault(path_prefix="/token", kind="server_error")
    answer = google_business.consent(_start(manager, google_business, admin_settings))
    failed = manager.get(CALLBACK, params={k: v[0] for k, v in answer.items()})
    assert failed.status_code == 303
    assert "Google was not connected. Google is not answering right now" in _flashes(
        manager, GOOGLE
    )
    with Session(engine) as session:
        assert session.exec(select(GoogleConnection)).all() == []


def test_connected_but_the_locations_cannot_be_read(
    manager: TestClient,
    engine: Engine,
    google_business: GoogleBusinessSandbox,
    admin_settings: Settings,
) -> None:
    google_business.fault(path_prefix="/v1/accounts", kind="server_error", count=10)
    answer = _allow(_start(manager, google_business, admin_settings))
    done = manager.get(CALLBACK, params=answer)
    assert done.status_code == 303 and done.headers["location"] == GOOGLE
    page = manager.get(GOOGLE).text
    assert "Connected Google, but its locations could not be read." in page
    assert 'class="field-error last-error">Google is not answering right now' in page
    assert "Choose the location</a>" in page and "Sync now</button>" not in page
    with Session(engine) as session:
        google = session.exec(select(GoogleConnection)).one()
    assert google.location == "" and google.last_error
    assert _inbox(engine, "review.sync_requested") == []


def test_several_locations_the_manager_chooses_one(
    manager: TestClient,
    engine: Engine,
    forwarder: FakeForwarder,
    google_business: GoogleBusinessSandbox,
    admin_settings: Settings,
) -> None:
    second = google_business.add_location("Teppan East Bay", location_id="777")
    answer = _allow(_start(manager, google_business, admin_settings))
    done = manager.get(CALLBACK, params=answer)
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/reviews/google/location"
    with Session(engine) as session:
        assert session.exec(select(GoogleConnection)).one().location == ""
    assert _inbox(engine, "review.sync_requested") == []

    choice = manager.get("/admin/reviews/google/location")
    assert choice.status_code == 200
    assert "Choose the location whose reviews Teppan answers." in html.unescape(choice.text)
    assert DEFAULT_LOCATION_TITLE in choice.text and "Teppan East Bay" in choice.text
    token = csrf_of(choice.text)
    wrong = manager.post(
        "/admin/reviews/google/location",
        data={"csrf_token": token, "location": f"{DEFAULT_ACCOUNT}|locations/999"},
    )
    assert wrong.status_code == 400 and "Choose one of the locations listed." in wrong.text

    chosen = manager.post(
        "/admin/reviews/google/location",
        data={"csrf_token": token, "location": f"{second['account']}|{second['name']}"},
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == GOOGLE
    with Session(engine) as session:
        google = session.exec(select(GoogleConnection)).one()
    assert (google.location, google.location_title) == ("locations/777", "Teppan East Bay")
    requests = _inbox(engine, "review.sync_requested")
    assert len(requests) == 1 and forwarder.forwarded == [requests[0].id]
    assert "Reviews are read from Teppan East Bay." in _flashes(manager, GOOGLE)
    again = manager.get("/admin/reviews/google/location").text
    assert f'value="{DEFAULT_ACCOUNT}|locations/777" checked' in again


# --- analytics ----------------------------------------------------------------------------


def test_analytics_page(staff: TestClient, engine: Engine) -> None:
    now = datetime.now(UTC)
    _review(engine, 5, days_ago=1 / 24, status=ReplyStatus.POSTED, replied_at=now)
    written = now - timedelta(days=2)
    _review(
        engine,
        4,
        written=written,
        status=ReplyStatus.POSTED,
        replied_at=written + timedelta(hours=6),
    )
    three_weeks = now - timedelta(days=20)
    _review(
        engine,
        1,
        written=three_weeks,
        reviewer="Troll",
        status=ReplyStatus.POSTED,
        replied_at=three_weeks + timedelta(hours=2),
    )
    _review(engine, 2, days_ago=40, reviewer="Sam", status=ReplyStatus.AWAITING_APPROVAL)

    page = staff.get("/admin/reviews/analytics")
    assert page.status_code == 200
    text = page.text
    assert 'id="average-rating">3.00<' in text and 'id="review-count">4<' in text
    assert 'id="share-replied">75%<' in text and "(3 of 4)" in text
    assert 'id="time-to-reply">2 hours<' in text  # 1, 6 and 2 hours: the median
    assert 'id="awaiting-approval">1<' in text
    week = text[text.index(f'id="week-{monday_of(three_weeks.astimezone(PACIFIC).date())}"') :]
    assert (
        week.startswith('id="week-') and '<td class="num">1.00</td>' in week[: week.index("</tr>")]
    )
    assert text.count('<tr id="week-') == 12

    recent = staff.get("/admin/reviews/analytics", params={"weeks": "4"}).text
    assert 'id="review-count">3<' in recent and 'id="average-rating">3.33<' in recent
    assert 'id="share-replied">100%<' in recent and 'id="awaiting-approval">1<' in recent
    assert recent.count('<tr id="week-') == 4
    assert staff.get("/admin/reviews/analytics", params={"weeks": "0"}).status_code == 422
