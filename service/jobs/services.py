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
from service.auth.models import User, whose
from service.jobs import PENDING_KEY
from service.jobs.models import ACTIVE, Job, JobFile
from service.models import utcnow

log = logging.getLogger(__name__)
STALE_GRACE = timedelta(seconds=60)  # a running job's heartbeat older than limit + this: lost
UNCLAIMED_AFTER = timedelta(minutes=2)  # a queued job nobody claimed this long: send again


@dataclass(frozen=True)
class Kind:
    """A kind of job: the function that does it and how long / how often it may try."""

    handler: str  # "module:function", imported when a job of this kind runs
    label: str
    time_limit: int = 600  # seconds per attempt
    max_attempts: int = 3


KINDS: dict[str, Kind] = {
    "report": Kind("service.jobs.handlers:render_report", "Render a report", 300, 3),
    "reevaluate": Kind(
        "service.lifecycle.services:reevaluate_job", "Re-evaluate open reviews (in batches)", 600, 3
    ),
    "reevaluate_batch": Kind(
        "service.lifecycle.services:reevaluate_batch_job", "Re-evaluate a batch of reviews", 1800, 3
    ),
    "reassess": Kind(
        "service.lifecycle.services:reassess_job", "Re-assess reviews after a change", 3600, 3
    ),
    "vendor_import": Kind("service.jobs.handlers:vendor_import", "Import vendors", 900, 1),
    "list_import": Kind("service.jobs.handlers:list_import", "Import an official list", 900, 1),
    "register_import": Kind(
        "service.jobs.handlers:register_import", "Import a risk register", 900, 1
    ),
    "notify": Kind("service.notifications.delivery:deliver_job", "Deliver notifications", 120, 6),
}


@dataclass
class Outcome:
    """What a job returns: a JSON result and, for a rendered file, the file.

    A job split into batches returns `batches` (one params mapping each) and `batch_kind`:
    it then waits, and succeeds when its last batch job has (finish, _settle_parent).
    """

    result: dict[str, Any] = field(default_factory=dict)
    filename: str | None = None
    media_type: str | None = None
    content: bytes | None = None
    batches: list[dict[str, Any]] | None = None
    batch_kind: str | None = None


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
    return whose(user)


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
    """Mark the job succeeded with its result, in the work's own transaction.

    A job that returned batches records one job per batch instead (in this transaction, so
    all of them or none) and waits for them; a batch job settles its parent here too.
    """
    job = session.get(Job, job_id)
    assert job is not None
    if outcome.batches:
        assert outcome.batch_kind is not None
        job.status, job.progress, job.error = "waiting", 0, None
        job.result = {**outcome.result, "batches": len(outcome.batches), "batches_done": 0}
        session.add(job)
        session.flush()  # not db.flush: see the end of this function
        for number, params in enumerate(outcome.batches, start=1):
            submit_job(
                session=session,
                kind=outcome.batch_kind,
                params={**params, "parent": job_id, "batch": number},
                actor=job.created_by,
            )
        return
    job.status, job.progress, job.result = "succeeded", 100, outcome.result
    job.error, job.finished_at = None, utcnow()
    if job.params.get("parent") is not None:
        _settle_parent(session, job)
    if outcome.content is not None:
        session.add(
            JobFile(
                job_id=job_id,
                filename=outcome.filename or f"job-{job_id}",
                media_type=outcome.media_type or "application/octet-stream",
                content=outcome.content,
            )
        )
    # A bare flush, not db.flush: whatever of the work's writes is still pending flushes here
    # too, and a write that lost to a concurrent one must stay an ordinary error, which the
    # worker retries (runtime.run_job), not become a domain error (409/412), which fails the
    # job at its first attempt.
    session.flush()


def _merge(total: dict[str, Any], part: Mapping[str, Any]) -> None:
    """Add a batch's result to its parent's: counts summed, lists and mappings joined."""
    for key, value in part.items():
        known = total.get(key)
        if isinstance(value, bool) or known is None:
            total[key] = value
        elif isinstance(value, int) and isinstance(known, int):
            total[key] = known + value
        elif isinstance(value, list) and isinstance(known, list):
            total[key] = sorted({*known, *value}) if key.endswith("_reviews") else known + value
        elif isinstance(value, dict) and isinstance(known, dict):
            total[key] = {**known, **value}
        else:
            total[key] = value


def _locked_parent(session: Session, job: Job) -> Job | None:
    """The job's parent, its row locked (PostgreSQL) so two batches settle it one at a time."""
    found: Job | None = session.execute(
        select(Job)
        .where(col(Job.id) == job.params["parent"])
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return found


def _settle_parent(session: Session, job: Job) -> None:
    """A batch succeeded: add its result to the parent's; the last one finishes the parent."""
    parent = _locked_parent(session, job)
    if parent is None:
        return
    result = dict(parent.result or {})
    outcome = dict(job.result or {})
    _merge(result, {k: v for k, v in outcome.items() if k not in ("batches", "batches_done")})
    result["batches_done"] = int(result.get("batches_done", 0)) + 1
    batches = max(1, int(result.get("batches", 1)))
    parent.result = result
    parent.heartbeat_at = utcnow()
    parent.progress = min(100, result["batches_done"] * 100 // batches)
    if parent.status == "waiting" and result["batches_done"] >= batches:
        parent.status, parent.finished_at = "succeeded", utcnow()
    session.add(parent)


def _set_failed(session: Session, job: Job, reason: str, now: datetime) -> None:
    job.status, job.error, job.finished_at, job.dedupe_key = "failed", reason[:2000], now, None
    session.add(job)
    if job.params.get("parent") is not None:  # a batch failed for good: so did its parent
        parent = _locked_parent(session, job)
        if parent is not None and parent.status == "waiting":
            batches = (parent.result or {}).get("batches", "?")
            detail = f"Batch {job.params.get('batch')} of {batches} (job {job.id}) failed: "
            _set_failed(session, parent, detail + reason, now)


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


FINISHED = ("succeeded", "failed")


def purge_finished_jobs(*, session: Session, before: datetime, actor: str) -> int:
    """Delete the jobs that finished before `before` with their files; how many. Audited as
    one event. A parent still waiting keeps its batches (they are not all finished)."""
    from sqlalchemy import delete

    from service.audit.services import record_event
    from service.db import chunks

    old = [
        int(i)
        for i in session.execute(
            select(col(Job.id)).where(col(Job.status).in_(FINISHED), col(Job.finished_at) < before)
        ).scalars()
    ]
    if not old:
        return 0
    for part in chunks(old):
        session.execute(delete(JobFile).where(col(JobFile.job_id).in_(part)))
        session.execute(delete(Job).where(col(Job.id).in_(part)))
    record_event(
        session=session,
        action="delete",
        object_type="job",
        object_id=f"finished-before-{before.date().isoformat()}",
        before={"jobs": len(old), "first": old[0], "last": old[-1]},
        after=None,
        actor=actor,
    )
    return len(old)


def count_by_status(*, session: Session) -> dict[str, int]:
    """How many jobs are in each status."""
    rows = session.execute(select(col(Job.status), func.count()).group_by(col(Job.status)))
    return {str(s): int(n) for s, n in rows}
