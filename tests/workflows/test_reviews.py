"""Reviews on the time-skipping server, with the real activities against the Google Business
Profile emulator: the sync finds each review once, happy ones are answered on their own after
the delay, unhappy ones wait (durably) for a manager, and edits and removed replies are noticed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from api.webhooks.forwarder import InboxForwarder
from core import secrets_at_rest
from core.errors import ValidationFailed
from core.settings import Settings
from core.temporal import TemporalGateway
from domain.audit.service import Actor
from domain.reviews import connection
from domain.reviews import service as reviews
from domain.reviews.models import ReplyStatus, Review, ReviewVerdict
from domain.reviews.payloads import ReviewOutcome, ReviewSyncInput, ReviewSyncReport
from domain.reviews.service import ReplyRules
from domain.tasks.models import Task
from integrations.llm.openai_reviews import OpenAIReviewReader
from sandbox.openai import SANDBOX_OPENAI_API_KEY
from tests import factories
from tests.factories import PACIFIC
from tests.google_business_fixtures import GoogleBusinessSandbox
from tests.sandbox_fixtures import OpenAISandbox, RingCentralSandbox
from tests.workflows.conftest import PUBLIC_BASE_URL, replay_and_maybe_record, sandbox_providers
from workflows.review import ReviewWorkflow, workflow_id_for
from workflows.review_sync import ReviewSyncWorkflow
from workflows.worker import WorkerDeps, build_worker

OWNER_PHONE = "+15105550199"
CUSTOMER_PHONE = "+15105550111"
MANAGER = Actor("user:2", "Manager")
EVENT = datetime(2026, 11, 14, 18, 0, tzinfo=PACIFIC)
WRITTEN = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class ReviewsWorker:
    client: Client
    task_queue: str
    engine: Engine
    forwarder: InboxForwarder


@pytest.fixture
async def reviewing(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    settings: Settings,
    ringcentral: RingCentralSandbox,
    google_business: GoogleBusinessSandbox,
    openai_sandbox: OpenAISandbox,
) -> AsyncIterator[ReviewsWorker]:
    """OpenAI reads every review; unscripted, the emulator answers in triage's shape, which the
    reader refuses, so the built-in scorer reads it: both paths run in these tests."""
    tokens = google_business.connect()
    assert tokens.refresh_token
    with Session(engine) as session:
        factories.business(session)
        factories.owner_on_primary_extension(session, OWNER_PHONE)
        customer = factories.customer(session, "Marisol Quintanilla", CUSTOMER_PHONE)
        factories.booking(session, customer.id or 0, EVENT)
        google = connection.connect(
            session,
            refresh_token_encrypted=secrets_at_rest.encrypt(settings, tokens.refresh_token),
            actor=MANAGER,
        )
        place = google_business.location
        connection.choose_location(
            session, google, place.account, place.location, place.title, MANAGER
        )
        session.commit()
    task_queue = f"test-{uuid.uuid4().hex[:8]}"
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None),
        public_base_url=PUBLIC_BASE_URL,
        decrypt=partial(secrets_at_rest.decrypt, settings),
        reviews_provider=lambda token: google_business.reviews(token),
        reply_rules=ReplyRules(auto_reply=True, auto_reply_delay_minutes=30, make_good_percent=10),
        review_reader=OpenAIReviewReader(
            SANDBOX_OPENAI_API_KEY, openai_sandbox.base_url, "gpt-4o-mini", timeout=2.0
        ),
    )
    gateway = TemporalGateway.connected(settings, own_time_skipping_env.client)
    forwarder = InboxForwarder(engine, gateway, task_queue)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(
            own_time_skipping_env.client, task_queue=task_queue, deps=deps, executor=executor
        ):
            yield ReviewsWorker(own_time_skipping_env.client, task_queue, engine, forwarder)


async def _sync(worker: ReviewsWorker, record_as: str = "") -> ReviewSyncReport:
    handle = await worker.client.start_workflow(
        ReviewSyncWorkflow.run,
        ReviewSyncInput(),
        id=f"review-sync-{uuid.uuid4().hex[:8]}",
        task_queue=worker.task_queue,
    )
    report = await handle.result()
    if record_as:
        await replay_and_maybe_record(handle, record_as)
    return report


def _handle(worker: ReviewsWorker, google_id: str) -> WorkflowHandle[Any, ReviewOutcome]:
    return worker.client.get_workflow_handle_for(ReviewWorkflow.run, workflow_id_for(google_id))


def _review(engine: Engine, google_id: str) -> Review:
    with Session(engine) as session:
        found = reviews.by_google_id(session, google_id)
        assert found is not None
        return found


async def _until(engine: Engine, google_id: str, status: ReplyStatus) -> Review:
    for _ in range(400):
        review = _review(engine, google_id)
        if review.reply_status == status:
            return review
        await asyncio.sleep(0.05)
    raise AssertionError(f"review {google_id} never reached {status}")


def _texts_to(ringcentral: RingCentralSandbox, number: str) -> list[str]:
    return [m.text for m in ringcentral.state.thread(number) if m.direction == "Outbound"]


async def test_a_happy_customer_is_answered_on_their_own_after_the_delay(
    reviewing: ReviewsWorker,
    google_business: GoogleBusinessSandbox,
    own_time_skipping_env: WorkflowEnvironment,
) -> None:
    added = google_business.add_review(
        5, "Chef was amazing, the food was great!", reviewer_name="Marisol Q.", create_time=WRITTEN
    )
    report = await _sync(reviewing, record_as=f"{ReviewSyncWorkflow.__name__}--synced")
    assert (report.new, report.seen) == (1, 1)
    assert await reviewing.forwarder.forward_pending() == 1

    review = await _until(reviewing.engine, added["reviewId"], ReplyStatus.SCHEDULED)
    assert (review.verdict, review.sentiment) == (ReviewVerdict.VERIFIED, "positive")
    assert {"chef", "food"} <= set(review.topics)
    assert google_business.snapshot()["replies_received"] == 0  # waits out its delay

    await own_time_skipping_env.sleep(timedelta(minutes=31))
    await _until(reviewing.engine, added["reviewId"], ReplyStatus.POSTED)
    outcome = await _handle(reviewing, added["reviewId"]).result()
    assert outcome.reply_status == ReplyStatus.POSTED.value
    assert google_business.snapshot()["replies_received"] == 1
    posted = _review(reviewing.engine, added["reviewId"])
    assert posted.reply_comment and "Marisol" in posted.reply_comment
    # A re-sync finds nothing new and starts nothing.
    assert (await _sync(reviewing)).new == 0
    assert await reviewing.forwarder.forward_pending() == 0


async def test_an_unhappy_customer_waits_for_a_manager_and_gets_the_make_good_privately(
    reviewing: ReviewsWorker,
    google_business: GoogleBusinessSandbox,
    ringcentral: RingCentralSandbox,
    own_time_skipping_env: WorkflowEnvironment,
) -> None:
    added = google_business.add_review(
        2,
        "The chef showed up an hour late.",
        reviewer_name="Marisol Quintanilla",
        create_time=WRITTEN,
    )
    await _sync(reviewing)
    await reviewing.forwarder.forward_pending()
    review = await _until(reviewing.engine, added["reviewId"], ReplyStatus.AWAITING_APPROVAL)
    assert review.verdict == ReviewVerdict.VERIFIED
    assert review.draft_reply and "November" in review.draft_reply
    assert "10%" not in review.draft_reply  # the make-good is never public

    await own_time_skipping_env.sleep(timedelta(days=3))  # nobody approved yet: nothing posted
    assert google_business.snapshot()["replies_received"] == 0
    [make_good] = _texts_to(ringcentral, CUSTOMER_PHONE)
    assert "10%" in make_good
    [heads_up] = _texts_to(ringcentral, OWNER_PHONE)
    assert "2★" in heads_up and "Marisol Quintanilla" in heads_up
    with Session(reviewing.engine) as session:
        [task] = session.exec(select(Task)).all()
        assert task.title.startswith("Follow up with Marisol Quintanilla")
        edited = f"{review.draft_reply} We are sorry again."
        reviews.approve(session, review.id or 0, edited, MANAGER)
        session.commit()
    assert await reviewing.forwarder.forward_pending() == 1
    handle = _handle(reviewing, added["reviewId"])
    outcome = await asyncio.wait_for(handle.result(), timeout=30)

    assert outcome.reply_status == ReplyStatus.POSTED.value
    assert _review(reviewing.engine, added["reviewId"]).reply_comment == edited
    assert google_business.snapshot()["replies_received"] == 1
    await replay_and_maybe_record(handle, f"{ReviewWorkflow.__name__}--approved")


async def test_an_unhappy_stranger_is_flagged_and_a_skipped_draft_is_never_posted(
    reviewing: ReviewsWorker, google_business: GoogleBusinessSandbox
) -> None:
    added = google_business.add_review(
        1, "Terrible!!", reviewer_name="Zed Quartermaine", create_time=WRITTEN
    )
    await _sync(reviewing)
    await reviewing.forwarder.forward_pending()
    review = await _until(reviewing.engine, added["reviewId"], ReplyStatus.AWAITING_APPROVAL)
    assert review.verdict == ReviewVerdict.NOT_FOUND
    assert review.flagged_for_investigation
    with Session(reviewing.engine) as session:
        [task] = session.exec(select(Task)).all()
        assert "report it to Google" in task.details
        reviews.skip(session, review.id or 0, MANAGER)
        session.commit()
    await reviewing.forwarder.forward_pending()
    outcome = await asyncio.wait_for(_handle(reviewing, added["reviewId"]).result(), timeout=30)
    assert outcome.reply_status == ReplyStatus.SKIPPED.value
    assert google_business.snapshot()["replies_received"] == 0


async def test_an_edited_review_and_a_removed_reply_are_noticed(
    reviewing: ReviewsWorker,
    google_business: GoogleBusinessSandbox,
    own_time_skipping_env: WorkflowEnvironment,
) -> None:
    added = google_business.add_review(
        4, "Good food.", reviewer_name="Marisol Quintanilla", create_time=WRITTEN
    )
    await _sync(reviewing)
    await reviewing.forwarder.forward_pending()
    await _until(reviewing.engine, added["reviewId"], ReplyStatus.SCHEDULED)
    await own_time_skipping_env.sleep(timedelta(minutes=31))
    await _until(reviewing.engine, added["reviewId"], ReplyStatus.POSTED)

    google_business.edit_review(added["reviewId"], stars=2, comment="Food was cold.")
    google_business.remove_reply(added["reviewId"])
    report = await _sync(reviewing)

    assert (report.new, report.edited, report.replies_removed) == (0, 1, 1)
    review = _review(reviewing.engine, added["reviewId"])
    assert (review.star_rating, review.edited_on_google) == (2, True)
    assert review.reply_status == ReplyStatus.REMOVED_ON_GOOGLE
    with Session(reviewing.engine) as session:
        titles = [task.title for task in session.exec(select(Task)).all()]
    assert titles == ["Our reply to Marisol Quintanilla's review is gone"]


async def test_a_manager_reply_with_private_details_is_refused(
    reviewing: ReviewsWorker, google_business: GoogleBusinessSandbox
) -> None:
    added = google_business.add_review(3, "OK.", reviewer_name="Someone", create_time=WRITTEN)
    await _sync(reviewing)
    await reviewing.forwarder.forward_pending()
    review = await _until(reviewing.engine, added["reviewId"], ReplyStatus.AWAITING_APPROVAL)
    with Session(reviewing.engine) as session, pytest.raises(ValidationFailed):
        reviews.approve(session, review.id or 0, "Call Jennifer at 510-555-0111, 20% off!", MANAGER)
    assert _review(reviewing.engine, added["reviewId"]).reply_status == (
        ReplyStatus.AWAITING_APPROVAL
    )


async def test_openai_reads_the_review_when_it_answers(
    reviewing: ReviewsWorker, google_business: GoogleBusinessSandbox, openai_sandbox: OpenAISandbox
) -> None:
    openai_sandbox.script(
        {"sentiment": "positive", "score": 0.7, "topics": ["price"], "reason": "Good value."}
    )
    added = google_business.add_review(
        2, "Worth every penny?", reviewer_name="Someone Else", create_time=WRITTEN
    )
    await _sync(reviewing)
    await reviewing.forwarder.forward_pending()
    review = await _until(reviewing.engine, added["reviewId"], ReplyStatus.AWAITING_APPROVAL)
    # OpenAI's topics and reason are kept; its "positive" is not, for two stars.
    assert (review.sentiment, review.topics) == ("neutral", ["price"])
    assert "OpenAI: Good value." in review.verification_reasons
