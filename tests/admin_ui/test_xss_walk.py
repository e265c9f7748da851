"""Stored XSS: script and attribute-breaking payloads in every free-text column, and typed into
every form of the panel, never reach a page unescaped.

Every GET route of the route table is fetched (as the owner and as staff), so a new page is
checked without being listed. Each column's payload names the column, and the table below
says where its escaped form must show: proof that the payload reached a page at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine

from api.app import create_app
from core.settings import Settings
from domain.accounts.models import ROLE_RANK, Role
from domain.messaging.models import TemplateKind
from tests.admin_ui.conftest import OWNER, STAFF, login, seed
from tests.admin_ui.route_table import Endpoint, route_table
from tests.admin_ui.walk_seed import seed_rows

if TYPE_CHECKING:
    from httpx2 import Response  # what TestClient answers

#: What must never appear as markup: the payloads' own tags.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror")


def payload(label: str) -> str:
    # A script element, then a quote and > that close an attribute and its tag, then an
    # element with an event handler: escaped in text and in attributes alike, or it runs.
    return f'<script>alert("{label}")</script>"><img src=x onerror=alert(1)>'


#: Where each stored column's escaped payload must show (one page is enough: every page is
#: checked for the raw payload anyway).
SHOWN_ON = {
    "business.name": "/admin/settings",
    "business.base_address": "/admin/settings",
    "user.full_name.owner": "/admin/",
    "user.full_name.staff": "/admin/",
    "package.name": "/admin/bookings/{booking_id}",
    "package.description": "/admin/settings",
    "add_on.name": "/admin/quotes/new",
    "faq.question": "/admin/inbox/{conversation_id}",
    "faq.answer": "/admin/inbox/{conversation_id}",
    "customer.full_name": "/admin/customers",
    "customer.notes": "/admin/customers/{customer_id}",
    "staff_member.full_name": "/admin/extensions",
    "booking.address": "/admin/bookings/{booking_id}",
    "booking.add_on": "/admin/bookings/{booking_id}",
    "booking.notes": "/admin/bookings/{booking_id}",
    "conversation.handoff_reason": "/admin/inbox/{conversation_id}",
    "message.sms_inbound": "/admin/inbox/{conversation_id}",
    "message.meta_inbound": "/admin/inbox/{conversation_id}",
    "message.outbound": "/admin/inbox/{conversation_id}",
    "quote.address": "/admin/quotes/{quote_id}",
    "quote.formatted_address": "/q/{token}",
    "quote.add_on": "/q/{token}",
    "quote.notes": "/admin/quotes/{quote_id}",
    "quote_event.detail": "/admin/quotes/{quote_id}",
    "call.transcript": "/admin/calls/{call_id}",
    "call.triage_reason": "/admin/calls/{call_id}",
    "call.escalation_reason": "/admin/calls/{call_id}",
    "escalation.reason": "/admin/calls/{call_id}",
    "task.title": "/admin/tasks",
    "task.details": "/admin/tasks",
    "payment.payer_name": "/admin/payments/review",
    "payment.description": "/admin/payments/review",
    "payment.counterparty_name": "/admin/payments/{payment_id}",
    "payment.candidate_customer": "/admin/payments/review",
    "payment.candidate_reason": "/admin/payments/review",
    "payment.match_reason": "/admin/payments/review",
    "bank.institution_name": "/admin/payments/bank",
    "bank.last_error": "/admin/payments/bank",
    "review.reviewer_name": "/admin/reviews/{review_id}",
    "review.comment": "/admin/reviews/{review_id}",
    "review.draft_reply": "/admin/reviews/queue",
    "review.topic": "/admin/reviews/{review_id}",
    "review.verification_reason": "/admin/reviews/{review_id}",
    "review.candidate_customer": "/admin/reviews/{review_id}",
    "review.candidate_reason": "/admin/reviews/{review_id}",
    "google.location_title": "/admin/reviews/google",
    "google.last_error": "/admin/reviews/google",
    "api_key.name": "/admin/api-keys",
    "api_key.created_by": "/admin/api-keys",
    "template.body": "/admin/message-templates/{kind}",
    "audit.actor_name": "/admin/audit",
    "audit.change": "/admin/audit",
    "audit.summary": "/admin/audit",
}
#: Stored but shown on no page today (still checked on every page, should one show it).
NOT_SHOWN = {
    "user.full_name.manager",  # only the signed-in user's own name is shown
    "identity.display_name",
    "message.error",  # shown for failed texts; the seeded one is scheduled
    "call.caller_name",  # the calls pages name the customer
}


@dataclass
class Walk:
    app: FastAPI
    values: dict[str, object]
    labels: list[str]

    def client(self, who: tuple[str, str]) -> TestClient:
        client = TestClient(self.app, follow_redirects=False, raise_server_exceptions=False)
        login(client, who)
        return client


@pytest.fixture
def walk(admin_settings: Settings, sqlite_engine: Engine) -> Walk:
    seed(sqlite_engine)
    labels: list[str] = []

    def text(label: str) -> str:
        labels.append(label)
        return payload(label)

    seeded = seed_rows(sqlite_engine, text)
    values = asdict(seeded) | {
        "closing": "done",
        "kind": TemplateKind.BOOKING_CONFIRMATION.value,
        "sid": seeded.call_sid,
        "token": seeded.quote_token,
        "reference": seeded.booking_reference,
    }
    return Walk(create_app(admin_settings, sqlite_engine), values, labels)


def _pages(app: FastAPI, role: Role) -> Iterator[Endpoint]:
    for endpoint in route_table(app).endpoints:
        allowed = endpoint.minimum is None or ROLE_RANK[role] >= ROLE_RANK[endpoint.minimum]
        if endpoint.method == "GET" and allowed:
            yield endpoint


def _unescaped(response: Response) -> list[str]:
    """What is wrong with a response that may carry a payload: HTML with the raw markup, or
    anything other than HTML or JSON (which a browser might render)."""
    kind = response.headers.get("content-type", "")
    if not any(marker in response.text for marker in RAW_MARKERS):
        return []
    if kind.startswith("application/json"):
        # Data for the pages' scripts, which put it in with textContent; never rendered.
        assert response.headers["x-content-type-options"] == "nosniff"
        return []
    return [f"{response.request.url.path} ({kind or 'no type'}) has a raw payload"]


def test_stored_payloads_are_escaped_on_every_page(walk: Walk) -> None:
    assert set(walk.labels) == set(SHOWN_ON) | NOT_SHOWN, "SHOWN_ON or NOT_SHOWN is stale"
    problems: list[str] = []
    shown: dict[str, str] = {}
    owner = walk.client(OWNER)
    for endpoint in _pages(walk.app, Role.OWNER):
        url = endpoint.url(walk.values)
        response = owner.get(url)
        problems += _unescaped(response)
        if response.status_code == 200:
            shown[url] = response.text
    # Staff see the same pages but their own name in the menu.
    staff_home = walk.client(STAFF).get("/admin/")
    problems += _unescaped(staff_home)
    for label, page in SHOWN_ON.items():
        url = page.format(**walk.values)
        text = staff_home.text if label.endswith(".staff") else shown.get(url)
        assert text is not None, f"{url} was not walked or did not answer 200"
        if str(escape(payload(label))) not in text:
            problems.append(f"{label}: its escaped payload is not on {url}")
    assert not problems, "\n".join(problems)


# --- payloads typed into the forms ------------------------------------------------------------

TEXT_INPUTS = {"text", "search", "email", "tel", "url", ""}


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # free text, as filled in


class Forms(HTMLParser):
    """The page's POST forms: hidden and chosen values as they are, free text to be filled."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = Form(action=a.get("action", ""))
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name", "")
        if form is None or not name or "disabled" in a:
            return
        if tag == "textarea":
            self._textarea, self._textarea_text = name, []
        elif tag == "input":
            kind = a.get("type", "").lower()
            if kind in TEXT_INPUTS:
                form.texts.append((name, a.get("value", "")))
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select, self._select_value = name, None
        elif (
            tag == "option"
            and self._select is not None
            and (self._select_value is None or "selected" in a)
        ):
            self._select_value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.texts.append((self._textarea, "".join(self._textarea_text)))
            self._textarea = None
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None


