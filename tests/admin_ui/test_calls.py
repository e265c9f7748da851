from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from admin_ui.routes.sandbox_phone import NOT_RUNNING
from api.app import create_app
from core.settings import Settings
from domain.calls.models import Call, CallOutcome, CallStatus, Escalation
from domain.customers.models import Customer
from domain.staff.models import Extension
from tests.admin_ui.conftest import OWNER, STAFF, csrf_of, login, seed
from tests.admin_ui.live_server import free_port, serve

# 18:00 UTC on a winter day is 10:00 AM in the business's zone (America/Los_Angeles).
MORNING = datetime(2026, 1, 14, 18, 0, tzinfo=UTC)


def _customer_id(engine: Engine, name: str = "Jennifer Nguyen") -> int:
    with Session(engine) as session:
        customer = session.exec(select(Customer).where(Customer.full_name == name)).one()
        assert customer.id is not None
        return customer.id


def _extension_id(engine: Engine, number: str) -> int:
    with Session(engine) as session:
        extension = session.exec(
            select(Extension).where(Extension.extension_number == number)
        ).one()
        assert extension.id is not None
        return extension.id


def _call(engine: Engine, **fields: Any) -> int:
    values: dict[str, Any] = {
        "telephony_session_id": f"s-{datetime.now(UTC).timestamp()}-{id(fields)}",
        "from_number": "+15105550199",
        "to_number": "+15105550100",
        "status": CallStatus.ENDED,
        "started_at": MORNING,
    }
    values.update(fields)
    with Session(engine) as session:
        call = Call(**values)
        session.add(call)
        session.commit()
        assert call.id is not None
        return call.id


def _escalation(engine: Engine, call_id: int, extension_id: int, **fields: Any) -> None:
    with Session(engine) as session:
        session.add(
            Escalation(
                call_id=call_id,
                extension_id=extension_id,
                reason=fields.pop("reason", "asked for a person"),
                requested_at=fields.pop("requested_at", MORNING + timedelta(seconds=40)),
                **fields,
            )
        )
        session.commit()


def test_calls_list_filters_and_pages(client: TestClient, engine: Engine) -> None:
    login(client, STAFF)
    empty = client.get("/admin/calls")
    assert empty.status_code == 200
    assert "No call in progress." in empty.text
    assert "No calls yet" in empty.text

    nguyen = _customer_id(engine)
    ana = _extension_id(engine, "102")
    for number in range(26):
        _call(
            engine,
            telephony_session_id=f"old-{number}",
            from_number=f"+1408555{number:04d}",
            intent="faq",
            outcome=CallOutcome.HANDLED.value,
            started_at=MORNING - timedelta(days=1, minutes=number),
            duration_seconds=30,
        )
    taken = _call(
        engine,
        telephony_session_id="taken",
        from_number="+15105550111",
        customer_id=nguyen,
        intent="complaint",
        urgent=True,
        outcome=CallOutcome.CONNECTED.value,
        duration_seconds=125,
    )
    _escalation(engine, taken, _extension_id(engine, "101"), outcome="no_answer")
    _escalation(
        engine,
        taken,
        ana,
        outcome="answered",
        answered_at=MORNING + timedelta(seconds=55),
    )
    _call(
        engine,
        telephony_session_id="live",
        from_number="+19255550177",
        status=CallStatus.IN_TRIAGE,
        intent="booking",
        started_at=MORNING + timedelta(hours=1),
    )

    page = client.get("/admin/calls")
    assert "27 calls" in page.text and "page 1 of 2" in page.text
    assert 'href="/admin/calls?page=2"' in page.text
    recent = page.text.split('id="recent-calls"')[1]
    assert "Jennifer Nguyen" in recent and f'href="/admin/customers/{nguyen}"' in recent
    assert ">urgent</span>" in recent
    assert "102 · Ana Lopez" in recent  # who took it: the answered attempt, not 101
    assert "101 · Kenji Tanaka" not in recent
    assert "2m 05s" in recent and "connected to staff" in recent
    assert "Wed 14 Jan, 10:00 AM" in recent  # the business's zone
    assert "(408) 555-0000" in recent  # newest of the older ones; an unknown caller's number
    assert "(408) 555-0025" not in recent
    assert "(408) 555-0025" in client.get("/admin/calls", params={"page": 2}).text

    live = page.text.split('id="live-calls"')[1].split("</table>")[0]
    assert "(925) 555-0177" in live and "with the assistant" in live
    assert "(925) 555-0177" not in recent  # still going on: not in the recent list

    complaints = client.get("/admin/calls", params={"intent": "complaint"})
    assert "1 call<" in complaints.text and "Jennifer Nguyen" in complaints.text
    assert '<option value="complaint" selected>' in complaints.text
    handled = client.get("/admin/calls", params={"outcome": "handled"})
    assert (
        "26 calls" in handled.text
        and "Jennifer Nguyen" not in handled.text.split('id="recent-calls"')[1]
    )
    nothing = client.get("/admin/calls", params={"intent": "faq", "outcome": "voicemail"})
    assert "No call matches." in nothing.text

    polled = client.get("/admin/calls/live").json()
    assert [row["caller"] for row in polled["calls"]] == ["(925) 555-0177"]
    assert polled["calls"][0]["status"] == "with the assistant"
    assert polled["calls"][0]["url"].startswith("/admin/calls/")


