"""CallWorkflow end to end on the time-skipping server: the RingCentral emulator rings, its
webhooks reach the real API (inbox, forwarder, signal-with-start), the workflow triages what
the caller says and moves the call with real Call Control requests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from activities.calls import CallSettings
from api.app import create_app
from core.settings import Settings
from domain.calls.models import Call, Escalation
from domain.demo_data import seed_demo_data
from domain.staff.models import Extension
from domain.tasks.models import Task
from integrations.llm.base import TriageModel
from integrations.telephony.ringcentral_subscriptions import (
    WEBHOOK_FILTERS,
    RingCentralSubscriptions,
)
from sandbox.framework import BackgroundServer
from tests.sandbox_fixtures import OpenAISandbox, RingCentralSandbox
from tests.workflows.conftest import sandbox_providers
from tests.workflows.test_replay import HISTORIES
from workflows.call import CallWorkflow, workflow_id_for
from workflows.worker import WORKFLOWS, WorkerDeps, build_worker

TOKEN = "sandbox-verification-token"
JENNIFER = "+15105550111"  # a demo customer
RING_TIMEOUT = 10
SILENCE_TIMEOUT = 30


@dataclass
class Phone:
    env: WorkflowEnvironment
    engine: Engine
    ringcentral: RingCentralSandbox

    started: list[str] = field(default_factory=list)

    def call(self, number: str = JENNIFER, **options: object) -> str:
        sid = str(self.ringcentral.start_call(number, **options)["telephonySessionId"])
        self.started.append(sid)
        return sid

    async def until(self, what: str, check: Callable[[], Any], seconds: float = 20) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def spoken(self, sid: str) -> list[str]:
        return [line["text"] for line in self.ringcentral.call(sid)["speech"]]

    def actions(self, sid: str) -> list[dict[str, Any]]:
        return [a for a in self.ringcentral.call(sid)["actions"] if a.get("result") == "ok"]

    async def greeted(self, sid: str) -> None:
        await self.until("the greeting", lambda: self.spoken(sid))

    def moves(self, sid: str) -> list[dict[str, Any]]:
        """Transfers and forwards to an extension (a voicemail target is another kind)."""
        return [
            a
            for a in self.actions(sid)
            if a["kind"] in ("transfer", "forward") and a["targetType"] == "extensionNumber"
        ]

    async def transferred_to(self, sid: str, count: int = 1) -> list[str]:
        moves = await self.until("a transfer", lambda: self.moves(sid)[count - 1 :])
        return [str(a["target"]) for a in moves]

    async def outcome(self, sid: str) -> str:
        """The call record's outcome once the workflow has closed it (read from the database:
        the test server may start a fresh run for an event that arrives after the end)."""
        return str(await self.until("the call's outcome", lambda: self.record(sid).outcome))

    def record(self, sid: str) -> Call:
        with Session(self.engine) as session:
            call = session.exec(select(Call).where(Call.telephony_session_id == sid)).one()
            return call

    def escalations(self, sid: str) -> list[Escalation]:
        call_id = self.record(sid).id
        with Session(self.engine) as session:
            return list(session.exec(select(Escalation).where(Escalation.call_id == call_id)).all())


@contextlib.asynccontextmanager
async def _running_phone(
    env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    settings: Settings,
    triage_model: TriageModel | None,
) -> AsyncIterator[Phone]:
    with Session(engine) as session:
        seed_demo_data(
            session,
            business_name="Fremont Hibachi Co.",
            business_phone="+15105550100",
            owner_email="owner@example.com",
            owner_password="teppan-owner",
        )
        for extension in session.exec(select(Extension)).all():
            extension.working_hours = {}  # around the clock, whenever the test runs
            session.add(extension)
        session.commit()
    task_queue = f"calls-{uuid.uuid4().hex[:8]}"
    api_settings = settings.model_copy(
        update={
            "temporal_address": env.client.service_client.config.target_host,
            "temporal_task_queue": task_queue,
        }
    )
    deps = WorkerDeps(
        engine=engine,
        providers=sandbox_providers(ringcentral, None),
        public_base_url="http://teppan.test",
        calls=CallSettings(RING_TIMEOUT, SILENCE_TIMEOUT, max_turns=3),
        triage_model=triage_model,
    )
    with (
        ThreadPoolExecutor(max_workers=8) as executor,
        BackgroundServer(create_app(api_settings, engine)) as api,
    ):
        RingCentralSubscriptions(ringcentral.client()).ensure_subscription(
            f"{api.url}/webhooks/ringcentral", TOKEN, WEBHOOK_FILTERS
        )
        async with build_worker(env.client, task_queue=task_queue, deps=deps, executor=executor):
            phone = Phone(env, engine, ringcentral)
            yield phone
            await _hang_up_open_calls(phone)
    await _end_leftover_runs(phone)


async def _hang_up_open_calls(phone: Phone) -> None:
    """Ends the test's calls while the worker still runs: the test server keeps a terminated
    workflow's scheduled activities pending, which would stop time skipping for later tests."""
    for sid in phone.started:
        if not phone.ringcentral.call(sid)["ended"]:
            phone.ringcentral.hang_up(sid)
    for sid in phone.started:
        with contextlib.suppress(AssertionError):
            await phone.until("the call to close", lambda sid=sid: phone.record(sid).outcome, 10)


