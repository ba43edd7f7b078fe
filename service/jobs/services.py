"""Job records: submit (deduplicated), claim, progress, finish or fail; keyword-only, flush.

The work of a job runs in ONE transaction that also marks the job succeeded, so a worker
killed in the middle leaves nothing half-written: the job row still says `running`, and the
next delivery of its message (Redis re-queues an unacknowledged message; `xborder jobs tick`
re-sends jobs nobody picked up) claims it again once its heartbeat is older than its time
limit. Claiming is a compare-and-set on `attempts`, so one message delivered twice runs once.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col

from service import errors
from service.auth.models import User
from service.jobs.models import ACTIVE, Job, JobFile
from service.models import utcnow

log = logging.getLogger(__name__)
PENDING_KEY = "xborder.jobs"  # session.info: jobs to send to the broker after commit
STALE_GRACE = timedelta(seconds=60)  # a running job's heartbeat older than limit + this: lost
UNCLAIMED_AFTER = timedelta(minutes=2)  # a queued job nobody claimed this long: send again
OVERSEERS = frozenset({"admin", "legal"})  # see every job; other roles see their own


@dataclass(frozen=True)
class Kind:
    """A kind of job: the function that does it and how long / how often it may try."""

    handler: str  # "module:function", imported when a job of this kind runs
    label: str
    time_limit: int = 600  # seconds per attempt
    max_attempts: int = 3


KINDS: dict[str, Kind] = {
    "report": Kind("service.jobs.handlers:render_report", "Render a report", 300, 3),
    "reevaluate": Kind("service.jobs.handlers:reevaluate", "Re-evaluate open reviews", 3600, 3),
    "reassess": Kind(
        "service.lifecycle.services:reassess_job", "Re-assess reviews after a change", 3600, 3
    ),
    "vendor_import": Kind("service.jobs.handlers:vendor_import", "Import vendors", 900, 1),
    "list_import": Kind("service.jobs.handlers:list_import", "Import an official list", 900, 1),
    "notify": Kind("service.notifications.delivery:deliver_job", "Deliver notifications", 120, 6),
}


@dataclass
class Outcome:
    """What a job returns: a JSON result and, for a rendered file, the file."""

    result: dict[str, Any] = field(default_factory=dict)
    filename: str | None = None
    media_type: str | None = None
    content: bytes | None = None


@dataclass
class JobContext:
    """What a handler gets: its parameters, the work session, a progress callback."""

    job_id: int
    params: dict[str, Any]
    actor: str
    session: Session
    progress: Callable[[float], None]


def submit_job(
    *,
    session: Session,
    kind: str,
    params: Mapping[str, Any],
    actor: str,
    dedupe_key: str | None = None,
) -> tuple[Job, bool]:
    """Record a job to run after this transaction commits; (job, created).

    With a dedupe_key, an unfailed job with that key is returned instead (created=False).
    """
    spec = KINDS[kind]
    if dedupe_key is not None:
        existing = session.execute(
            select(Job).where(col(Job.dedupe_key) == dedupe_key)
        ).scalar_one_or_none()
        if existing is not None:
            return existing, False
    job = Job(
        kind=kind,
        params=dict(params),
        dedupe_key=dedupe_key,
        created_by=actor,
        time_limit=spec.time_limit,
        max_attempts=spec.max_attempts,
    )
    session.add(job)
    try:
        session.flush()
    except IntegrityError:  # the same work asked for at the same moment: that job
        session.rollback()
        existing = session.execute(
            select(Job).where(col(Job.dedupe_key) == dedupe_key)
        ).scalar_one_or_none()
        if existing is None:
            raise
        return existing, False
    assert job.id is not None
    session.info.setdefault(PENDING_KEY, []).append(job.id)
    return job, True


def visible_to(user: User) -> str | None:
    """Whose jobs the user sees: everyone's (None) for legal and admin, else their own."""
    return None if user.role in OVERSEERS else user.email


def get_job(*, session: Session, job_id: int, user: User | None = None) -> Job:
    """A job by id; 404 when absent, or when it is another's and `user` sees only their own."""
    job = session.get(Job, job_id)
    if job is None or (user is not None and visible_to(user) not in (None, job.created_by)):
        raise errors.NotFound(f"No job {job_id}.")
    return job


def get_job_file(*, session: Session, job: Job) -> JobFile:
    """The file a finished job produced; 409 while it runs, 404 when it makes none."""
    if job.status != "succeeded":
        raise errors.Conflict(f"Job {job.id} is {job.status}; its result is not ready.")
    stored = session.get(JobFile, job.id)
    if stored is None:
        raise errors.NotFound(f"Job {job.id} produced no file.")
    return stored


