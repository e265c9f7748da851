"""An OpenAI emulator: `POST /v1/chat/completions` in OpenAI's wire format, for the real `openai`
SDK pointed at it with `base_url=<emulator>/v1`.

It answers a call-triage request with a JSON object (`intent`, `escalate`, `confidence`,
`reason`, `emergency`) chosen by a small keyword table of its own, and a customer-messaging
request (`response_format` named `conversation_reply`: `action`, `intent`, `text`, `reason`)
from the same table, the FAQ and the quote link it was sent: enough for demos and for the
adapters' tests, not a model. Tests script exact answers instead: `POST
/sandbox/openai/answers` queues a list whose items are served one per request before the
keyword table is asked again; an object is sent as the message's JSON content, a string as the
raw content (to test malformed answers), and `{"refusal": "..."}` as a model refusal.

Faults come from sandbox.framework (`/sandbox/faults`: 429 with Retry-After, 500, delay).
`GET /sandbox/openai/requests` counts the chat-completion requests that reached the handler.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

from sandbox.framework import FaultInjector, install_faults

# The only key the emulator accepts (tests and the factory keep their own copy).
SANDBOX_OPENAI_API_KEY = "sk-sandbox-teppan"
COMPLETIONS_PATH = "/v1/chat/completions"

# (intent, escalate, emergency, words): the first row with a word in the utterance wins.
KEYWORDS: tuple[tuple[str, bool, bool, tuple[str, ...]], ...] = (
    ("complaint", True, True, ("hasnt arrived", "not here", "no ha llegado", "is late")),
    ("human", True, False, ("person", "human", "agent", "representative", "someone", "alguien")),
    ("complaint", True, False, ("refund", "terrible", "cold", "complaint", "reembolso")),
    ("cancel_booking", False, False, ("cancel",)),
    ("change_booking", False, False, ("change", "reschedule", "cambiar")),
    ("payment", False, False, ("pay", "deposit", "invoice", "pagar")),
    ("quote_request", False, False, ("how much", "price", "quote", "cuanto")),
    ("new_booking", False, False, ("book", "reserv")),
    ("faq", False, False, ("grill", "licensed", "included", "vegetarian")),
    ("spam", False, False, ("warranty", "you won", "cruise")),
)


@dataclass
class OpenAIState:
    """What the emulator holds; `requests` counts chat completions that reached the handler
    (with a wrong key too), not those answered by an HTTP-level fault."""

    api_key: str = SANDBOX_OPENAI_API_KEY
    requests: int = 0
    scripted: deque[Any] = field(default_factory=deque)
    last_request: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests = 0
            self.scripted.clear()
            self.last_request = None


def openai_error(
    message: str, error_type: str, code: str | None = None, param: str | None = None
) -> dict[str, object]:
    """OpenAI's JSON error body."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def _fault_body(status: int, message: str) -> dict[str, object]:
    if status == 429:
        return openai_error(
            f"Rate limit reached: {message}. Please try again later.",
            "requests",
            "rate_limit_exceeded",
        )
    return openai_error(
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
    )


def create_openai_emulator(state: OpenAIState | None = None) -> FastAPI:
    state = state or OpenAIState()
    faults = FaultInjector()
    app = FastAPI(title="OpenAI sandbox", docs_url="/sandbox/docs", openapi_url=None)
    app.state.openai = state
    app.state.faults = faults
    install_faults(app, faults, _fault_body)
    app.include_router(_control_routes(state))
    app.include_router(_api_routes(state))
    return app


def _control_routes(state: OpenAIState) -> APIRouter:
    router = APIRouter(prefix="/sandbox/openai", tags=["sandbox"])

    @router.post("/answers", status_code=201)
    async def queue_answers(request: Request) -> dict[str, int]:
        body = await request.json()
        items = body if isinstance(body, list) else [body]
        with state.lock:
            state.scripted.extend(items)
            return {"queued": len(state.scripted)}

    @router.delete("/answers", status_code=204)
    def clear_answers() -> Response:
        with state.lock:
            state.scripted.clear()
        return Response(status_code=204)

    @router.get("/requests")
    def requests() -> dict[str, int]:
        with state.lock:
            return {"requests": state.requests}

    return router


