"""Webhooks, per-user preferences, the outbox and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from service.models import JSONType, owned_by, utc_timestamp

EVENTS = (
    "verdict_changed",
    "approval_requested",
    "approval_decided",
    "deadline_approaching",
    "list_import_changed_facts",
)
CHANNELS = ("email", "webhook")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class Webhook(SQLModel, table=True):
    """A URL that receives Slack-compatible JSON, signed with its secret (HMAC-SHA256)."""

    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=128)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    active: bool = True
    created_by: str = Field(max_length=254)
    created_at: datetime = utc_timestamp()


class NotificationPreference(SQLModel, table=True):
    """Which events a person gets by email (no row: every event)."""

    __tablename__ = "notification_preference"

    user_id: int = owned_by("user_account.id", primary_key=True)
    email: bool = True
    events: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    updated_at: datetime = utc_timestamp()


class OutboxMessage(SQLModel, table=True):
    """A notification to deliver, written in the same transaction as the change it reports."""

    __tablename__ = "notification_outbox"

    id: int | None = Field(default=None, primary_key=True)
    event: str = Field(max_length=40, index=True)
    channel: str = Field(max_length=10)
    target: str = Field(sa_column=Column(String(2000), nullable=False))  # address or webhook id
    subject: str = Field(max_length=200)
    text: str
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = utc_timestamp()
    created_at: datetime = utc_timestamp()
    sent_at: datetime | None = utc_timestamp(optional=True)


class Delivery(SQLModel, table=True):
    """One attempt to deliver an outbox message: when, whether it worked, what came back."""

    __tablename__ = "notification_delivery"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = owned_by("notification_outbox.id", index=True)
    attempt: int
    ok: bool
    detail: str = Field(default="", max_length=2000)
    at: datetime = utc_timestamp()
