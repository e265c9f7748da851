"""Who is logged in, what they may do, and the CSRF check every POST goes through."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from admin_ui.web import engine_of
from domain.accounts.models import Role, User
from domain.audit.service import Actor

SESSION_USER = "user_id"
SESSION_CSRF = "csrf"
SESSION_FLASH = "flash"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: the handler redirects to the login page."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Exception):
    pass


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(SESSION_CSRF)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not expected
        or not secrets.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfFailed
    return form


def flash(request: Request, message: str) -> None:
    request.session[SESSION_FLASH] = [*request.session.get(SESSION_FLASH, []), message]


def pop_flashes(request: Request) -> list[str]:
    if SESSION_FLASH not in request.session:
        return []
    messages: list[str] = request.session.pop(SESSION_FLASH)
    return messages


def log_in(request: Request, user: User) -> None:
    # A fresh session (and CSRF token) at login, so a token planted before it is worthless.
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def actor_of(user: User) -> Actor:
    """Who the audit log names for a change made in the panel."""
    return Actor.user(user.id or 0, user.full_name)


def current_user(request: Request) -> User:
    """The logged-in user, reloaded each request so deactivation takes effect at once."""
    user_id = request.session.get(SESSION_USER)
    if not isinstance(user_id, int):
        raise LoginRequired
    with Session(engine_of(request), expire_on_commit=False) as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        request.session.pop(SESSION_USER, None)
        raise LoginRequired
    request.state.user = user
    return user


REFUSALS = {
    Role.STAFF: "You need an active account to do this.",
    Role.MANAGER: "Only a manager or the owner may do this.",
    Role.OWNER: "Only the owner may do this.",
}


def require_role(minimum: Role) -> Callable[[User], User]:
    def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if not user.has_role(minimum):
            raise Forbidden(REFUSALS[minimum])
        return user

    return dependency


AnyUser = Annotated[User, Depends(current_user)]
ManagerUser = Annotated[User, Depends(require_role(Role.MANAGER))]
OwnerUser = Annotated[User, Depends(require_role(Role.OWNER))]
PostedForm = Annotated[FormData, Depends(checked_form)]
