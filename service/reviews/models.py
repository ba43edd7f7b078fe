"""Review tables: a review with its latest evaluation, and every evaluation it ever had."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from assessments.types import REGIMES
from service.models import JSONType, owned_by, utc_timestamp

STATUSES = ("draft", "submitted", "in_review", "approved", "rejected", "closed")
# A review whose transfer is happening or planned: it counts towards its exporter's PRC
# outbound head-count and is re-evaluated when the rules change.
OPEN_STATUSES = ("draft", "submitted", "in_review", "approved")

_VERSION = Column("version", Integer, nullable=False)


class Review(SQLModel, table=True):
    """A vendor review: the transfer procurement wants to make, and what the law says of it."""

    __tablename__ = "review"
    # Optimistic locking, as for vendors: of two writers holding one version, one wins.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _VERSION}
    __table_args__ = (Index("ix_review_exporter", "exporter_key", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vendor.id"), nullable=False, index=True)
    )
    # The Transfer as the client gave it (contract JSON), without importer.vendor.
    transfer: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    # The processing activity this review belongs to (None: a stand-alone review). Its
    # transfer is then the activity's facts with activity_overrides merged in (RFC 7396).
    activity_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("activity.id"), nullable=True, index=True),
    )
    activity_overrides: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}")
    )
    # Facts the reviewer states for this review where the registry has none, each with its
    # source, who and when (assessments/catalog/asserted.py); laid over the vendor's facts.
    asserted_facts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False, server_default="[]")
    )
    exporter_name: str = Field(max_length=300)
    exporter_country: str = Field(max_length=2)
    # Folded exporter name + country: which reviews share one exporter's PRC thresholds.
    exporter_key: str = Field(max_length=310)
    requester: str = Field(max_length=254)
    business_owner: str | None = Field(default=None, max_length=200)
    purpose: str
    status: str = Field(default="draft", max_length=20, index=True)
    created_by: str = Field(max_length=254, index=True)
    # This review's own PRC outbound head-count, summed into its siblings' cn_outbound_ytd.
    cn_outbound_non_sensitive: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0)
    )
    cn_outbound_sensitive: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0)
    )
    # U.S. persons in this review, summed into the same exporter's reviews of the same vendor
    # as the DOJ rule's 12-month total per counterparty (us_prior_12m).
    us_persons: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # The latest evaluation and the facts it was computed from.
    evaluation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    cn_outbound_ytd: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    rules_version: str = Field(default="", max_length=64)
    reference_version: str = Field(default="", max_length=64)
    as_of: date = Field(sa_column=Column(Date, nullable=False))
    evaluated_at: datetime = utc_timestamp()
    evaluated_by: str = Field(max_length=254)
    evaluation_count: int = 0
    cn_verdict: str = Field(default="not_applicable", max_length=30, index=True)
    eu_verdict: str = Field(default="not_applicable", max_length=30, index=True)
    us_verdict: str = Field(default="not_applicable", max_length=30, index=True)
    cn_mechanism: str | None = Field(default=None, max_length=40)
    eu_mechanism: str | None = Field(default=None, max_length=40)
    us_mechanism: str | None = Field(default=None, max_length=40)
    overall_level: str = Field(default="low", max_length=10)
    overall_score: int = 0
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()

    def verdicts(self) -> dict[str, str]:
        """The stored verdict per regime (its `<regime>_verdict` column), in REGIMES order."""
        return {r: getattr(self, f"{r.lower()}_verdict") for r in REGIMES}


class ReviewEvaluation(SQLModel, table=True):
    """One evaluation of a review: the inputs the engine saw, its answer, when and by whom."""

    __tablename__ = "review_evaluation"
    __table_args__ = (UniqueConstraint("review_id", "seq", name="uq_review_evaluation_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = owned_by("review.id")
    seq: int
    reason: str = Field(max_length=20)  # create, update, evaluate, reevaluate
    evaluated_at: datetime = utc_timestamp()
    evaluated_by: str = Field(sa_column=Column(String(254), nullable=False))
    rules_version: str = Field(max_length=64)
    reference_version: str = Field(max_length=64)
    as_of: date = Field(sa_column=Column(Date, nullable=False))
    # The Transfer as the engine received it: registry facts and cn_outbound_ytd filled in.
    transfer: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    evaluation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
