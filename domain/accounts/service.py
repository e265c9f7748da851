"""Admin panel accounts: hashed passwords, login with lockout."""

from __future__ import annotations

from datetime import timedelta

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from core.errors import ConflictError
from core.timeutil import utcnow
from domain.accounts.models import Role, User
from domain.audit import service as audit
from domain.audit.service import Actor

_hasher = PasswordHasher()

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_hash_parameters(parameters: Parameters) -> None:
    """Changes the cost of new hashes. Only tests lower it (argon2.profiles.CHEAPEST), so that
    hundreds of seeded logins take no minutes; stored hashes carry their own parameters and
    verify either way."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(
    session: Session, *, email: str, full_name: str, password: str, role: Role, actor: Actor
) -> User:
    if len(password) < 10:
        raise ConflictError("a password needs at least 10 characters")
    if find_by_email(session, email) is not None:
        raise ConflictError(f"{email} already has an account")
    user = User(
        email=email.strip().lower(),
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        {"email": user.email, "role": user.role.value},
        f"Created {role.value} account {user.email}",
    )
    return user


class LoginFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def authenticate(session: Session, email: str, password: str) -> User:
    """The user for these credentials; locks the account after repeated failures."""
    user = find_by_email(session, email)
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        raise LoginFailed("wrong email or password")
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise LoginFailed("too many failed attempts: try again in a few minutes")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.add(user)
        raise LoginFailed("wrong email or password")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    return user
