"""The sandbox social page: a person plays a Messenger or Instagram customer through the Meta
emulator, whose signed delivery reaches our real webhook, and reads the thread back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from admin_ui.routes.sandbox_phone import NOT_RUNNING
from admin_ui.routes.sandbox_social import NO_WEBHOOK
from api.app import create_app
from core.settings import Settings
from domain.inbox.models import WebhookEvent
from integrations.meta.base import OutboundDirectMessage
from tests.admin_ui.conftest import STAFF, form_token, login, seed
from tests.admin_ui.live_server import free_port, serve
from tests.meta_fixtures import MetaSandbox

MAYA = "6158001000000001"  # a ready-made Messenger customer
KIM = "17841600000000001"  # a ready-made Instagram customer
PAGE = "/admin/sandbox/social"


@pytest.fixture
def social_settings(admin_settings: Settings, meta: MetaSandbox) -> Settings:
    return admin_settings.model_copy(update={"sandbox_meta_port": meta.server.port})


@pytest.fixture
def panel(social_settings: Settings, engine: Engine) -> TestClient:
    seed(engine)
    client = TestClient(create_app(social_settings, engine), follow_redirects=False)
    login(client, STAFF)
    return client


@dataclass
class LiveProduct:
    """The API served on a port, the Meta emulator's webhook pointed at it, and a signed-in
    panel of the same app."""

    panel: TestClient
    url: str


@pytest.fixture
def live(social_settings: Settings, engine: Engine, meta: MetaSandbox) -> Iterator[LiveProduct]:
    seed(engine)
    app = create_app(social_settings, engine)
    with serve(app) as url:
        meta.set_webhook(f"{url}/webhooks/meta")
        client = TestClient(app, follow_redirects=False)
        login(client, STAFF)
        yield LiveProduct(client, url)


def _events(engine: Engine) -> list[WebhookEvent]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookEvent)).all())


def _send(client: TestClient, **fields: str) -> Any:  # starlette's own httpx Response
    token = form_token(client, PAGE)
    return client.post(PAGE, data={"csrf_token": token, **fields})


def test_the_page_offers_both_platforms_and_ready_made_customers(panel: TestClient) -> None:
    page = panel.get(PAGE)
    assert page.status_code == 200, page.text
    assert 'href="/admin/sandbox/social"' in page.text  # the menu link
    assert "Messenger" in page.text and "Instagram" in page.text
    assert "Maya Patel" in page.text
    assert f'data-url="/admin/sandbox/social/thread?sender_id={MAYA}"' in page.text
    assert "No messages with this customer yet." in page.text

    instagram = panel.get(PAGE, params={"platform": "instagram"})
    assert "kim.eats.hibachi" in instagram.text
    assert "Maya Patel" not in instagram.text  # only that platform's customers


def test_a_message_reaches_the_webhook_signed_and_lands_in_the_inbox(
    live: LiveProduct, meta: MetaSandbox, engine: Engine
) -> None:
    sent = _send(
        live.panel, platform="messenger", sender_id=MAYA, text="Are you free July 4th for 20?"
    )

    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert location == f"{PAGE}?platform=messenger&sender_id={MAYA}"
    [written] = meta.state.thread(MAYA)
    assert (written.direction, written.source, written.text) == (
        "inbound",
        "customer",
        "Are you free July 4th for 20?",
    )
    [delivery] = meta.state.deliveries
    assert (delivery.kind, delivery.mid, delivery.status) == ("message", written.mid, 200)
    assert delivery.url == f"{live.url}/webhooks/meta"
    # Our webhook checked X-Hub-Signature-256 and kept the message under its mid.
    [event] = _events(engine)
    assert (event.provider, event.event_key) == ("meta", written.mid)
    assert event.event_type == "messenger.message"
    assert "Are you free July 4th for 20?" in event.body
    assert meta.state.customers[MAYA].name == "Maya Patel"

    page = live.panel.get(location)
    assert "Are you free July 4th for 20?" in page.text
    assert "Sent on Messenger." in page.text


def test_a_new_instagram_customer_gets_an_id_from_the_emulator(
    live: LiveProduct, meta: MetaSandbox, engine: Engine
) -> None:
    sent = _send(live.panel, platform="instagram", sender_id="", name="ana.cooks", text="Hi!")

    assert sent.status_code == 303, sent.text
    [customer] = meta.state.customers.values()
    assert (customer.platform, customer.name) == ("instagram", "ana.cooks")
    location = sent.headers["location"]
    assert location == f"{PAGE}?platform=instagram&sender_id={customer.user_id}"
    [event] = _events(engine)
    assert event.event_type == "instagram.message"
    page = live.panel.get(location)
    assert "ana.cooks" in page.text  # now one of the customers to pick


def test_the_thread_shows_what_the_business_answered(panel: TestClient, meta: MetaSandbox) -> None:
    meta.customer_writes("Do you do vegetarian?", platform="instagram", sender_id=KIM)
    sender = meta.sender()
    sender.send(OutboundDirectMessage("instagram", KIM, "Yes: tofu and vegetables."))
    sender.send(OutboundDirectMessage("instagram", KIM, "A chef will call.", tag="HUMAN_AGENT"))
    meta.page_echo(KIM, "Sent from the Page inbox", platform="instagram")

    polled = panel.get(f"{PAGE}/thread", params={"sender_id": KIM}).json()

    assert polled["running"] is True
    assert [(r["who"], r["text"], r["inbound"]) for r in polled["records"]] == [
        ("Customer", "Do you do vegetarian?", True),
        ("Business", "Yes: tofu and vegetables.", False),
        ("Business (human agent)", "A chef will call.", False),
        ("Business (Page inbox)", "Sent from the Page inbox", False),
    ]
    assert all(r["time"] for r in polled["records"])
    page = panel.get(PAGE, params={"platform": "instagram", "sender_id": KIM})
    assert "Yes: tofu and vegetables." in page.text
    assert "Do you do vegetarian?" in page.text


def test_a_message_the_webhook_never_got_is_reported(panel: TestClient, meta: MetaSandbox) -> None:
    # The fixture's emulator has no webhook URL, as when it is started on its own.
    sent = _send(panel, platform="messenger", sender_id=MAYA, text="Hello?")

    assert sent.status_code == 502
    assert NO_WEBHOOK in sent.text
    assert [m.text for m in meta.state.thread(MAYA)] == ["Hello?"]  # kept, shown in the thread
    assert "Hello?" in sent.text


def test_mistakes_are_explained(panel: TestClient, meta: MetaSandbox) -> None:
    bad_id = _send(panel, platform="messenger", other_sender_id="12ab", text="hi")
    assert bad_id.status_code == 400
    assert "is not a sender id" in bad_id.text
    empty = _send(panel, platform="messenger", sender_id=MAYA, text="  ")
    assert empty.status_code == 400
    assert "Write a message first." in empty.text
    # Maya is a Messenger customer: the emulator refuses her on Instagram.
    meta.customer_writes("first", platform="messenger", sender_id=MAYA)
    wrong = _send(panel, platform="instagram", other_sender_id=MAYA, text="hi")
    assert wrong.status_code == 400
    assert "is a messenger user" in wrong.text
    assert panel.get(f"{PAGE}/thread", params={"sender_id": "x"}).status_code == 400
    assert [m.text for m in meta.state.messages] == ["first"]


def test_a_form_without_its_token_is_refused(panel: TestClient, meta: MetaSandbox) -> None:
    for token in (None, "forged"):
        data = {"platform": "messenger", "sender_id": MAYA, "text": "hi"}
        if token:
            data["csrf_token"] = token
        refused = panel.post(PAGE, data=data)
        assert refused.status_code == 403
        assert "Form expired or forged" in refused.text
    assert meta.state.messages == []


def test_the_page_says_the_emulator_is_not_running(
    admin_settings: Settings, engine: Engine
) -> None:
    seed(engine)
    down = admin_settings.model_copy(update={"sandbox_meta_port": free_port()})
    client = TestClient(create_app(down, engine), follow_redirects=False)
    login(client, STAFF)

    page = client.get(PAGE)
    assert page.status_code == 200
    assert NOT_RUNNING in page.text
    assert "Maya Patel" in page.text  # the ready-made customers are still there to pick
    sent = _send(client, platform="messenger", sender_id=MAYA, text="hi")
    assert sent.status_code == 503
    assert NOT_RUNNING in sent.text
    polled = client.get(f"{PAGE}/thread", params={"sender_id": MAYA})
    assert polled.json() == {"running": False, "message": NOT_RUNNING, "records": []}


def test_hidden_when_meta_is_live(admin_settings: Settings, engine: Engine) -> None:
    seed(engine)
    live = admin_settings.model_copy(
        update={"meta_page_access_token": SecretStr("EAAG-a-real-page-token")}
    )
    client = TestClient(create_app(live, engine), follow_redirects=False)
    login(client, STAFF)
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}/thread", params={"sender_id": MAYA}).status_code == 404
    assert client.get("/admin/sandbox/phone").status_code == 200  # RingCentral is still sandbox
