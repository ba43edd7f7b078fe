"""Users and API tokens: keyword-only functions taking a session; they flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from service import errors
from service.audit.services import record_event
from service.auth.models import ROLES, ApiToken, User
from service.models import utcnow

TOKEN_PREFIX = "xb_"


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    *, session: Session, email: str, role: str, name: str | None = None,
    password_hash: str | None = None,
) -> User:  # fmt: skip
    """Add a user; 409 when the email is taken."""
    if role not in ROLES:
        raise errors.ValidationFailed(errors={"role": [f"One of {', '.join(ROLES)}."]})
    email = email.strip().lower()
    if session.execute(select(User.id).where(User.email == email)).first():
        raise errors.Conflict(f"A user with email {email} exists.", errors={"email": ["Taken."]})
    user = User(email=email, role=role, name=name, password_hash=password_hash)
    session.add(user)
    session.flush()
    record_event(
        session=session, action="create", object_type="user", object_id=email,
        after={"email": email, "role": role, "name": name},
    )  # fmt: skip
    return user


def create_token(
    *, session: Session, user: User, name: str | None = None, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token; the plain value is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    assert user.id is not None
    token = ApiToken(
        user_id=user.id, name=name, prefix=plain[:10], token_hash=hash_token(plain),
        expires_at=expires,
    )  # fmt: skip
    session.add(token)
    session.flush()
    record_event(
        session=session, action="create", object_type="token", object_id=str(token.id),
        after={"user": user.email, "name": name, "prefix": token.prefix,
               "expires_at": expires.isoformat() if expires else None},
    )  # fmt: skip
    return token, plain


def user_for_token(*, session: Session, plain: str, now: datetime | None = None) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(plain))
    ).first()  # fmt: skip
    if row is None:
        return None
    token, user = row
    if token.revoked_at or user.disabled or (token.expires_at and token.expires_at <= now):
        return None
    return user
