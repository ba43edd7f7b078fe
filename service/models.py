"""Column types and helpers shared by every domain's SQLModel models."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

# Row ids are INTEGER columns; on PostgreSQL that is 32-bit. Ids in paths and bodies are
# validated against this, so an out-of-range id is a 404/422, never a database error.
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware datetimes, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType: Any = JSON().with_variant(JSONB(), "postgresql")


def owned_by(target: str, *, index: bool = False, primary_key: bool = False) -> Any:
    """The model field of a required integer column referencing `target` ("review.id") whose
    rows go when their owner goes (ON DELETE CASCADE); `index` adds an index on it,
    `primary_key` makes it (part of) the key: one row per owner (a user's calendar feed)."""
    return Field(
        sa_column=Column(
            Integer,
            ForeignKey(target, ondelete="CASCADE"),
            nullable=False,
            index=index or None,
            primary_key=primary_key,
        )
    )


def utc_timestamp(*, optional: bool = False) -> Any:
    """The model field of a `UTCDateTime` column: required and now by default (created_at,
    updated_at), or `optional`: NULL until set (submitted_at, finished_at)."""
    if optional:
        return Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


def jsonable(value: Any) -> Any:
    """A value with dates as ISO strings, mappings and sequences copied (for JSON columns)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value  # the common case first: no ABC check
    if isinstance(value, date):
        return value.isoformat()
    # Items that are plain JSON already are taken as they are, without a call each.
    if isinstance(value, Mapping):
        return {k: v if type(v) in _JSON_LEAVES else jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [v if type(v) in _JSON_LEAVES else jsonable(v) for v in value]
    return value


_JSON_LEAVES = frozenset({str, bool, int, float, type(None)})
