"""The business's bank account through Plaid: its status, connecting it (manager and up),
"Sync now", and disconnecting it (owner only).

In the sandbox, "Connect bank" makes the public token itself (Plaid's sandbox endpoint, no
widget). With real Plaid keys it opens Plaid Link in the browser, which hands a public token to
/payments/bank/exchange; that page needs Plaid's own script and a real bank, so it is only
exercised by hand. Either way the access token is encrypted before it is stored.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.responses import Response

from admin_ui.auth import ManagerUser, OwnerUser, PostedForm, actor_of, flash
from admin_ui.routes.payments import sentence
from admin_ui.web import business_timezone, engine_of, redirect, render, settings_of, text_field
from api.security_headers import policy
from core.db import session_scope
from core.errors import TeppanError
from core.secrets_at_rest import encrypt
from domain.accounts.models import Role, User
from domain.payments import bank, outbox
from integrations.bank_feed.base import BankLink, BankRelinkRequiredError
from integrations.errors import ProviderError, ProviderTransientError
from integrations.factory import bank_feed

router = APIRouter(prefix="/payments/bank")

PAGE = "/payments/bank"
#: What Plaid's sandbox institution (ins_109508) is called; sandbox links always use it.
SANDBOX_INSTITUTION = "First Platypus Bank (sandbox)"
PLAID_CDN = "https://cdn.plaid.com"
PLAID_LINK_SCRIPT = f"{PLAID_CDN}/link/v2/stable/link-initialize.js"


def provider_problem(error: ProviderError) -> str:
    """What a person can do about a provider's failure."""
    name = error.provider.capitalize()
    if isinstance(error, BankRelinkRequiredError):
        return f"{name} needs the bank's login again: connect the bank again."
    if isinstance(error, ProviderTransientError):
        return f"{name} is not answering right now ({error.message}); try again in a minute."
    return f"{name} refused: {sentence(error.message)}"


@router.get("", name="payments_bank")
def bank_page(request: Request, user: ManagerUser) -> Response:
    with Session(engine_of(request)) as session:
        context = {
            "section": "bank",
            "connections": bank.connections(session),
            "sandbox": settings_of(request).uses_plaid_sandbox,
            "can_disconnect": user.has_role(Role.OWNER),
            "timezone": business_timezone(session),
        }
    return render(request, "payments/bank.html", context)


def _forward_after_commit(request: Request, response: Response, event_id: int) -> None:
    # Without a forwarder (tests, a panel on its own) the periodic pass delivers it.
    forwarder = getattr(request.app.state, "forwarder", None)
    if forwarder is not None:
        response.background = BackgroundTask(forwarder.forward, event_id)


def _save_link(request: Request, user: User, link: BankLink, institution: str) -> Response:
    """Stores the connection and asks for its first sync, in one transaction."""
    token = encrypt(settings_of(request), link.access_token)
    try:
        with session_scope(engine_of(request)) as session:
            connection = bank.connect(
                session,
                item_id=link.item_id,
                access_token_encrypted=token,
                institution_name=institution,
                actor=actor_of(user),
            )
            name = connection.institution_name or "The bank"
            event_id = outbox.bank_sync_requested(session, f"connect-{uuid.uuid4().hex}")
    except TeppanError as error:
        flash(request, f"The bank was not connected: {sentence(error.message)}")
        return redirect(request, PAGE)
    flash(request, f"Connected {name}. The first sync has started.")
    response = redirect(request, PAGE)
    _forward_after_commit(request, response, event_id)
    return response


@router.post("/connect")
def connect(request: Request, user: ManagerUser, _form: PostedForm) -> Response:
    settings = settings_of(request)
    if not settings.uses_plaid_sandbox:
        return redirect(request, f"{PAGE}/link")
    feed = bank_feed(settings)
    try:
        link = feed.exchange_public_token(feed.create_sandbox_public_token())
    except ProviderError as error:
        flash(request, f"The bank was not connected. {provider_problem(error)}")
        return redirect(request, PAGE)
    finally:
        feed.close()
    return _save_link(request, user, link, SANDBOX_INSTITUTION)


@router.get("/link")
def link_page(request: Request, user: ManagerUser) -> Response:
    """Plaid Link in the browser (real Plaid keys): the owner logs in to their bank there."""
    feed = bank_feed(settings_of(request))
    try:
        link_token = feed.create_link_token(client_user_id=f"teppan-user-{user.id}")
    except ProviderError as error:
        flash(request, f"Plaid Link could not start. {provider_problem(error)}")
        return redirect(request, PAGE)
    finally:
        feed.close()
    context = {"section": "bank", "link_token": link_token, "script": PLAID_LINK_SCRIPT}
    page = render(request, "payments/bank_link.html", context)
    # Plaid's script opens its window in a frame from cdn.plaid.com and calls Plaid's API.
    page.headers["Content-Security-Policy"] = policy(
        script_src=[PLAID_LINK_SCRIPT],
        frame_src=[PLAID_CDN],
        connect_src=[settings_of(request).plaid_base_url.rstrip("/"), PLAID_CDN],
    )
    return page


@router.post("/exchange")
def exchange(request: Request, user: ManagerUser, form: PostedForm) -> Response:
    """Where Plaid Link's public token arrives; it works once."""
    public_token = text_field(form, "public_token")
    if not public_token:
        flash(request, "The bank was not connected: Plaid Link sent no token. Try again.")
        return redirect(request, PAGE)
    institution = text_field(form, "institution_name")[:200]
    feed = bank_feed(settings_of(request))
    try:
        link = feed.exchange_public_token(public_token)
    except ProviderError as error:
        flash(request, f"The bank was not connected. {provider_problem(error)}")
        return redirect(request, PAGE)
    finally:
        feed.close()
    return _save_link(request, user, link, institution)


@router.post("/sync")
def sync_now(request: Request, user: ManagerUser, _form: PostedForm) -> Response:
    with session_scope(engine_of(request)) as session:
        if not bank.connections(session):
            flash(request, "Connect the bank first: there is nothing to sync.")
            return redirect(request, PAGE)
        event_id = outbox.bank_sync_requested(session, f"{user.id}-{uuid.uuid4().hex}")
    flash(request, "Sync started: new bank lines show up here and in the review queue.")
    response = redirect(request, PAGE)
    _forward_after_commit(request, response, event_id)
    return response


@router.post("/{connection_id:int}/disconnect")
def disconnect(
    request: Request, user: OwnerUser, _form: PostedForm, connection_id: int
) -> Response:
    try:
        with session_scope(engine_of(request)) as session:
            connection = bank.disconnect(session, connection_id, actor_of(user))
            name = connection.institution_name or "The bank"
    except TeppanError as error:
        flash(request, f"Not disconnected: {sentence(error.message)}")
        return redirect(request, PAGE)
    flash(request, f"Disconnected {name}: no more bank lines will be read from it.")
    return redirect(request, PAGE)
