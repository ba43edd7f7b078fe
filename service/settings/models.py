"""Workflow settings: one row per changed setting; an absent row means the default."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from service.models import JSONType, utc_timestamp


class Setting(SQLModel, table=True):
    """A setting's value as an admin last set it."""

    __tablename__ = "workflow_setting"

    key: str = Field(sa_column=Column(String(60), primary_key=True))
    value: Any = Field(sa_column=Column(JSONType, nullable=False))
    updated_by: str = Field(sa_column=Column(String(254), nullable=False))
    updated_at: datetime = utc_timestamp()
