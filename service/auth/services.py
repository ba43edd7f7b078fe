"""Users and API tokens: keyword-only functions taking a session; they flush, never commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from service import errors
from service.audit.services import record_event
from service.auth.models import ROLES, ApiToken, User
from service.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from service.db import flush, get_row, select_row, table_of
from service.models import MAX_ROW_ID, utcnow
from service.paging import Page, paginate

TOKEN_PREFIX = "xb_"
MAX_TOKEN_DAYS = 3650
# last_used_at is written at most this often per token, so reads do not all become writes.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_snapshot(user: User) -> dict[str, Any]:
    """A user's auditable facts (never the password or its hash)."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "password_set": user.password_hash is not None,
    }


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise errors.ValidationFailed(
            "Unknown role.", errors={"role": [f"One of {', '.join(ROLES)}."]}
        )


def _check_password(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise errors.ValidationFailed(
            "The password is too short or too long.",
            errors={"password": [f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."]},
        )


def _flush_user(session: Session) -> None:
    flush(
        session,
        "user",
        conflict="A user with this email exists.",
        conflict_errors={"email": ["Taken."]},
    )


def create_user(
    *,
    session: Session,
    email: str,
    role: str,
    name: str | None = None,
    password_hash: str | None = None,
    password: str | None = None,
) -> User:
    """Add a user (password hashed with argon2 when given); 409 when the email is taken."""
    _check_role(role)
    email = email.strip().lower()
    if session.execute(select(col(User.id)).where(col(User.email) == email)).first():
        raise errors.Conflict(f"A user with email {email} exists.", errors={"email": ["Taken."]})
    if password is not None:
        _check_password(password)
        password_hash = hash_password(password)
    user = User(email=email, role=role, name=name, password_hash=password_hash)
    session.add(user)
    _flush_user(session)
    record_event(
        session=session,
        action="create",
        object_type="user",
        object_id=email,
        after=user_snapshot(user),
    )
    return user


def get_user(*, session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    return get_row(session, User, user_id, f"No user {user_id}.")


def get_user_by_email(*, session: Session, email: str) -> User:
    """The user with this email (case-insensitive), or NotFound."""
    email = email.strip().lower()
    return select_row(
        session, select(User).where(col(User.email) == email), f"No user with email {email}."
    )


def list_users(
    *,
    session: Session,
    role: str | None = None,
    disabled: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[User]:
    """Users ordered by email, optionally filtered by role and disabled state."""
    conditions: list[Any] = []
    if role is not None:
        conditions.append(col(User.role) == role)
    if disabled is not None:
        conditions.append(col(User.disabled) == disabled)
    statement = select(User).where(*conditions).order_by(col(User.email))
    return paginate(session, statement, page=page, per_page=per_page)


def _lock_active_admins(session: Session) -> None:
    """Take the write lock on the active admins' rows before counting them.

    A no-op UPDATE: on PostgreSQL it row-locks them (a concurrent demotion waits, then sees the
    committed roles); on SQLite it takes the database's write lock, which the driver otherwise
    takes only at the first write, after the count. Two admins demoting each other: one 409.
    """
    session.execute(
        update(User)
        .where(col(User.role) == "admin", col(User.disabled).is_(False))
        .values(role=col(User.role))
        .execution_options(synchronize_session=False)
    )


def _other_active_admins(session: Session, user: User) -> int:
    _lock_active_admins(session)
    return int(
        session.execute(
            select(func.count())
            .select_from(User)
            .where(
                col(User.role) == "admin",
                col(User.disabled).is_(False),
                col(User.id) != user.id,
            )
        ).scalar_one()
    )


def update_user(*, session: Session, user: User, changes: Mapping[str, Any]) -> User:
    """Change a user's name, role, disabled state or password; the last admin stays an admin."""
    before = user_snapshot(user)
    if "role" in changes:
        _check_role(changes["role"])
    demoted = changes.get("role", user.role) != "admin" or changes.get("disabled", user.disabled)
    if (
        user.role == "admin"
        and not user.disabled
        and demoted
        and not _other_active_admins(session, user)
    ):
        raise errors.Conflict(
            "This is the only active admin; make another admin first.",
            errors={"role": ["The last active admin cannot be demoted or disabled."]},
        )
    newly_disabled = bool(changes.get("disabled")) and not user.disabled
    for field in ("name", "role", "disabled"):
        if field in changes:
            setattr(user, field, changes[field])
    password_changed = False
    if changes.get("password") is not None:
        _check_password(changes["password"])
        user.password_hash = hash_password(changes["password"])
        password_changed = True
    if newly_disabled or password_changed:
        user.session_generation += 1  # every earlier session ends
    after = user_snapshot(user)
    if after == before and not password_changed:
        return user
    _flush_user(session)
    record_event(
        session=session,
        action="set_password" if after == before else "update",
        object_type="user",
        object_id=user.email,
        before=before,
        after=after,
    )
    if newly_disabled:
        # Re-enabling must not revive them: a disabled user's tokens are revoked for good.
        for token in session.execute(
            select(ApiToken).where(
                col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None)
            )
        ).scalars():
            revoke_token(session=session, token=token, owner=user)
    return user


def disable_user(*, session: Session, user: User) -> User:
    """Disable a user: sign-in and all their tokens stop working."""
    return update_user(session=session, user=user, changes={"disabled": True})


def authenticate(
    *, session: Session, email: str, password: str, client: str | None = None
) -> User | None:
    """The active user with this email and password, else None; unknown emails cost the same.

    Both outcomes are audit events (`sign_in`, `sign_in_failed` with the client's address);
    the caller commits either way.
    """
    email = email.strip().lower()
    user: User | None = session.execute(
        select(User).where(col(User.email) == email)
    ).scalar_one_or_none()
    matches = verify_password(user.password_hash if user is not None else None, password)
    ok = user is not None and matches and not user.disabled
    record_event(
        session=session,
        action="sign_in" if ok else "sign_in_failed",
        object_type="user",
        object_id=email[:100],
        after={"client": client},
        actor=email[:200] if ok else "anonymous",
    )
    if ok and user is not None and user.password_hash and needs_rehash(user.password_hash):
        # argon2's parameters changed since this hash was made: store one made with today's.
        user.password_hash = hash_password(password)
        record_event(
            session=session,
            action="password_rehash",
            object_type="user",
            object_id=email[:100],
            after={"parameters": "current"},
            actor=email[:200],
        )
        _flush_user(session)
    return user if ok else None


def change_own_password(
    *, session: Session, user: User, current_password: str, new_password: str
) -> User:
    """The user changes their own password: the current one must match (422 otherwise).

    Every earlier session ends (the caller signs the current one in again); tokens stay.
    """
    if not verify_password(user.password_hash, current_password):
        raise errors.ValidationFailed(
            "The current password is incorrect.",
            errors={"current_password": ["Incorrect."]},
        )
    if current_password == new_password:
        raise errors.ValidationFailed(
            "The new password is the current one.",
            errors={"new_password": ["Choose a different password."]},
        )
    try:
        return update_user(session=session, user=user, changes={"password": new_password})
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            str(exc), errors={"new_password": (exc.errors or {}).get("password", [str(exc)])}
        ) from exc


def end_sessions(*, session: Session, user: User) -> None:
    """Sign out: every session of this user started so far ends (an audit event).

    A plain UPDATE of the generation, not a versioned edit: signing out never makes an
    admin's If-Match on this user stale.
    """
    session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(session_generation=col(User.session_generation) + 1)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(user, "session_generation", user.session_generation + 1)
    record_event(session=session, action="sign_out", object_type="user", object_id=user.email)


def session_fingerprint(user: User) -> str:
    """Kept in the session cookie: the user and the session generation it was started in."""
    return f"{user.id}:{user.session_generation}"


def token_info(token: ApiToken, email: str, *, now: datetime | None = None) -> dict[str, Any]:
    """A token's public facts (never its value or hash)."""
    now = now or utcnow()
    active = token.revoked_at is None and (token.expires_at is None or token.expires_at > now)
    return {
        "id": token.id,
        "user": email,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
        "active": active,
    }


def _token_snapshot(token: ApiToken, email: str) -> dict[str, Any]:
    return {
        "user": email,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def may_manage_tokens_of(actor: User, owner: User) -> None:
    """A user manages their own tokens; admins manage everyone's; else 403."""
    if actor.role != "admin" and actor.id != owner.id:
        raise errors.Forbidden("You may only manage your own tokens.")


def create_token(
    *, session: Session, user: User, name: str | None = None, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token; the plain value is returned once and never stored."""
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise errors.ValidationFailed(
            "Bad expiry.", errors={"expires_in_days": [f"Between 1 and {MAX_TOKEN_DAYS} days."]}
        )
    if user.disabled:
        raise errors.Conflict(f"User {user.email} is disabled.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    assert user.id is not None
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[:10],
        token_hash=hash_token(plain),
        expires_at=expires,
    )
    session.add(token)
    flush(session, "token")
    record_event(
        session=session,
        action="create",
        object_type="token",
        object_id=str(token.id),
        after=_token_snapshot(token, user.email),
    )
    return token, plain


def get_token(*, session: Session, token_id: int) -> tuple[ApiToken, User]:
    """A token and its owner, or NotFound."""
    if not 0 < token_id <= MAX_ROW_ID:
        raise errors.NotFound(f"No token {token_id}.")
    row = session.execute(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.id) == token_id)
    ).first()
    if row is None:
        raise errors.NotFound(f"No token {token_id}.")
    return row[0], row[1]


def list_tokens(
    *, session: Session, user: User | None = None, include_revoked: bool = False
) -> list[dict[str, Any]]:
    """Tokens (of one user, or all), newest first, as public facts."""
    query = select(ApiToken, col(User.email)).join(User, col(User.id) == col(ApiToken.user_id))
    if user is not None:
        query = query.where(col(ApiToken.user_id) == user.id)
    if not include_revoked:
        query = query.where(col(ApiToken.revoked_at).is_(None))
    rows = session.execute(query.order_by(col(ApiToken.id).desc())).all()
    now = utcnow()
    return [token_info(token, email, now=now) for token, email in rows]


def revoke_token(*, session: Session, token: ApiToken, owner: User) -> ApiToken:
    """Revoke a token (idempotent); it stops working at once."""
    if token.revoked_at is not None:
        return token
    before = _token_snapshot(token, owner.email)
    token.revoked_at = utcnow()
    flush(session, "token")
    record_event(
        session=session,
        action="revoke",
        object_type="token",
        object_id=str(token.id),
        before=before,
        after=_token_snapshot(token, owner.email),
    )
    return token


# Built once: every API request runs it. Only the columns the checks and the caller's identity
# need, read on the session's connection without the ORM (no objects built): building a token
# and a user object cost twice what the query does, and most requests need neither.
_TOKEN = table_of(ApiToken)
_USER = table_of(User)
_TOKEN_CHECK = (
    select(
        _TOKEN.c.id,
        _TOKEN.c.expires_at,
        _TOKEN.c.revoked_at,
        _TOKEN.c.last_used_at,
        _USER.c.id,
        _USER.c.email,
        _USER.c.role,
        _USER.c.disabled,
    )
    .select_from(_TOKEN.join(_USER, _USER.c.id == _TOKEN.c.user_id))
    .where(_TOKEN.c.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True, slots=True)
class ValidToken:
    """A token that passed every check, and the caller it speaks for, as read with it."""

    id: int
    last_used_at: datetime | None
    user_id: int
    email: str
    role: str


def check_token(*, session: Session, plain: str, now: datetime | None = None) -> ValidToken | None:
    """The token if it is known, unrevoked and unexpired and its user is active, else None.

    Every check reads the database on every call (nothing is kept between requests), so a
    revoked token, an expired one or a disabled user is refused on the very next request.
    """
    now = now or utcnow()
    row = session.connection().execute(_TOKEN_CHECK, {"token_hash": hash_token(plain)}).first()
    if row is None:
        return None
    token_id, expires_at, revoked_at, last_used_at, user_id, email, role, disabled = row
    if revoked_at or disabled or (expires_at and expires_at <= now):
        return None
    return ValidToken(token_id, last_used_at, user_id, email, role)


def note_token_use(*, session: Session, token: ValidToken, now: datetime | None = None) -> bool:
    """Write the token's last_used_at when it is older than TOKEN_TOUCH_INTERVAL; True if written.

    So a token used many times a minute costs one write a minute, not one per request.
    """
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return False
    # A plain UPDATE: usage is bookkeeping, not a change anyone audits.
    session.execute(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now))
    return True


def user_for_token(*, session: Session, plain: str, now: datetime | None = None) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to; notes the token's use."""
    found = check_token(session=session, plain=plain, now=now)
    if found is None:
        return None
    note_token_use(session=session, token=found, now=now)
    return session.get(User, found.user_id)


def register_user(
    *,
    session: Session,
    email: str,
    role: str,
    name: str | None = None,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create a user with the given password, or a generated one returned once."""
    generated = None if password else generate_password()
    user = create_user(
        session=session, email=email, role=role, name=name, password=password or generated
    )
    return user, generated


def tokens_visible_to(
    *, session: Session, actor: User, user_id: int | None = None, include_revoked: bool = False
) -> list[dict[str, Any]]:
    """The actor's own tokens; an admin sees everyone's, or one user's with user_id."""
    if user_id is None:
        owner = None if actor.role == "admin" else actor
    else:
        owner = get_user(session=session, user_id=user_id)
        may_manage_tokens_of(actor, owner)
    return list_tokens(session=session, user=owner, include_revoked=include_revoked)


def issue_token(
    *,
    session: Session,
    actor: User,
    user_id: int | None = None,
    name: str | None = None,
    expires_in_days: int | None = None,
) -> tuple[dict[str, Any], str]:
    """A new token for the actor (or, for an admin, any user): its public facts and value."""
    owner = actor if user_id is None else get_user(session=session, user_id=user_id)
    may_manage_tokens_of(actor, owner)
    token, plain = create_token(
        session=session, user=owner, name=name, expires_in_days=expires_in_days
    )
    return token_info(token, owner.email), plain


def token_visible_to(*, session: Session, actor: User, token_id: int) -> dict[str, Any]:
    """One token's public facts, if the actor may manage it."""
    token, owner = get_token(session=session, token_id=token_id)
    may_manage_tokens_of(actor, owner)
    return token_info(token, owner.email)


def revoke_token_as(*, session: Session, actor: User, token_id: int) -> None:
    """Revoke a token the actor may manage."""
    token, owner = get_token(session=session, token_id=token_id)
    may_manage_tokens_of(actor, owner)
    revoke_token(session=session, token=token, owner=owner)
