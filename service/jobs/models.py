"""The job table (status, progress, result or error, visible to every host) and job files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, String
from sqlmodel import Field, SQLModel

from service.models import JSONType, owned_by, utc_timestamp

# queued -> running -> succeeded | failed; running -> retrying (an error, tries left) -> running;
# a job split into batches: running -> waiting (for its batch jobs) -> succeeded | failed.
STATUSES = ("queued", "running", "retrying", "waiting", "succeeded", "failed")
ACTIVE = ("queued", "running", "retrying")  # what a worker may claim
UNFINISHED = (*ACTIVE, "waiting")


class Job(SQLModel, table=True):
    """One piece of background work: what, for whom, how far it got, and how it ended."""

    __tablename__ = "job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    # Asking twice for the same work (same report version, ...) finds this job; a failed
    # job gives its key up so the work can be asked for again.
    dedupe_key: str | None = Field(
        default=None, sa_column=Column(String(200), unique=True, nullable=True)
    )
    status: str = Field(default="queued", max_length=12, index=True)
    progress: int = 0  # percent
    attempts: int = 0
    max_attempts: int = 3
    time_limit: int = 600  # seconds one attempt may run
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    error: str | None = None
    created_by: str = Field(max_length=254, index=True)
    created_at: datetime = utc_timestamp()
    started_at: datetime | None = utc_timestamp(optional=True)
    heartbeat_at: datetime | None = utc_timestamp(optional=True)
    finished_at: datetime | None = utc_timestamp(optional=True)


class JobFile(SQLModel, table=True):
    """The file a job produced (a rendered report), kept in the database for every host."""

    __tablename__ = "job_file"

    job_id: int = owned_by("job.id", primary_key=True)
    filename: str = Field(max_length=300)
    media_type: str = Field(max_length=120)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
