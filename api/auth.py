"""Who is calling the REST API: a panel account or an API key, and what it may do.

- HTTP Basic with a panel account's email and password: for people and simple scripts,
  checked by the same service as the panel's login (lockout included). The account needs at
  least the staff role (extensions: manager); changes are audited under that person.
- `Authorization: Bearer tpk_live_…`: an API key a manager made under Admin → API keys, for
  machine clients. The key's scopes stand in for the role: the route needs `read:<resource>`
  (GET) or `write:<resource>` (anything else), see `domain.api_keys.rules`; changes are
  audited under "API key <name>".

Only over HTTPS in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from sqlmodel import Session

from api.deps import SessionDep
from api.login_throttle import client_address, login_throttle
from domain.accounts import service as accounts
from domain.accounts.models import Role, User
from domain.accounts.rules import retry_after_seconds, too_many_failures_message
from domain.api_keys import service as api_keys
from domain.api_keys.rules import grants, required_scope
from domain.audit.service import Actor

_basic = HTTPBasic(auto_error=False, description="a panel account's email and password")
_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="tpk_live_…",
    description="an API key made under Admin → API keys (scoped, e.g. read:bookings)",
)


def _api_path(request: Request) -> str:
    """The request's path below the app's mount point (`/api/v1/bookings/12`)."""
    path, root = request.url.path, str(request.scope.get("root_path", ""))
    return path.removeprefix(root) if root and path.startswith(root) else path


def _key_actor(request: Request, session: Session, key: str) -> Actor:
    try:
        row = api_keys.authenticate(session, key)
    except api_keys.KeyRejected as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            error.message,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from error
    # "Last used" counts refused calls too. A short transaction of its own: the request's
    # may run long and must not hold the key's row meanwhile.
    with Session(session.get_bind()) as touch:
        if api_keys.record_use(touch, row):
            touch.commit()
    needed = required_scope(request.method, _api_path(request))
    if needed is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "API keys cannot call this route")
    if not grants(row.scopes, needed):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this API key lacks the {needed.value} scope",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'},
        )
    return Actor.api_key(row.id or 0, row.name)


def require_role(minimum: Role) -> Callable[..., Actor]:
    """A panel account of at least `minimum`, or an API key with the route's scope."""

    def dependency(
        request: Request,
        session: SessionDep,
        credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Actor:
        if bearer is not None:
            return _key_actor(request, session, bearer.credentials)
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "log in with a panel account (HTTP Basic) or send an API key "
                "(Authorization: Bearer tpk_live_…)",
                headers={"WWW-Authenticate": "Basic"},
            )
        throttle = login_throttle(request)
        address = client_address(request)
        wait = throttle.wait_seconds(address)
        if wait is not None:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                too_many_failures_message(wait),
                headers={"Retry-After": str(retry_after_seconds(wait))},
            )
        try:
            user: User = accounts.authenticate(session, credentials.username, credentials.password)
        except accounts.LoginFailed as error:
            session.commit()  # keep the failed-attempt count: it drives the lockout
            throttle.record_failure(address)
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, error.message, headers={"WWW-Authenticate": "Basic"}
            ) from error
        if not user.has_role(minimum):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs the {minimum.value} role")
        return Actor.user(user.id or 0, user.full_name)

    return dependency


StaffActor = Annotated[Actor, Depends(require_role(Role.STAFF))]
ManagerActor = Annotated[Actor, Depends(require_role(Role.MANAGER))]
