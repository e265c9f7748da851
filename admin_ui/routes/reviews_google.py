"""The business's Google Business Profile: its status, connecting it through Google's consent
page, choosing the location whose reviews Teppan reads, and "Sync now" (manager and up).

Connecting is OAuth's authorization-code flow: "Connect Google" sends the browser to Google's
consent page with a random `state` kept in the signed session cookie; Google sends the browser
back to /reviews/google/callback with a code, which is exchanged for a refresh token only when
the state matches (otherwise anyone could make the panel store their Google account). The
refresh token is encrypted before it is stored. In the sandbox the consent page is the
emulator's, with the same Allow button.

There is no "Disconnect": the domain has no function to end a connection yet (a new consent
replaces the previous one).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.responses import RedirectResponse, Response

from admin_ui.auth import ManagerUser, PostedForm, actor_of, flash
from admin_ui.routes.payments import sentence
from admin_ui.web import business_timezone, engine_of, redirect, render, settings_of, text_field
from core.db import session_scope
from core.secrets_at_rest import SecretUnreadable, decrypt, encrypt
from core.settings import Settings
from domain.reviews import connection, outbox
from domain.reviews.models import GoogleConnection
from integrations.errors import ProviderError, ProviderTransientError
from integrations.factory import google_oauth, google_reviews
from integrations.reviews.base import BusinessLocation, ReviewsReconnectRequired

router = APIRouter(prefix="/reviews/google")

PAGE = "/reviews/google"
LOCATIONS = "/reviews/google/location"
SESSION_STATE = "google_oauth_state"
#: A location as the choice form sends it: the account and the location, which Google's
#: resource names never contain.
SEPARATOR = "|"


def redirect_uri(settings: Settings) -> str:
    """Where Google sends the browser back; it must be registered with the OAuth client."""
    return f"{settings.public_base_url.rstrip('/')}/admin/reviews/google/callback"


def provider_problem(error: ProviderError) -> str:
    """What a person can do about Google's failure."""
    if isinstance(error, ReviewsReconnectRequired):
        return (
            "Google no longer lets Teppan manage the business profile (the permission was "
            "withdrawn or not granted): connect Google again and allow access."
        )
    if isinstance(error, ProviderTransientError):
        return f"Google is not answering right now ({error.message}); try again in a minute."
    return f"Google refused: {sentence(error.message)}"


def _forward_after_commit(request: Request, response: Response, event_id: int) -> None:
    # Without a forwarder (tests, a panel on its own) the periodic pass delivers it.
    forwarder = getattr(request.app.state, "forwarder", None)
    if forwarder is not None:
        response.background = BackgroundTask(forwarder.forward, event_id)


def _choice(location: BusinessLocation) -> str:
    return f"{location.account}{SEPARATOR}{location.location}"


@dataclass(frozen=True)
class Listed:
    locations: list[BusinessLocation]
    problem: str | None  # why they could not be listed


def _list_locations(settings: Settings, refresh_token: str) -> Listed:
    client = google_reviews(settings, refresh_token)
    try:
        return Listed(client.locations(), None)
    except ProviderError as error:
        return Listed([], provider_problem(error))
    finally:
        client.close()


def _stored_token(request: Request, google: GoogleConnection) -> str | None:
    try:
        return decrypt(settings_of(request), google.refresh_token_encrypted)
    except SecretUnreadable:
        flash(
            request,
            "The stored Google permission cannot be read (the encryption key changed): "
            "connect Google again.",
        )
        return None


# --- status ---------------------------------------------------------------------------------


@router.get("", name="reviews_google")
def google_page(request: Request, _user: ManagerUser) -> Response:
    with Session(engine_of(request)) as session:
        context = {
            "section": "google",
            "google": connection.active(session),
            "sandbox": settings_of(request).uses_google_business_sandbox,
            "timezone": business_timezone(session),
        }
    return render(request, "reviews/google.html", context)


# --- connecting -----------------------------------------------------------------------------


@router.post("/connect")
def connect(request: Request, _user: ManagerUser, _form: PostedForm) -> Response:
    settings = settings_of(request)
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE] = state
    oauth = google_oauth(settings)
    try:
        target = oauth.authorization_url(redirect_uri(settings), state)
    finally:
        oauth.close()
    return RedirectResponse(target, status_code=303)


def _refused(request: Request, message: str) -> Response:
    context = {"title": "Google was not connected", "message": message}
    return render(request, "error.html", context, status_code=400)