def test_a_calls_timeline(client: TestClient, engine: Engine) -> None:
    nguyen = _customer_id(engine)
    call_id = _call(
        engine,
        customer_id=nguyen,
        caller_name="Jennifer Nguyen",
        from_number="+15105550111",
        intent="complaint",
        urgent=True,
        escalation_reason="The chef has not arrived and the party starts in an hour",
        outcome=CallOutcome.VOICEMAIL.value,
        ended_at=MORNING + timedelta(minutes=3),
        duration_seconds=180,
        transcript=[
            {
                "sequence": 0,
                "at": MORNING.isoformat(),
                "speaker": "assistant",
                "text": "Hi Jennifer, thanks for calling Fremont Hibachi Co.!",
            },
            {
                "sequence": 1,
                "at": (MORNING + timedelta(seconds=8)).isoformat(),
                "speaker": "caller",
                "text": "Where is my chef?",
            },
        ],
        triage=[
            {
                "sequence": 1,
                "at": (MORNING + timedelta(seconds=9)).isoformat(),
                "intent": "complaint",
                "escalate": True,
                "confidence": 0.92,
                "reason": "late chef on the day of the event",
                "emergency": False,
                "reply": None,
                "source": "openai",
            },
            {
                "sequence": 2,
                "at": (MORNING + timedelta(seconds=20)).isoformat(),
                "intent": "faq",
                "escalate": False,
                "confidence": 0.4,
                "reason": "keyword match",
                "emergency": False,
                "reply": "We bring everything.",
                "source": "builtin",
            },
        ],
    )
    _escalation(engine, call_id, _extension_id(engine, "102"), outcome="no_answer")
    _escalation(engine, call_id, _extension_id(engine, "103"), outcome="no_answer")
    login(client, STAFF)
    page = client.get(f"/admin/calls/{call_id}")
    assert page.status_code == 200
    text = page.text
    assert f'href="/admin/customers/{nguyen}"' in text
    assert "The chef has not arrived" in text and ">urgent</span>" in text
    assert "speaker-caller" in text and "Where is my chef?" in text
    assert "speaker-assistant" in text and "thanks for calling Fremont Hibachi Co.!" in text
    triage = text.split('id="triage"')[1].split("</table>")[0]
    assert "92%" in triage and "late chef on the day of the event" in triage
    assert "OpenAI" in triage and "built-in rules" in triage
    assert "<td>yes</td>" in triage and "<td>no</td>" in triage
    assert "Replied: We bring everything." in triage
    escalations = text.split('id="escalations"')[1].split("</table>")[0]
    assert "Ana Lopez" in escalations and "Jessica Wu" in escalations
    assert escalations.count("not answered") == 2
    assert "voicemail" in text and "3m 00s" in text
    assert "10:00:08 AM" in text  # transcript times in the business's zone

    bare = _call(engine, telephony_session_id="bare", status=CallStatus.RINGING)
    quiet = client.get(f"/admin/calls/{bare}")
    assert "Nothing was said." in quiet.text
    assert "The assistant made no decision" in quiet.text
    assert "No one was rung" in quiet.text
    assert "In progress" in quiet.text
    assert client.get("/admin/calls/9999").status_code == 404