def _api_routes(state: OpenAIState) -> APIRouter:
    router = APIRouter()

    @router.post(COMPLETIONS_PATH)
    async def chat_completions(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        with state.lock:
            state.requests += 1
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or key.strip() != state.api_key:
            shown = f"{key[:3]}***{key[-4:]}" if len(key) > 8 else "***"
            return JSONResponse(
                openai_error(
                    f"Incorrect API key provided: {shown}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
                status_code=401,
            )
        try:
            body = await request.json()
        except ValueError:
            return _bad_request("We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            return _bad_request("you must provide a model parameter", "model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _bad_request("[] is too short - 'messages'", "messages")
        with state.lock:
            state.last_request = body
            scripted = state.scripted.popleft() if state.scripted else None
        content: str | None
        refusal: str | None = None
        if scripted is None:
            content = json.dumps(_default_answer(body, messages))
        elif isinstance(scripted, str):
            content = scripted
        elif isinstance(scripted, dict) and set(scripted) == {"refusal"}:
            content, refusal = None, str(scripted["refusal"])
        else:
            content = json.dumps(scripted)
        return JSONResponse(_completion(body["model"], content, refusal, messages))

    return router


def _bad_request(message: str, param: str | None = None) -> JSONResponse:
    return JSONResponse(
        openai_error(message, "invalid_request_error", None, param), status_code=400
    )


def _completion(
    model: str, content: str | None, refusal: str | None, messages: list[Any]
) -> dict[str, Any]:
    prompt_tokens = sum(
        len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict)
    )
    completion_tokens = len((content or refusal or "").split())
    created = int(time.time())
    return {
        "id": f"chatcmpl-sandbox{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_sandbox",
    }


def _utterance(messages: list[Any]) -> str:
    """What the caller said: the last user message, or its `caller_said` when it is JSON."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = " ".join(
                    str(part.get("text", "")) for part in content if isinstance(part, dict)
                )
            text = str(content or "")
            try:
                parsed = json.loads(text)
            except ValueError:
                return text
            if isinstance(parsed, dict) and isinstance(parsed.get("caller_said"), str):
                return str(parsed["caller_said"])
            return text
    return ""


CONVERSATION_SCHEMA = "conversation_reply"


def _default_answer(body: dict[str, Any], messages: list[Any]) -> dict[str, Any]:
    """The keyword table's answer, in the shape the request's JSON schema asks for."""
    response_format = body.get("response_format")
    schema = response_format.get("json_schema") if isinstance(response_format, dict) else None
    if isinstance(schema, dict) and schema.get("name") == CONVERSATION_SCHEMA:
        return conversation_by_keywords(_request_object(messages))
    return triage_by_keywords(_utterance(messages))


def _request_object(messages: list[Any]) -> dict[str, Any]:
    """The last user message's JSON object (what the messaging adapter sends), or {}."""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            try:
                parsed = json.loads(str(message.get("content") or ""))
            except ValueError:
                return {}
            return parsed if isinstance(parsed, dict) else {}
    return {}


def conversation_by_keywords(request: dict[str, Any]) -> dict[str, Any]:
    """Hands off what triage would escalate, ignores spam, answers from the first FAQ entry
    sharing a word with the messages, sends the quote link for a price, hands off the rest."""
    said = " ".join(str(text) for text in request.get("customer_messages") or [])
    triage = triage_by_keywords(said)
    intent, reason = triage["intent"], triage["reason"]
    if triage["escalate"]:
        return {"action": "hand_off", "intent": intent, "text": "", "reason": reason}
    if intent == "spam":
        return {"action": "silent", "intent": intent, "text": "", "reason": reason}
    words = {word for word in _plain(said).split() if len(word) > 3}
    for entry in request.get("faq") or []:
        if isinstance(entry, dict) and words & set(_plain(str(entry.get("question"))).split()):
            answer = str(entry.get("answer", ""))
            return {"action": "reply", "intent": "faq", "text": answer, "reason": reason}
    if intent in ("quote_request", "new_booking"):
        link = request.get("quote_link")
        text = f"Here is your quote: {link}" if link else "What date, address and guest count?"
        return {"action": "reply", "intent": intent, "text": text, "reason": reason}
    return {"action": "hand_off", "intent": intent, "text": "", "reason": reason}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9 ]+", "", plain.replace("-", " ")).split())


def triage_by_keywords(text: str) -> dict[str, Any]:
    """The emulator's scripted triage of an utterance: the first keyword row that matches."""
    plain = _plain(text)
    for intent, escalate, emergency, words in KEYWORDS:
        for word in words:
            if word in plain:
                return {
                    "intent": intent,
                    "escalate": escalate,
                    "confidence": 0.9,
                    "reason": f'The sandbox heard "{word}".',
                    "emergency": emergency,
                }
    return {
        "intent": "other",
        "escalate": False,
        "confidence": 0.3,
        "reason": "The sandbox heard nothing it knows.",
        "emergency": False,
    }