def _forms(html: str) -> list[Form]:
    parser = Forms()
    parser.feed(html)
    return [form for form in parser.forms if form.texts]


def test_payloads_typed_into_every_form_come_back_escaped(walk: Walk) -> None:
    owner = walk.client(OWNER)
    forms: dict[str, Form] = {}
    for endpoint in _pages(walk.app, Role.OWNER):
        if not endpoint.panel:
            continue
        page = owner.get(endpoint.url(walk.values))
        for form in _forms(page.text) if page.status_code == 200 else ():
            forms.setdefault(form.action, form)
    # The walk found the forms that take free text (customers, bookings, quotes, replies…).
    assert len(forms) >= 15, sorted(forms)

    # One field at a time, the others as the page filled them: a payload the form refuses
    # comes back in the re-shown form (inside value="…"), one it takes is stored and shown.
    problems: list[str] = []
    stored = 0
    for action, form in forms.items():
        for typed in (name for name, _ in form.texts):
            data: dict[str, list[str]] = {}
            for name, value in [*form.fields, *form.texts]:
                text = payload(f"form {action} {name}") if name == typed else value
                data.setdefault(name, []).append(text)
            response = owner.post(action, data=data)
            problems += _unescaped(response)
            location = response.headers.get("location", "")
            if response.is_redirect and not urlsplit(location).netloc:
                stored += 1
                problems += _unescaped(owner.get(location))
    assert stored >= 15, "too few payloads were taken: the walk tests little but refusals"
    # What the forms stored shows escaped wherever it shows.
    for endpoint in _pages(walk.app, Role.OWNER):
        problems += _unescaped(owner.get(endpoint.url(walk.values)))
    assert not problems, "\n".join(problems)