# --- the phone simulator ------------------------------------------------------------------


def test_simulator_says_the_sandbox_is_not_running(client: TestClient, engine: Engine) -> None:
    login(client, STAFF)
    page = client.get("/admin/sandbox/calls")
    assert page.status_code == 200
    assert NOT_RUNNING in page.text
    assert "Jennifer Nguyen" in page.text  # the picker
    assert "102" in page.text and "Ana Lopez" in page.text  # the extensions panel
    token = csrf_of(page.text)
    placed = client.post(
        "/admin/sandbox/calls", data={"csrf_token": token, "number": "+15105550111"}
    )
    assert placed.status_code == 503 and NOT_RUNNING in placed.text
    mode = client.post(
        "/admin/sandbox/calls/extensions/102/mode", data={"csrf_token": token, "mode": "busy"}
    )
    assert mode.status_code == 503 and NOT_RUNNING in mode.text
    polled = client.get("/admin/sandbox/calls/abc-1/state").json()
    assert polled == {"running": False, "message": NOT_RUNNING, "call": None, "record": None}
    bad = client.post("/admin/sandbox/calls", data={"csrf_token": token, "other_number": "12345"})
    assert bad.status_code == 400 and "not a valid phone number" in bad.text
    forged = client.post("/admin/sandbox/calls", data={"csrf_token": "x", "number": "+1"})
    assert forged.status_code == 403


def test_simulator_hidden_when_ringcentral_is_live(
    admin_settings: Settings, engine: Engine
) -> None:
    seed(engine)
    live = admin_settings.model_copy(
        update={
            "ringcentral_server_url": "https://platform.example.com",
            "ringcentral_client_id": "x",
        }
    )
    client = TestClient(create_app(live, engine), follow_redirects=False)
    login(client, OWNER)
    assert client.get("/admin/sandbox/calls").status_code == 404
    assert "Sandbox calls" not in client.get("/admin/calls").text