@router.get("/callback")
def callback(
    request: Request,
    user: ManagerUser,
    state: str = Query(default="", max_length=500),
    code: str = Query(default="", max_length=2000),
    error: str = Query(default="", max_length=200),
) -> Response:
    expected = request.session.pop(SESSION_STATE, None)
    if (
        not isinstance(expected, str)
        or not state
        or not secrets.compare_digest(state.encode(), expected.encode())
    ):
        return _refused(
            request,
            "Google's answer does not belong to a connection started from this browser (it is "
            "old, was already used, or comes from somewhere else), so nothing was stored. "
            'Start again with "Connect Google".',
        )
    if error or not code:
        reason = "access was not allowed on Google's page" if error else "Google sent no code"
        flash(request, f"Google was not connected: {reason}.")
        return redirect(request, PAGE)
    settings = settings_of(request)
    oauth = google_oauth(settings)
    try:
        tokens = oauth.exchange_code(code, redirect_uri(settings))
    except ProviderError as failure:
        flash(request, f"Google was not connected. {provider_problem(failure)}")
        return redirect(request, PAGE)
    finally:
        oauth.close()
    if not tokens.refresh_token:
        flash(request, "Google was not connected: Google gave no lasting permission. Try again.")
        return redirect(request, PAGE)

    listed = _list_locations(settings, tokens.refresh_token)
    only = listed.locations[0] if len(listed.locations) == 1 else None
    event_id: int | None = None
    with session_scope(engine_of(request)) as session:
        google = connection.connect(
            session,
            refresh_token_encrypted=encrypt(settings, tokens.refresh_token),
            actor=actor_of(user),
        )
        if only is not None:
            connection.choose_location(
                session, google, only.account, only.location, only.title, actor_of(user)
            )
            event_id = outbox.sync_requested(session, f"connect-{uuid.uuid4().hex}")
        elif listed.problem is not None:
            connection.record_error(session, google.id or 0, listed.problem)

    if only is not None and event_id is not None:
        flash(request, f"Connected Google: {only.title}. The first sync has started.")
        response = redirect(request, PAGE)
        _forward_after_commit(request, response, event_id)
        return response
    if listed.problem is not None:
        flash(request, f"Connected Google, but its locations could not be read. {listed.problem}")
        return redirect(request, PAGE)
    if not listed.locations:
        flash(
            request,
            "Connected Google, but this Google account manages no business location: connect "
            "with the account that owns the business profile.",
        )
        return redirect(request, PAGE)
    flash(request, "Connected Google. Choose the location whose reviews Teppan answers.")
    return redirect(request, LOCATIONS)


# --- the location -----------------------------------------------------------------------------


def _render_locations(
    request: Request,
    google: GoogleConnection,
    locations: list[BusinessLocation],
    problem: str = "",
) -> Response:
    current = f"{google.account}{SEPARATOR}{google.location}" if google.location else ""
    context = {
        "section": "google",
        "google": google,
        "locations": [(_choice(location), location) for location in locations],
        "current": current,
        "problem": problem,
    }
    return render(request, "reviews/google_locations.html", context, 400 if problem else 200)


def _connected_locations(request: Request) -> tuple[GoogleConnection, Listed] | Response:
    with Session(engine_of(request)) as session:
        google = connection.active(session)
    if google is None:
        flash(request, "Connect Google first.")
        return redirect(request, PAGE)
    token = _stored_token(request, google)
    if token is None:
        return redirect(request, PAGE)
    listed = _list_locations(settings_of(request), token)
    if listed.problem is not None:
        flash(request, f"The locations could not be read. {listed.problem}")
        return redirect(request, PAGE)
    return google, listed


@router.get("/location")
def location_page(request: Request, _user: ManagerUser) -> Response:
    found = _connected_locations(request)
    if isinstance(found, Response):
        return found
    google, listed = found
    return _render_locations(request, google, listed.locations)


@router.post("/location")
def choose_location(request: Request, user: ManagerUser, form: PostedForm) -> Response:
    found = _connected_locations(request)
    if isinstance(found, Response):
        return found
    google, listed = found
    chosen = text_field(form, "location")
    # Only a location Google lists now: the form's value is not trusted as a resource name.
    match = next((x for x in listed.locations if _choice(x) == chosen), None)
    if match is None:
        return _render_locations(
            request, google, listed.locations, "Choose one of the locations listed."
        )
    with session_scope(engine_of(request)) as session:
        current = connection.active(session)
        if current is None or current.id != google.id:
            flash(request, "Not changed: Google was connected again meanwhile. Choose again.")
            return redirect(request, LOCATIONS)
        connection.choose_location(
            session, current, match.account, match.location, match.title, actor_of(user)
        )
        event_id = outbox.sync_requested(session, f"location-{uuid.uuid4().hex}")
    flash(request, f"Reviews are read from {match.title}. The first sync has started.")
    response = redirect(request, PAGE)
    _forward_after_commit(request, response, event_id)
    return response


# --- syncing ------------------------------------------------------------------------------


@router.post("/sync")
def sync_now(request: Request, user: ManagerUser, _form: PostedForm) -> Response:
    with session_scope(engine_of(request)) as session:
        google = connection.active(session)
        if google is None or not google.location:
            flash(request, "Connect Google and choose a location first: there is nothing to sync.")
            return redirect(request, PAGE)
        event_id = outbox.sync_requested(session, f"{user.id}-{uuid.uuid4().hex}")
    flash(request, "Sync started: new reviews show up in Reviews in a moment.")
    response = redirect(request, PAGE)
    _forward_after_commit(request, response, event_id)
    return response
