"""Replays recorded histories against today's workflow code: a change that would break a
workflow already running in production fails here (non-determinism).

Record new histories after an intended, versioned change with
`TEPPAN_RECORD_HISTORIES=1 ./dev test tests/workflows/test_replay.py -k sqlite` (and the workflow
tests that record their own: `test_conversation.py`, `test_reviews.py`, `test_payments.py`,
`test_staff_message.py`).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.workflows.conftest import HISTORIES, RunningWorker, replay_and_maybe_record
from tests.workflows.test_quote import accept_quote, create_quote, start_quote, until_sent
from workflows.quote import QuoteWorkflow
from workflows.worker import WORKFLOWS


def _recorded() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def test_every_workflow_has_a_recorded_history() -> None:
    recorded = {path.name.split("--")[0] for path in _recorded()}
    assert {workflow.__name__ for workflow in WORKFLOWS} <= recorded


@pytest.mark.parametrize("path", _recorded(), ids=lambda path: path.stem)
async def test_recorded_history_replays(path: Path) -> None:
    recorded = json.loads(await asyncio.to_thread(path.read_text))
    history = WorkflowHistory.from_json(path.stem, recorded)
    await Replayer(
        workflows=list(WORKFLOWS), data_converter=pydantic_data_converter
    ).replay_workflow(history)


async def test_a_fresh_quote_history_replays(worker: RunningWorker) -> None:
    """Priced, texted, reminded (timer), accepted (signal), confirmed."""
    quote = create_quote(worker)
    handle = await start_quote(worker, quote)
    sent = await until_sent(worker, quote.id or 0)
    accept_quote(worker, sent)
    await handle.signal(QuoteWorkflow.decided)
    assert (await handle.result()).status == "accepted"
    await replay_and_maybe_record(handle, f"{QuoteWorkflow.__name__}--accepted")