def list_jobs(
    *,
    session: Session,
    status: str | None = None,
    kind: str | None = None,
    created_by: str | None = None,
    limit: int = 50,
) -> list[Job]:
    """Jobs, newest first."""
    query = select(Job).order_by(col(Job.id).desc()).limit(limit)
    if status:
        query = query.where(col(Job.status) == status)
    if kind:
        query = query.where(col(Job.kind) == kind)
    if created_by:
        query = query.where(col(Job.created_by) == created_by)
    return list(session.execute(query).scalars())


def _is_stale(job: Job, now: datetime) -> bool:
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat < now - timedelta(seconds=job.time_limit) - STALE_GRACE


def claim(engine: Engine, job_id: int) -> Job | None:
    """Mark the job running (its own short transaction); None when it is not this run's.

    A job is claimable when queued or retrying, or running with a heartbeat older than its
    time limit (its worker died). A dead worker's job out of attempts is failed instead.
    """
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        now = utcnow()
        if job is None or job.status not in ACTIVE:
            return None
        if job.status == "running" and not _is_stale(job, now):
            return None
        if job.status == "running" and job.attempts >= job.max_attempts:
            _set_failed(
                session, job, f"The worker stopped during the job {job.attempts} times.", now
            )
            session.commit()
            return None
        claimed: Any = session.execute(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.attempts) == job.attempts)
            .values(status="running", attempts=job.attempts + 1, started_at=now, heartbeat_at=now)
        )
        session.commit()
        if claimed.rowcount != 1:  # another worker claimed it between our read and write
            return None
        session.refresh(job)
        return job


def set_progress(engine: Engine, job_id: int, percent: int) -> None:
    """Record progress and a heartbeat in a transaction of its own (best effort on SQLite).

    On SQLite the job's own work may hold the write lock; progress then waits a moment and
    is dropped rather than stall the job (the next report catches up).
    """
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA busy_timeout = 200")
            try:
                connection.execute(
                    update(Job)
                    .where(col(Job.id) == job_id, col(Job.status) == "running")
                    .values(progress=max(0, min(100, percent)), heartbeat_at=utcnow())
                )
            finally:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
    except OperationalError:
        return


def finish(session: Session, job_id: int, outcome: Outcome) -> None:
    """Mark the job succeeded with its result, in the work's own transaction."""
    job = session.get(Job, job_id)
    assert job is not None
    job.status, job.progress, job.result = "succeeded", 100, outcome.result
    job.error, job.finished_at = None, utcnow()
    if outcome.content is not None:
        session.add(
            JobFile(
                job_id=job_id,
                filename=outcome.filename or f"job-{job_id}",
                media_type=outcome.media_type or "application/octet-stream",
                content=outcome.content,
            )
        )
    session.flush()


def _set_failed(session: Session, job: Job, reason: str, now: datetime) -> None:
    job.status, job.error, job.finished_at, job.dedupe_key = "failed", reason[:2000], now, None
    session.add(job)


def record_failure(engine: Engine, job_id: int, reason: str, *, final: bool) -> None:
    """Record an attempt's error: failed for good (its dedupe key freed), or retrying."""
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        if final:
            _set_failed(session, job, reason, utcnow())
        else:
            job.status, job.error = "retrying", reason[:2000]
            session.add(job)
        session.commit()


def load_handler(kind: str) -> Callable[[JobContext], Outcome]:
    """The function that does a kind of job."""
    module, _, name = KINDS[kind].handler.partition(":")
    handler: Callable[[JobContext], Outcome] = getattr(importlib.import_module(module), name)
    return handler


def lost_jobs(*, session: Session) -> list[int]:
    """Jobs to send again: queued and never claimed for a while, or running with no heartbeat."""
    now = utcnow()
    rows = session.execute(select(Job).where(col(Job.status).in_(ACTIVE))).scalars()
    lost = []
    for job in rows:
        if job.status == "running":
            if _is_stale(job, now):
                lost.append(job.id)
        elif (job.heartbeat_at or job.created_at) < now - UNCLAIMED_AFTER:
            lost.append(job.id)
    return [i for i in lost if i is not None]


def count_by_status(*, session: Session) -> dict[str, int]:
    """How many jobs are in each status."""
    rows = session.execute(select(col(Job.status), func.count()).group_by(col(Job.status)))
    return {str(s): int(n) for s, n in rows}
