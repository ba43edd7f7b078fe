"""The activity table: facts held once for the reviews of its vendors."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel

from service.models import JSONType, utc_timestamp

STATUSES = ("active", "archived")
# The Transfer fields an activity holds for its reviews (docs/transfer-contract.md).
FACT_FIELDS = ("exporter", "data_subjects", "data_categories", "purposes", "safeguards")

_VERSION = Column("version", Integer, nullable=False)


class Activity(SQLModel, table=True):
    """A processing activity ("JusTalk app"): exporter, people, data, purposes and safeguards
    once; each vendor review in it inherits them and may override them."""

    __tablename__ = "activity"
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _VERSION}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    description: str | None = Field(default=None)
    # The shared part of the Transfer: exporter, data_subjects, data_categories, purposes,
    # safeguards (FACT_FIELDS), as the client gave them.
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    # What the privacy policy discloses (from a scan): {"vendors": [{slug, name, sentence}],
    # "data_categories": [{id, sentence}], "mechanisms": [{id, sentence}], "source": str}.
    disclosures: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    status: str = Field(default="active", max_length=20, index=True)
    created_by: str = Field(max_length=254, index=True)
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()
