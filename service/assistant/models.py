"""Assistant tables: a user's conversations and their messages, with the citations kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from service.models import JSONType, owned_by, utc_timestamp


class Conversation(SQLModel, table=True):
    """A conversation of one user with the assistant; only that user may read or delete it."""

    __tablename__ = "assistant_conversation"
    __table_args__ = (Index("ix_assistant_conversation_user", "user_id", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = owned_by("user_account.id")
    title: str = Field(max_length=200)
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()


class Message(SQLModel, table=True):
    """A question or an answer; answers keep their citations, back end and any notice."""

    __tablename__ = "assistant_message"
    __table_args__ = (Index("ix_assistant_message_conversation", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = owned_by("assistant_conversation.id")
    role: str = Field(max_length=10)  # user | assistant
    content: str = Field(sa_column=Column(Text, nullable=False))
    citations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    backend: str | None = Field(default=None, max_length=20)
    notice: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = utc_timestamp()
