"""Assessment tables: an assessment of a review, its saved versions, its checklists and items."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from assessments.documents.checklists import OPEN
from service.models import JSONType, owned_by, utc_timestamp

STATUSES = ("draft", "in_review", "approved", "rejected")

_ASSESSMENT_VERSION = Column("version", Integer, nullable=False)
_ITEM_VERSION = Column("version", Integer, nullable=False)


class Assessment(SQLModel, table=True):
    """A PIPIA, DPIA or TIA of one review; its content lives in AssessmentVersion rows."""

    __tablename__ = "assessment"
    # Optimistic locking, as for vendors and reviews: the ETag is made from `version`.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _ASSESSMENT_VERSION}

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id"), nullable=False, index=True)
    )
    kind: str = Field(max_length=10)  # pipia | dpia | tia
    language: str = Field(default="en", max_length=5)
    status: str = Field(default="draft", max_length=20, index=True)
    current_number: int = 1  # the latest AssessmentVersion.number
    approved_number: int | None = None  # the version that was last approved (frozen)
    created_by: str = Field(max_length=254)
    submitted_by: str | None = Field(default=None, max_length=254)
    submitted_at: datetime | None = utc_timestamp(optional=True)
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = utc_timestamp(optional=True)
    decision_note: str | None = None
    version: int = Field(default=1, sa_column=_ASSESSMENT_VERSION)
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()


class AssessmentVersion(SQLModel, table=True):
    """One saved state of an assessment's document; frozen once approved."""

    __tablename__ = "assessment_version"
    __table_args__ = (UniqueConstraint("assessment_id", "number", name="uq_assessment_version"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = owned_by("assessment.id", index=True)
    number: int
    # The document as assessments.documents.build_assessment returns it, with legal's edits.
    document: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    status: str = Field(default="draft", max_length=20)  # the assessment's status at save
    frozen: bool = False
    # The checklists as they stood when this version was approved (frozen with it).
    checklists: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONType))
    note: str | None = None
    created_by: str = Field(sa_column=Column(String(254), nullable=False))
    created_at: datetime = utc_timestamp()


class Checklist(SQLModel, table=True):
    """A contract or filing checklist of an assessment (EU SCCs, China standard contract, ...)."""

    __tablename__ = "assessment_checklist"
    __table_args__ = (UniqueConstraint("assessment_id", "key", name="uq_assessment_checklist"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = owned_by("assessment.id", index=True)
    key: str = Field(max_length=40)  # eu_scc, cn_standard_contract, ...
    regime: str = Field(max_length=2)
    mechanism: str = Field(max_length=40)
    module: int | None = None
    title: str = Field(max_length=300)
    citation: str


class ChecklistItem(SQLModel, table=True):
    """One item to get done: status open / done / n.a., who, when, evidence."""

    __tablename__ = "assessment_checklist_item"
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _ITEM_VERSION}
    __table_args__ = (UniqueConstraint("checklist_id", "key", name="uq_checklist_item"),)

    id: int | None = Field(default=None, primary_key=True)
    checklist_id: int = owned_by("assessment_checklist.id", index=True)
    key: str = Field(max_length=80)  # eu_scc.clause_7, ...
    position: int
    group_name: str = Field(default="", max_length=100)
    text: str
    citation: str
    status: str = Field(default=OPEN, max_length=10)  # one of checklists.ITEM_STATUSES
    who: str | None = Field(default=None, max_length=200)
    due: str | None = Field(default=None, max_length=200)  # "when" in the API
    evidence: str | None = None
    value: str | None = None
    value_unknown: bool = False
    updated_by: str | None = Field(default=None, max_length=254)
    version: int = Field(default=1, sa_column=_ITEM_VERSION)
    updated_at: datetime = utc_timestamp()
