"""A customer's conversation on one channel address: every message recorded at once, answered
by the AI in turns, handed to a person when it should be, and a quiet lead followed up once.

One workflow per channel and sender (`conversation-sms-+15105550111`), started by
signal-with-start from the inbox: each message arrives as a `message_received` signal (the run's
argument is the first one). Per message: record it (deduplicated by provider id), let an SMS
consent keyword (STOP, START, HELP) answer it alone, and otherwise hold it for the next turn. A
turn starts once the customer paused for the burst time, so a burst is answered once. The
activity reads the conversation's state on every turn: while a person has it, the AI is silent;
staff hand it back in the database and the next turn is the AI's again.

The run ends after a week with nothing to do (a later message starts a new run) and continues
as new, carrying what is pending, when its history grows long.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.conversations import ConversationActivities
    from activities.messaging import MessagingActivities
    from domain.customers.models import Channel
    from domain.messaging.conversation_payloads import (
        ConversationCarry,
        ConversationOutcome,
        FollowUpPlan,
        FollowUpRequest,
        HandOffRequest,
        PendingMessage,
        TurnRequest,
    )
    from domain.messaging.models import MessageKind
    from domain.messaging.payloads import (
        ConsentKeywordRequest,
        InboundMessage,
    )
    from domain.messaging.replies import ReplyAction
    from domain.messaging.reply_rules import hand_off_key, reply_key
    from workflows.policies import DATABASE_RETRY
    from workflows.texting import send_on_channel, send_text

# Nothing pending and nothing said for this long: the run ends.
IDLE = timedelta(days=7)
QUICK = timedelta(seconds=30)
# The turn may ask OpenAI (a few seconds at most) before its built-in answers.
TURN_TIMEOUT = timedelta(seconds=60)
SEEN_KEPT = 500  # provider ids remembered for deduplication
HISTORY_LIMIT = 10_000  # events; Temporal's own suggestion may come first
DEFAULT_BURST = timedelta(seconds=20)  # until the first recorded message says otherwise


def conversation_workflow_id(channel: Channel, address: str) -> str:
    return f"conversation-{channel.value}-{address}"


@workflow.defn
class ConversationWorkflow:
    def __init__(self) -> None:
        self._incoming: list[InboundMessage] = []
        self._seen: list[str] = []
        self._pending: list[PendingMessage] = []
        self._follow_up: FollowUpPlan | None = None
        self._turns = 0
        self._burst = DEFAULT_BURST
        self._conversation_id: int | None = None

    @workflow.signal
    def message_received(self, message: InboundMessage) -> None:
        if message.external_id in self._seen:
            return
        self._seen = [*self._seen, message.external_id][-SEEN_KEPT:]
        self._incoming.append(message)

    @workflow.query
    def turns(self) -> int:
        """Turns decided so far in this run (answered, handed off or left unanswered)."""
        return self._turns

    @workflow.run
    async def run(
        self, first: InboundMessage, carried: ConversationCarry | None = None
    ) -> ConversationOutcome:
        # Started with the message alone, the SDK decodes it without type hints (it uses them
        # only when every parameter is given): it may arrive as a plain dict.
        first = InboundMessage.model_validate(first)
        if carried is None:
            self.message_received(first)
        else:
            self._restore(carried)
        while True:
            await self._record_incoming()
            if self._pending:
                if await self._wait(self._has_incoming, self._burst):
                    continue  # the customer is still typing: the burst timer starts again
                await self._take_turn()
                continue
            if self._history_is_long():
                workflow.continue_as_new(args=[first, self._carry()])
            if self._follow_up is not None:
                due_in = max(self._follow_up.due_at - workflow.now(), timedelta(0))
                if not await self._wait(self._has_incoming, due_in):
                    await self._send_follow_up(self._follow_up)
                continue
            if not await self._wait(self._has_incoming, IDLE):
                return ConversationOutcome(
                    conversation_id=self._conversation_id, turns=self._turns, reason="idle"
                )

    def _has_incoming(self) -> bool:
        return bool(self._incoming)

    async def _record_incoming(self) -> None:
        while self._incoming:
            message = self._incoming.pop(0)
            recorded = await workflow.execute_activity_method(
                ConversationActivities.record_inbound_message,
                message,
                start_to_close_timeout=QUICK,
                retry_policy=DATABASE_RETRY,
            )
            self._conversation_id = recorded.conversation_id
            self._burst = timedelta(seconds=recorded.burst_seconds)
            if recorded.handled_before:
                continue
            self._follow_up = None  # they wrote again: no follow-up for the last answer
            pending = PendingMessage(
                message_id=recorded.message_id,
                customer_id=recorded.customer_id,
                conversation_id=recorded.conversation_id,
                channel=message.channel,
                from_address=message.from_address,
                to_address=message.to_address,
                text=message.text,
            )
            if message.channel is Channel.SMS and await self._consent_keyword(pending):
                continue
            self._pending.append(pending)

    async def _consent_keyword(self, message: PendingMessage) -> bool:
        """STOP, START and HELP are answered by the consent rules alone, never by the AI."""
        outcome = await workflow.execute_activity_method(
            MessagingActivities.handle_consent_keyword,
            ConsentKeywordRequest(
                customer_id=message.customer_id,
                conversation_id=message.conversation_id,
                message_id=message.message_id,
                channel=message.channel,
                from_address=message.from_address,
                to_address=message.to_address,
                text=message.text,
            ),
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )
        if outcome.keyword is None:
            return False
        if outcome.reply is not None:
            await self._guarded(send_text(outcome.reply), "consent reply")
        return True

    async def _take_turn(self) -> None:
        turn, self._pending = self._pending, []
        latest = turn[-1]
        ids = [message.message_id for message in turn]
        decision = await workflow.execute_activity_method(
            ConversationActivities.reply_turn,
            TurnRequest(
                conversation_id=latest.conversation_id,
                customer_id=latest.customer_id,
                channel=latest.channel,
                message_ids=ids,
                texts=[message.text for message in turn],
                at=workflow.now(),
            ),
            start_to_close_timeout=TURN_TIMEOUT,
            retry_policy=DATABASE_RETRY,
        )
        self._turns += 1
        if decision.action == ReplyAction.REPLY.value:
            key = reply_key(latest.conversation_id, ids)
            await self._send(latest, key, decision.text, MessageKind.CONVERSATION)
            if decision.follow_up_after_hours is not None:
                due_at = workflow.now() + timedelta(hours=decision.follow_up_after_hours)
                self._follow_up = FollowUpPlan(due_at=due_at, reply_to=latest)
        elif decision.action == ReplyAction.HAND_OFF.value:
            key = hand_off_key(latest.conversation_id, ids)
            handed = await workflow.execute_activity_method(
                ConversationActivities.hand_off_conversation,
                HandOffRequest(
                    conversation_id=latest.conversation_id,
                    reason=decision.reason,
                    complaint=decision.complaint,
                    key=key,
                    last_text=latest.text,
                ),
                start_to_close_timeout=QUICK,
                retry_policy=DATABASE_RETRY,
            )
            if handed.heads_up is not None:
                await self._guarded(send_text(handed.heads_up), "staff heads-up")
            await self._send(latest, f"{key}:customer", handed.notice, MessageKind.CONVERSATION)

    async def _send_follow_up(self, plan: FollowUpPlan) -> None:
        self._follow_up = None
        lead = plan.reply_to
        decision = await workflow.execute_activity_method(
            ConversationActivities.lead_follow_up,
            FollowUpRequest(
                conversation_id=lead.conversation_id,
                customer_id=lead.customer_id,
                channel=lead.channel,
                at=workflow.now(),
            ),
            start_to_close_timeout=QUICK,
            retry_policy=DATABASE_RETRY,
        )
        if decision.text is not None:
            await self._send(lead, decision.key, decision.text, MessageKind.MARKETING)

    async def _send(self, to: PendingMessage, key: str, text: str, kind: MessageKind) -> None:
        """On the customer's own channel, once per key."""
        sending = send_on_channel(
            channel=to.channel,
            idempotency_key=key,
            conversation_id=to.conversation_id,
            our_address=to.to_address,
            their_address=to.from_address,
            text=text,
            sent_by=f"workflow:{workflow.info().workflow_id}",
            kind=kind,
        )
        await self._guarded(sending, kind.value)

    @staticmethod
    async def _guarded(sending: Awaitable[object], what: str) -> None:
        """A send the provider refused is recorded as failed by its activity; the conversation
        goes on (the next message may well be answerable)."""
        try:
            await sending
        except ActivityError as error:
            workflow.logger.warning("%s not sent: %s", what, error.cause or error)

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return not self._incoming and (
            info.is_continue_as_new_suggested() or info.get_current_history_length() > HISTORY_LIMIT
        )

    def _carry(self) -> ConversationCarry:
        return ConversationCarry(
            seen_external_ids=self._seen,
            incoming=self._incoming,
            pending=self._pending,
            follow_up=self._follow_up,
            turns=self._turns,
            burst_seconds=int(self._burst.total_seconds()),
            conversation_id=self._conversation_id,
        )

    def _restore(self, carried: ConversationCarry) -> None:
        self._seen = list(carried.seen_external_ids)
        self._incoming = list(carried.incoming)
        self._pending = list(carried.pending)
        self._follow_up = carried.follow_up
        self._turns = carried.turns
        self._burst = timedelta(seconds=carried.burst_seconds)
        self._conversation_id = carried.conversation_id

    @staticmethod
    async def _wait(condition: Callable[[], bool], at_most: timedelta) -> bool:
        """True when the condition came true within the time."""
        if at_most <= timedelta(0):
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=at_most)
        except TimeoutError:
            return condition()
        return True
