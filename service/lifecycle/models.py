"""Review change history (what changed and why) and tasks for reviews' owners."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, String
from sqlmodel import Field, SQLModel

from service.models import JSONType, owned_by, utc_timestamp

CAUSES = ("vendor_fact", "rules_version", "date", "manual")
MAX_CAUSE = 4000  # a cause in words (every vendor or date it names) is cut at this length
TASK_OPEN = "open"  # a task still to do
TASK_DONE = "done"  # closed by its assignee or an admin (service.lifecycle.policy)
TASK_STATUSES = (TASK_OPEN, TASK_DONE)


class ReviewChange(SQLModel, table=True):
    """A re-assessment that changed a review's verdict: before, after, and the cause."""

    __tablename__ = "review_change"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = owned_by("review.id", index=True)
    cause_kind: str = Field(max_length=20)  # one of CAUSES
    cause: str  # in words: which vendor fact, which rules version, which date (MAX_CAUSE)
    job_id: int | None = None
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    at: datetime = utc_timestamp()


class Task(SQLModel, table=True):
    """Something a person must do about a review (look at a changed verdict, ...)."""

    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = owned_by("review.id", index=True)
    assignee: str = Field(max_length=254, index=True)
    kind: str = Field(max_length=30)  # verdict_changed
    title: str = Field(max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    status: str = Field(default=TASK_OPEN, max_length=10, index=True)  # one of TASK_STATUSES
    due: date | None = Field(default=None, sa_column=Column(Date))
    created_at: datetime = utc_timestamp()
    done_at: datetime | None = utc_timestamp(optional=True)
    done_by: str | None = Field(default=None, max_length=254)


DATE_KEYS = (
    "approved",  # the review's transfer was approved: renewal by risk level
    "cac_assessment_issued",  # CAC security-assessment result issued: valid 3 years
    "standard_contract_effective",  # PRC standard contract took effect: file in 10 working days
    "doj_program_start",  # DOJ data compliance program in place: annual audit + certification
    "ccpa_risk_assessment",  # CCPA risk assessment completed: review every 3 years
)


class ReviewDate(SQLModel, table=True):
    """A date entered for a review that a deadline is computed from."""

    __tablename__ = "review_date"

    review_id: int = owned_by("review.id", primary_key=True)
    key: str = Field(sa_column=Column(String(40), primary_key=True))
    value: date = Field(sa_column=Column(Date, nullable=False))
    set_by: str = Field(max_length=254)
    set_at: datetime = utc_timestamp()


class CalendarFeed(SQLModel, table=True):
    """A person's iCalendar feed secret (hash stored); revoking deletes the row."""

    __tablename__ = "calendar_feed"

    user_id: int = owned_by("user_account.id", primary_key=True)
    secret_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = utc_timestamp()
