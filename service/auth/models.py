"""Users and their personal API tokens (stored hashed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel

from service.models import owned_by, utc_timestamp

ROLES = ("admin", "legal", "procurement", "viewer")
# Roles that see everyone's work (jobs, tasks); the others see their own.
OVERSEERS = frozenset({"admin", "legal"})

_USER_VERSION = Column("version", Integer, nullable=False, server_default="1")


class Actor(Protocol):
    """Who acts, as the workflow policies read it: an email and a role (a User is one)."""

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> str: ...


def whose(user: Actor, everyone: bool = True) -> str | None:
    """Whose work a list shows the user: everyone's (None) when asked for by a role that
    oversees, else the user's own (their email)."""
    return None if everyone and user.role in OVERSEERS else user.email


class User(SQLModel, table=True):
    """A person who signs in; role is one of ROLES."""

    __tablename__ = "user_account"
    # Optimistic locking for admin edits (ETag / If-Match), as on vendors.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _USER_VERSION}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    name: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=200)
    disabled: bool = False
    # Sessions carry the generation they started in; signing out, disabling the user and
    # changing the password add one, which ends every earlier session.
    session_generation: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    created_at: datetime = utc_timestamp()
    version: int = Field(default=1, sa_column=_USER_VERSION)


class ApiToken(SQLModel, table=True):
    """A personal API token: only its SHA-256 is kept; shown once at creation."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owned_by("user_account.id")
    name: str | None = Field(default=None, max_length=100)
    prefix: str = Field(max_length=12)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = utc_timestamp()
    expires_at: datetime | None = utc_timestamp(optional=True)
    revoked_at: datetime | None = utc_timestamp(optional=True)
    last_used_at: datetime | None = utc_timestamp(optional=True)