class FakeEmulator:
    """Answers like the RingCentral emulator's call control API, and remembers what it got."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}
        self.said: list[tuple[str, str]] = []
        self.modes: dict[str, str] = {}
        self.app = FastAPI()
        app = self.app

        @app.post("/sandbox/calls")
        async def start(request: Request) -> JSONResponse:
            body = await request.json()
            sid = f"sess-{len(self.calls) + 1}"
            now = datetime.now(UTC).isoformat()
            self.calls[sid] = {
                "telephonySessionId": sid,
                "from": body["from"],
                "status": "Answered",
                "parties": [{"id": "p-1", "status": {"code": "Answered"}}],
                "speech": [{"text": "Thanks for calling Fremont Hibachi Co.!", "at": now}],
                "actions": [],
                "events": [],
            }
            return JSONResponse({"telephonySessionId": sid, "partyId": "p-1"}, status_code=201)

        @app.post("/sandbox/calls/{sid}/say")
        async def say(sid: str, request: Request) -> dict[str, Any]:
            body = await request.json()
            self.said.append((sid, body["text"]))
            self.calls[sid]["actions"].append(
                {"kind": "transfer", "target": "102", "at": datetime.now(UTC).isoformat()}
            )
            return {}

        @app.post("/sandbox/calls/{sid}/hangup")
        async def hangup(sid: str) -> dict[str, Any]:
            self.calls[sid]["status"] = "Disconnected"
            return {}

        @app.post("/sandbox/extensions/{number}/mode")
        async def mode(number: str, request: Request) -> dict[str, Any]:
            self.modes[number] = (await request.json())["mode"]
            return {}

        @app.get("/sandbox/extensions")
        async def extensions() -> dict[str, Any]:
            return {"records": [{"extensionNumber": n, "mode": m} for n, m in self.modes.items()]}

        @app.get("/sandbox/calls/{sid}")
        async def show(sid: str) -> JSONResponse:
            if sid not in self.calls:
                return JSONResponse({"message": "no such call"}, status_code=404)
            return JSONResponse(self.calls[sid])


@pytest.fixture
def emulator() -> Iterator[tuple[FakeEmulator, int]]:
    fake = FakeEmulator()
    port = free_port()
    with serve(fake.app, port):
        yield fake, port


def test_simulator_round_trip(
    admin_settings: Settings, engine: Engine, emulator: tuple[FakeEmulator, int]
) -> None:
    fake, port = emulator
    seed(engine)
    settings = admin_settings.model_copy(update={"sandbox_ringcentral_port": port})
    client = TestClient(create_app(settings, engine), follow_redirects=False)
    login(client, STAFF)
    page = client.get("/admin/sandbox/calls")
    assert NOT_RUNNING not in page.text
    assert 'href="/admin/sandbox/calls">Sandbox calls</a>' in page.text

    placed = client.post(
        "/admin/sandbox/calls",
        data={"csrf_token": csrf_of(page.text), "number": "", "other_number": "(510) 555-0111"},
    )
    assert placed.status_code == 303, placed.text
    location = placed.headers["location"]
    assert location == "/admin/sandbox/calls?sid=sess-1&number=%2B15105550111"
    assert fake.calls["sess-1"]["from"] == "+15105550111"

    # Teppan's workflow records the call under the emulator's session id.
    call_id = _call(
        engine,
        telephony_session_id="sess-1",
        from_number="+15105550111",
        customer_id=_customer_id(engine),
        status=CallStatus.ESCALATING,
        intent="booking",
        triage=[
            {
                "at": datetime.now(UTC).isoformat(),
                "intent": "booking",
                "escalate": True,
                "confidence": 0.81,
                "reason": "wants to change the date",
                "emergency": False,
                "reply": None,
                "source": "builtin",
            }
        ],
    )
    watching = client.get(location)
    assert "Thanks for calling Fremont Hibachi Co.!" in watching.text
    assert "wants to change the date" in watching.text and "81%" in watching.text
    assert f'href="/admin/calls/{call_id}"' in watching.text

    token = csrf_of(watching.text)
    said = client.post(
        "/admin/sandbox/calls/sess-1/say",
        data={"csrf_token": token, "number": "+15105550111", "text": "Can I move my party?"},
    )
    assert said.status_code == 303 and said.headers["location"] == location
    assert fake.said == [("sess-1", "Can I move my party?")]
    empty = client.post("/admin/sandbox/calls/sess-1/say", data={"csrf_token": token, "text": " "})
    assert empty.status_code == 400 and "Type what the caller says." in empty.text

    mode = client.post(
        "/admin/sandbox/calls/extensions/102/mode",
        data={"csrf_token": token, "mode": "ignore", "sid": "sess-1", "number": "+15105550111"},
    )
    assert mode.status_code == 303 and mode.headers["location"] == location
    assert fake.modes == {"102": "ignore"}
    after = client.get(location)
    assert "Extension 102 now lets it ring" in after.text
    assert "now: lets it ring" in after.text
    fake.modes["103"] = "busy"  # set elsewhere: the page reads the emulator's modes
    assert "now: is busy" in client.get(location).text
    wrong = client.post(
        "/admin/sandbox/calls/extensions/102/mode", data={"csrf_token": token, "mode": "dance"}
    )
    assert wrong.status_code == 400 and fake.modes["102"] == "ignore"

    state = client.get("/admin/sandbox/calls/sess-1/state").json()
    assert state["running"] is True
    assert [item["text"] for item in state["call"]["speech"]] == [
        "Thanks for calling Fremont Hibachi Co.!"
    ]
    assert [action["label"] for action in state["call"]["actions"]] == ["transferred to 102"]
    assert state["record"]["triage"][0]["escalate"] == "yes"
    assert state["record"]["status"] == "ringing staff"

    hung = client.post(
        "/admin/sandbox/calls/sess-1/hangup", data={"csrf_token": token, "number": "+1510"}
    )
    assert hung.status_code == 303
    assert fake.calls["sess-1"]["status"] == "Disconnected"
    gone = client.get("/admin/sandbox/calls/sess-9/state").json()
    assert gone["running"] is False and "404" in gone["message"]
    assert client.get("/admin/sandbox/calls/bad%20id/state").status_code == 404
