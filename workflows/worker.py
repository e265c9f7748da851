"""The Temporal worker: every workflow and activity of Teppan, registered in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

import domain.all_models  # noqa: F401 - foreign keys resolve by table name: load every table
from activities.booking_messages import BookingMessageActivities
from activities.calls import CallActivities, CallSettings
from activities.conversations import ConversationActivities
from activities.direct_messages import DirectMessageActivities
from activities.messaging import MessagingActivities
from activities.payments import PaymentActivities, PaymentSettings
from activities.quotes import QuoteActivities
from activities.reviews import ProviderFactory, ReviewActivities, ReviewReader
from activities.staff_messages import StaffMessageActivities
from activities.travel import TravelMeasurer
from activities.webhooks import WebhookActivities
from core import secrets_at_rest
from core.settings import Settings
from core.temporal import connect_temporal
from domain.messaging.replies import ReplyModel
from domain.payments.matching import MatchSettings
from domain.reviews.service import ReplyRules
from integrations.factory import (
    Providers,
    build_providers,
    reply_model,
    review_reader,
    reviews_provider_factory,
    ringcentral_subscriptions,
    triage_model,
)
from integrations.llm.base import TriageModel
from workflows.bank_sync import BankSyncWorkflow
from workflows.booking_lifecycle import BookingLifecycleWorkflow
from workflows.call import CallWorkflow
from workflows.card_payment import CardPaymentWorkflow
from workflows.conversation import ConversationWorkflow
from workflows.payment_matching import PaymentMatchingWorkflow
from workflows.quote import QuoteWorkflow
from workflows.review import ReviewWorkflow
from workflows.review_sync import ReviewSyncWorkflow
from workflows.schedules import ScheduleIntervals, ensure_schedules
from workflows.staff_message import StaffMessageWorkflow
from workflows.webhook_renewal import RenewWebhooksWorkflow

log = logging.getLogger(__name__)

WORKFLOWS: Sequence[type] = (
    ConversationWorkflow,
    QuoteWorkflow,
    CallWorkflow,
    RenewWebhooksWorkflow,
    PaymentMatchingWorkflow,
    BankSyncWorkflow,
    CardPaymentWorkflow,
    ReviewWorkflow,
    ReviewSyncWorkflow,
    BookingLifecycleWorkflow,
    StaffMessageWorkflow,
)


@dataclass(frozen=True)
class WorkerDeps:
    """What the activities are built from: the database, the adapters and a few settings."""

    engine: Engine
    providers: Providers
    public_base_url: str
    calls: CallSettings = field(default_factory=lambda: CallSettings(20, 15, 3))
    triage_model: TriageModel | None = None
    webhooks: WebhookActivities | None = None
    payments: PaymentSettings = field(default_factory=lambda: PaymentSettings(MatchSettings()))
    # Opens stored provider secrets (core.secrets_at_rest with the configured key).
    decrypt: Callable[[str], str] | None = None
    # Google Business Profile for a refresh token; None: reviews are not synced or answered.
    reviews_provider: ProviderFactory | None = None
    reply_rules: ReplyRules = field(default_factory=ReplyRules)
    review_reader: ReviewReader | None = None  # OpenAI; None: the built-in scorer
    reply_model: ReplyModel | None = None  # OpenAI answers customers; None: the built-in replies
    conversation_burst_seconds: int = 20


def _no_key(_: str) -> str:
    raise RuntimeError("the worker was built without a key for stored secrets")


def _no_reviews(_: str) -> Any:
    raise RuntimeError("the worker was built without a Google Business Profile adapter")


def activities_for(deps: WorkerDeps) -> list[Any]:
    engine, providers = deps.engine, deps.providers
    messaging = MessagingActivities(engine, providers.sms)
    booking_messages = BookingMessageActivities(engine)
    staff_messages = StaffMessageActivities(engine)
    travel = TravelMeasurer(engine, providers.maps, providers.maps_estimate)
    quotes = QuoteActivities(engine, travel, deps.public_base_url)
    conversations = ConversationActivities(
        engine, deps.public_base_url, deps.conversation_burst_seconds, deps.reply_model
    )
    calls = CallActivities(
        engine, providers.call_control, providers.voice, deps.triage_model, deps.calls
    )
    payments = PaymentActivities(
        engine,
        deps.payments,
        providers.bank_feed,
        providers.card_payments,
        deps.decrypt or _no_key,
    )
    reviews = ReviewActivities(
        engine,
        deps.reviews_provider or _no_reviews,
        deps.decrypt or _no_key,
        deps.reply_rules,
        deps.review_reader,
    )
    registered = [
        reviews.sync_reviews,
        reviews.assess_review,
        reviews.reply_decision,
        reviews.post_reply,
        reviews.review_outcome,
        payments.match_payment,
        payments.reconcile_stripe_payout,
        payments.check_review,
        payments.apply_card_event,
        payments.sync_bank,
        messaging.send_sms,
        booking_messages.lifecycle_snapshot,
        booking_messages.compose,
        booking_messages.record_skipped,
        messaging.handle_consent_keyword,
        messaging.withdraw_held,
        conversations.record_inbound_message,
        conversations.reply_turn,
        conversations.hand_off_conversation,
        conversations.lead_follow_up,
        staff_messages.load_staff_message,
        staff_messages.release_staff_message,
        quotes.price_quote,
        quotes.mark_quote_sent,
        quotes.quote_follow_up,
        calls.open_call,
        calls.say,
        calls.triage_turn,
        calls.choose_extension,
        calls.transfer,
        calls.escalation_outcome,
        calls.voicemail,
        calls.drop_call,
        calls.close_call,
    ]
    if deps.webhooks is not None:
        registered.append(deps.webhooks.renew_ringcentral_subscription)
    if providers.direct_messages is not None:
        direct = DirectMessageActivities(engine, providers.direct_messages)
        registered.append(direct.send_direct_message)
    return registered


def build_worker(
    client: Client, *, task_queue: str, deps: WorkerDeps, executor: ThreadPoolExecutor
) -> Worker:
    # Activities are synchronous (SQL and vendor SDKs block), so they run on a thread pool.
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(deps),
        activity_executor=executor,
        max_concurrent_activities=executor._max_workers,
    )


def deps_from_settings(settings: Settings, engine: Engine) -> WorkerDeps:
    return WorkerDeps(
        engine=engine,
        providers=build_providers(settings),
        public_base_url=settings.public_base_url,
        calls=CallSettings(
            ring_timeout=settings.call_ring_timeout_seconds,
            silence_timeout=settings.call_silence_timeout_seconds,
            max_turns=settings.call_max_assistant_turns,
        ),
        triage_model=triage_model(settings),
        webhooks=WebhookActivities(
            ringcentral_subscriptions(settings),
            f"{settings.public_base_url}/webhooks/ringcentral",
            settings.ringcentral_webhook_token.get_secret_value(),
        ),
        payments=PaymentSettings(
            MatchSettings(
                auto_threshold=settings.payment_auto_threshold,
                min_margin=settings.payment_min_margin,
            ),
            review_reminder_hours=settings.payment_review_reminder_hours,
        ),
        decrypt=partial(secrets_at_rest.decrypt, settings),
        reviews_provider=reviews_provider_factory(settings),
        review_reader=review_reader(settings),
        reply_model=reply_model(settings),
        conversation_burst_seconds=settings.conversation_burst_seconds,
        reply_rules=ReplyRules(
            auto_reply=settings.review_auto_reply,
            auto_reply_delay_minutes=settings.review_auto_reply_delay_minutes,
            make_good_percent=settings.review_make_good_percent,
        ),
    )


async def run_worker(settings: Settings, engine: Engine) -> None:
    client = await _connect_with_retry(settings)
    with ThreadPoolExecutor(max_workers=16, thread_name_prefix="activity") as executor:
        worker = build_worker(
            client,
            task_queue=settings.temporal_task_queue,
            deps=deps_from_settings(settings, engine),
            executor=executor,
        )
        await ensure_schedules(
            client,
            settings.temporal_task_queue,
            ScheduleIntervals(
                webhook_renewal=timedelta(hours=settings.webhook_renewal_hours),
                bank_sync=timedelta(minutes=settings.bank_sync_interval_minutes),
                review_sync=timedelta(minutes=settings.review_sync_interval_minutes),
            ),
        )
        log.info("worker listening on task queue %r", settings.temporal_task_queue)
        await worker.run()


async def _connect_with_retry(settings: Settings) -> Client:
    delay = 0.5
    while True:
        try:
            return await connect_temporal(settings)
        except RuntimeError as error:
            log.warning("Temporal not reachable yet (%s); retrying in %.1fs", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