@pytest.fixture
async def phone(
    time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    settings: Settings,
) -> AsyncIterator[Phone]:
    """The built-in classifier alone decides."""
    async with _running_phone(time_skipping_env, engine, ringcentral, settings, None) as phone:
        yield phone


@pytest.fixture
async def phone_with_own_clock(
    own_time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    settings: Settings,
) -> AsyncIterator[Phone]:
    """For tests that skip time with `env.sleep`: on the shared server, anything another test
    left waiting holds the clock back."""
    async with _running_phone(own_time_skipping_env, engine, ringcentral, settings, None) as phone:
        yield phone


@pytest.fixture
async def openai_phone(
    time_skipping_env: WorkflowEnvironment,
    engine: Engine,
    ringcentral: RingCentralSandbox,
    settings: Settings,
    openai_sandbox: OpenAISandbox,
) -> AsyncIterator[Phone]:
    """OpenAI (its emulator) triages first, with a one-second timeout."""
    model = openai_sandbox.triage_model(timeout=1.0)
    async with _running_phone(time_skipping_env, engine, ringcentral, settings, model) as phone:
        yield phone


async def _end_leftover_runs(phone: Phone) -> None:
    """Calls still open when a test ends (or a fresh run the test server started for a late
    event) would sit on a task queue nobody polls and stall time skipping for later tests."""
    for sid in phone.started:
        handle = phone.env.client.get_workflow_handle(workflow_id_for(sid))
        with contextlib.suppress(RPCError):
            await handle.terminate("test over")


async def test_asking_for_a_person_reaches_the_next_extension(phone: Phone) -> None:
    sid = phone.call()
    await phone.greeted(sid)
    assert "Jennifer" in phone.spoken(sid)[0]  # a known customer is greeted by name
    phone.ringcentral.say(sid, "Hi, can I talk to a real person please?")
    [target] = await phone.transferred_to(sid)
    assert target == "101"  # the rotation starts at the first extension
    session = phone.ringcentral.call(sid)
    announcement = next(s for s in session["speech"] if "connecting you" in s["text"])
    transfer = phone.moves(sid)[0]
    assert announcement["monotonic"] < transfer["monotonic"]  # no dead air
    await phone.until("the staff answer", lambda: phone.record(sid).status == "connected")
    heads_up = await phone.until(
        "the heads-up text",
        lambda: [m for m in phone.ringcentral.state.messages if m.to_number == "+15105550101"],
    )
    assert "Jennifer Nguyen" in heads_up[0].text
    phone.ringcentral.hang_up(sid)
    assert await phone.outcome(sid) == "connected"
    call = phone.record(sid)
    assert call.intent == "human" and call.triage[0]["escalate"] is True
    assert call.transcript[0]["speaker"] == "assistant"
    assert [e.outcome for e in phone.escalations(sid)] == ["answered"]


async def test_no_answer_tries_the_next_one(phone_with_own_clock: Phone) -> None:
    phone = phone_with_own_clock
    phone.ringcentral.set_mode("101", "ignore")
    sid = phone.call()
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "I need to speak with someone about my booking")
    assert await phone.transferred_to(sid) == ["101"]
    await phone.env.sleep(RING_TIMEOUT + 1)  # 101 rings out
    targets = await phone.transferred_to(sid, count=2)
    assert targets == ["102"]
    await phone.until("102 answers", lambda: phone.record(sid).status == "connected")
    phone.ringcentral.hang_up(sid)
    assert await phone.outcome(sid) == "connected"
    assert [e.outcome for e in phone.escalations(sid)] == ["no_answer", "answered"]


async def test_everyone_busy_goes_to_voicemail_with_a_callback(phone: Phone) -> None:
    for number in ("101", "102", "103"):
        phone.ringcentral.set_mode(number, "busy")  # 104 is offline in the demo data
    sid = phone.call()
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "The food last time was cold, I want to complain")
    assert await phone.outcome(sid) == "voicemail"
    voicemail = [a for a in phone.actions(sid) if a["targetType"] == "voicemail"]
    assert [a["target"] for a in voicemail] == ["200102"]  # the primary extension's box
    assert not phone.moves(sid)
    with Session(phone.engine) as session:
        [task] = session.exec(select(Task).where(Task.kind == "callback")).all()
    assert "Jennifer Nguyen" in task.title
    primary_texts = [m for m in phone.ringcentral.state.messages if m.to_number == "+15105550102"]
    assert primary_texts and "missed call" in primary_texts[0].text


async def test_after_hours_goes_to_voicemail(phone: Phone) -> None:
    with Session(phone.engine) as session:
        for extension in session.exec(select(Extension)).all():
            extension.working_hours = {
                day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            }
            session.add(extension)
        session.commit()
    sid = phone.call()
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "Representative please")
    assert await phone.outcome(sid) == "voicemail"
    assert not phone.moves(sid)


