"""The audit event table; rows are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from service.models import JSONType, utc_timestamp


class AuditEvent(SQLModel, table=True):
    """One change to one object, written in the same transaction as the change."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_actor", "actor"),
        Index("ix_audit_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_timestamp()
    actor: str = Field(max_length=200)
    action: str = Field(max_length=40)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=100)
    changes: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
