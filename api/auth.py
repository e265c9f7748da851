"""Who is calling the REST API: every /api/v1 endpoint needs a panel account of at least the
staff role (extensions: manager), and changes are audited under that person.

HTTP Basic with a panel account's email and password: simple for scripts and checked by the
same service as the panel's login (lockout included). Only over HTTPS in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from api.deps import SessionDep
from domain.accounts import service as accounts
from domain.accounts.models import Role, User
from domain.audit.service import Actor

_basic = HTTPBasic(auto_error=False, description="a panel account's email and password")


def require_role(minimum: Role) -> Callable[..., Actor]:
    def dependency(
        session: SessionDep,
        credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    ) -> Actor:
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "log in with a panel account (HTTP Basic)",
                headers={"WWW-Authenticate": "Basic"},
            )
        try:
            user: User = accounts.authenticate(session, credentials.username, credentials.password)
        except accounts.LoginFailed as error:
            session.commit()  # keep the failed-attempt count: it drives the lockout
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, error.message, headers={"WWW-Authenticate": "Basic"}
            ) from error
        if not user.has_role(minimum):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs the {minimum.value} role")
        return Actor.user(user.id or 0, user.full_name)

    return dependency


StaffActor = Annotated[Actor, Depends(require_role(Role.STAFF))]
ManagerActor = Annotated[Actor, Depends(require_role(Role.MANAGER))]