async def test_a_question_is_answered_and_no_person_is_needed(phone: Phone) -> None:
    sid = phone.call()
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "Do you bring your own grill and propane?")
    await phone.until("the answer", lambda: len(phone.spoken(sid)) >= 2)
    assert "grill" in phone.spoken(sid)[1].lower()
    phone.ringcentral.hang_up(sid)
    assert await phone.outcome(sid) == "handled"
    assert not phone.escalations(sid)


async def test_a_silent_caller_is_let_go_politely(phone_with_own_clock: Phone) -> None:
    phone = phone_with_own_clock
    sid = phone.call()
    await phone.greeted(sid)
    await phone.env.sleep(SILENCE_TIMEOUT + 1)  # nobody speaks
    assert await phone.outcome(sid) == "silent"
    assert any("can't hear" in text for text in phone.spoken(sid))
    assert any(a["kind"] == "drop" for a in phone.actions(sid))


async def test_concurrent_calls_go_round_the_rotation(phone: Phone) -> None:
    callers = ["+15105550111", "+14085550112", "+19255550113"]
    sessions = [phone.call(number) for number in callers]
    for sid in sessions:
        await phone.greeted(sid)
    for sid in sessions:
        phone.ringcentral.say(sid, "Let me talk to a human")
    targets = [(await phone.transferred_to(sid))[0] for sid in sessions]
    assert sorted(targets) == ["101", "102", "103"]  # three people, not one twice
    for sid in sessions:
        phone.ringcentral.hang_up(sid)
        await phone.outcome(sid)


async def test_events_out_of_order_still_make_one_call(phone: Phone) -> None:
    sid = phone.call(deliver_out_of_order=True)
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "agent")
    assert await phone.transferred_to(sid) == ["101"]
    await phone.until("101 answers", lambda: phone.record(sid).status == "connected")
    phone.ringcentral.hang_up(sid)
    assert await phone.outcome(sid) == "connected"
    with Session(phone.engine) as session:
        assert len(session.exec(select(Call)).all()) == 1


async def test_openai_decides_when_it_answers(
    openai_phone: Phone, openai_sandbox: OpenAISandbox
) -> None:
    openai_sandbox.script(
        {
            "intent": "human",
            "escalate": True,
            "confidence": 0.93,
            "reason": "The caller wants a person.",
            "emergency": False,
        }
    )
    sid = openai_phone.call()
    await openai_phone.greeted(sid)
    openai_phone.ringcentral.say(sid, "Could somebody from your team help me out?")
    assert await openai_phone.transferred_to(sid) == ["101"]
    assert openai_phone.record(sid).triage[0]["source"] == "openai"


async def test_openai_down_the_built_in_classifier_decides(
    openai_phone: Phone, openai_sandbox: OpenAISandbox
) -> None:
    openai_sandbox.fault(path_prefix="/v1/chat/completions", kind="server_error", count=50)
    sid = openai_phone.call()
    await openai_phone.greeted(sid)
    openai_phone.ringcentral.say(sid, "Can I talk to a real person please?")
    assert await openai_phone.transferred_to(sid) == ["101"]
    decision = openai_phone.record(sid).triage[0]
    assert decision["source"] == "builtin" and decision["intent"] == "human"


async def test_openai_too_slow_the_call_is_not_stuck(
    openai_phone: Phone, openai_sandbox: OpenAISandbox
) -> None:
    openai_sandbox.fault(path_prefix="/v1/chat/completions", kind="delay", delay_seconds=8)
    sid = openai_phone.call()
    await openai_phone.greeted(sid)
    started = time.monotonic()
    openai_phone.ringcentral.say(sid, "representative please")
    assert await openai_phone.transferred_to(sid) == ["101"]
    # The 1 s timeout, not the 8 s answer: the margin absorbs a busy machine.
    assert time.monotonic() - started < 6
    assert openai_phone.record(sid).triage[0]["source"] == "builtin"


async def test_the_history_of_a_transferred_call_replays(phone: Phone) -> None:
    sid = phone.call()
    await phone.greeted(sid)
    phone.ringcentral.say(sid, "Is Ana there? I'd like to talk to her")
    await phone.transferred_to(sid)
    await phone.until("the answer", lambda: phone.record(sid).status == "connected")
    handle = phone.env.client.get_workflow_handle(workflow_id_for(sid))
    history = await handle.fetch_history()
    await Replayer(
        workflows=list(WORKFLOWS), data_converter=pydantic_data_converter
    ).replay_workflow(history)
    if os.environ.get("TEPPAN_RECORD_HISTORIES") == "1" and "sqlite" in repr(phone.engine.url):
        target = HISTORIES / f"{CallWorkflow.__name__}--transferred.json"
        await asyncio.to_thread(target.write_text, history.to_json())
    phone.ringcentral.hang_up(sid)
    assert await phone.outcome(sid) == "connected"
