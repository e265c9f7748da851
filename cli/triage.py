"""`teppan triage`: the triage contract, one JSON object per utterance on standard output.

`{"intent", "escalate", "confidence", "reason"}` for what a caller said. OpenAI decides when a
key is configured (`TEPPAN_OPENAI_API_KEY`), the built-in classifier otherwise, and also when
OpenAI fails (the reason says so). Staff names a caller may ask for come from the database
when it has them, else the demo business's. Stateless: it stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.db import make_engine
from core.settings import Settings
from domain.calls.triage import TriageResult, classify
from domain.staff import service as staff
from integrations.errors import ProviderError
from integrations.llm.base import TriageModel
from integrations.llm.openai_triage import OpenAITriage

# The demo business's people on extensions (domain/demo_data.py), used before any set-up.
DEMO_STAFF_NAMES = ("Ana Lopez", "Jessica Wu", "Kenji Tanaka", "Marco Rossi")


class CasesFileError(Exception):
    """The --file cannot be read as JSON lines with a "text" field; `str()` says why."""


def staff_names(settings: Settings) -> list[str]:
    """Who a caller may ask for by name: the database's staff on extensions, else the demo's."""
    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            names = staff.names_on_extensions(session)
            if names:
                return names
    except SQLAlchemyError:
        pass  # no database yet
    finally:
        engine.dispose()
    return list(DEMO_STAFF_NAMES)


def triage_model(settings: Settings) -> TriageModel | None:
    key = getattr(settings, "openai_api_key", None)
    if key is None:
        return None
    return OpenAITriage(
        api_key=key.get_secret_value(),
        base_url=getattr(settings, "openai_base_url", None),
        model=getattr(settings, "openai_model", "gpt-4o-mini"),
        timeout=getattr(settings, "triage_timeout_seconds", 3.0),
    )


def triage_text(text: str, model: TriageModel | None, names: Sequence[str]) -> dict[str, Any]:
    """The contract's answer for one utterance."""
    result: TriageResult
    if model is None:
        result = classify(text, staff_names=names)
        reason = result.reason
    else:
        try:
            result = model.triage(text, staff_names=names)
            reason = result.reason
        except ProviderError as error:
            result = classify(text, staff_names=names)
            reason = f"{result.reason} (OpenAI failed: {error.message}; built-in classifier used.)"
    return {
        "intent": result.intent.value,
        "escalate": result.escalate,
        "confidence": round(result.confidence, 2),
        "reason": reason,
    }


def read_cases(path: Path) -> list[str]:
    """The "text" of every non-blank line of a JSON-lines file, in order."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise CasesFileError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CasesFileError(f"{path}: cannot read it ({error})") from error
    texts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            raise CasesFileError(f"{path}:{number}: not JSON ({error})") from error
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise CasesFileError(f'{path}:{number}: expected an object with a "text" string')
        texts.append(row["text"])
    return texts


def triage_contract(settings: Settings, texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One answer per utterance, in order."""
    model = triage_model(settings)
    names = staff_names(settings)
    try:
        for text in texts:
            yield triage_text(text, model, names)
    finally:
        if isinstance(model, OpenAITriage):
            model.close()
