"""Re-assessment when something changes, the history of what changed, tasks, the daily tick.

Causes: a vendor's facts changed (service/lifecycle/signals.py submits a `reassess` job from
the transaction that changed them), the rules version changed, or a date passed (a rule's
effective date, 1 January when PRC counting restarts) - both found by `tick`, which
`xborder jobs tick` runs (idempotent: it remembers the last day and rules version it saw).
Re-evaluation is reviews.services.reevaluate_open_reviews, the path of `reviews reevaluate`;
a review whose verdict changed gets a ReviewChange row (before, after, cause), a task for its
owner, a `verdict_changed` notification, and its assessments read as out of date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from service.audit.services import record_event
from service.auth.models import Actor
from service.db import flush, get_row
from service.impact_assessments.models import Assessment, AssessmentVersion
from service.jobs import PENDING_KEY
from service.jobs.models import Job
from service.jobs.services import (
    JobContext,
    Outcome,
    lost_jobs,
    purge_finished_jobs,
    submit_job,
)
from service.lifecycle import policy
from service.lifecycle.models import MAX_CAUSE, TASK_DONE, TASK_OPEN, ReviewChange, Task
from service.models import utcnow
from service.reviews.models import Review
from service.settings.models import Setting

TICK_DAY = "lifecycle.last_tick"  # workflow_setting rows the tick keeps (not user settings)
TICK_RULES = "lifecycle.rules_version"


def reassess(
    *,
    session: Session,
    actor: str,
    day: date | None,
    vendor_ids: Sequence[int] | None,
    cause_kind: str,
    cause: str,
    job_id: int | None = None,
    progress: Callable[[float], None] | None = None,
    exporter_keys: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Re-evaluate the affected open reviews; record, task and notify each changed verdict.

    With exporter_keys, only those exporters' open reviews (one batch of a `reevaluate` job).
    """
    from service.notifications.services import notify
    from service.reviews import services as reviews
    from service.transfers.services import get_rulebook, today

    rulebook = get_rulebook()
    total = max(
        1,
        reviews.count_open_reviews(
            session=session, vendor_ids=vendor_ids, exporter_keys=exporter_keys
        ),
    )
    done = [0]

    def step(count: int) -> None:
        done[0] += count
        if progress is not None:
            progress(min(done[0], total) / total * 0.95)

    report = reviews.reevaluate_open_reviews(
        session=session,
        rulebook=rulebook,
        day=day or today(),
        actor=actor,
        progress=step,
        vendor_ids=vendor_ids,
        exporter_keys=exporter_keys,
    )
    by_review: dict[int, list[Any]] = defaultdict(list)
    for change in report.changed:
        by_review[change.review_id].append(change)
    owners = dict(
        session.execute(
            select(col(Review.id), col(Review.created_by)).where(col(Review.id).in_(by_review))
        ).all()
    )
    for review_id, changes in sorted(by_review.items()):
        before = {c.regime: {"verdict": c.before[0], "mechanism": c.before[1]} for c in changes}
        after = {c.regime: {"verdict": c.after[0], "mechanism": c.after[1]} for c in changes}
        session.add(
            ReviewChange(
                review_id=review_id,
                cause_kind=cause_kind,
                cause=cause,
                job_id=job_id,
                before=before,
                after=after,
            )
        )
        words = "; ".join(f"{c.regime} {_show(c.before)} -> {_show(c.after)}" for c in changes)
        title = f"Review {review_id} ({changes[0].exporter} -> {changes[0].vendor}): {words}"
        session.add(
            Task(
                review_id=review_id,
                assignee=owners[review_id],
                kind="verdict_changed",
                title=title[:300],
                detail={"before": before, "after": after, "cause": cause},
            )
        )
        notify(
            session=session,
            event="verdict_changed",
            recipients=[owners[review_id]],
            subject=f"Verdict changed: {title}"[:200],
            text=f"{title}\nWhy: {cause}",
            data={"review": review_id, "before": before, "after": after, "cause": cause},
        )
    flush(session, "task")
    return {
        "cause": cause,
        "rules_version": report.rules_version,
        "evaluated": report.evaluated,
        "changed_reviews": sorted(by_review),
        "changed": len(report.changed),
        "failed": {str(k): v for k, v in report.failed.items()},
    }


def _show(outcome: tuple[str, str | None]) -> str:
    verdict, mechanism = outcome
    return f"{verdict} ({mechanism})" if mechanism else verdict


def reassess_job(ctx: JobContext) -> Outcome:
    """The `reassess` job: params vendor_ids (or null for all), cause_kind, cause, as_of."""
    params = ctx.params
    day = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    return Outcome(
        reassess(
            session=ctx.session,
            actor=ctx.actor,
            day=day,
            vendor_ids=params.get("vendor_ids"),
            cause_kind=params["cause_kind"],
            cause=params["cause"],
            job_id=ctx.job_id,
            progress=ctx.progress,
        )
    )


BATCH_REVIEWS = 500  # open reviews per batch job of a bulk re-evaluation


def plan_batches(groups: Sequence[tuple[str, int]], size: int) -> list[list[str]]:
    """Exporter keys packed into batches of about `size` open reviews; an exporter's reviews
    stay in one batch (their PRC head-counts are summed), however many it has."""
    batches: list[list[str]] = []
    filled = 0
    for key, count in groups:
        if not batches or filled + count > size:
            batches.append([])
            filled = 0
        batches[-1].append(key)
        filled += count
    return [batch for batch in batches if batch]


def reevaluate_job(ctx: JobContext) -> Outcome:
    """The `reevaluate` job: split the open reviews (all, or vendor_ids' exporters) into
    batches of whole exporters, one `reevaluate_batch` job each; it succeeds when they have.

    Params: cause_kind, cause, as_of, vendor_ids (optional), batch_size (optional).
    """
    from service.reviews.services import open_reviews_by_exporter

    params = ctx.params
    groups = open_reviews_by_exporter(session=ctx.session, vendor_ids=params.get("vendor_ids"))
    size = int(params.get("batch_size") or BATCH_REVIEWS)
    shared = {k: params.get(k) for k in ("as_of", "cause_kind", "cause", "vendor_ids")}
    batches = [{**shared, "exporter_keys": keys} for keys in plan_batches(groups, size)]
    result: dict[str, Any] = {
        "cause": params.get("cause"),
        "reviews": sum(count for _, count in groups),
        "evaluated": 0,
        "changed_reviews": [],
        "changed": 0,
        "failed": {},
    }
    return Outcome(result, batches=batches, batch_kind="reevaluate_batch")


def reevaluate_batch_job(ctx: JobContext) -> Outcome:
    """One batch of a `reevaluate` job: its exporters' open reviews through `reassess` (the
    bulk path of `reviews reevaluate`), in one transaction with the batch's success mark."""
    params = ctx.params
    day = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    result = reassess(
        session=ctx.session,
        actor=ctx.actor,
        day=day,
        vendor_ids=params.get("vendor_ids"),
        cause_kind=params.get("cause_kind") or "manual",
        cause=params.get("cause") or "Re-evaluation asked for.",
        job_id=params["parent"],
        progress=ctx.progress,
        exporter_keys=params["exporter_keys"],
    )
    result.pop("cause", None)
    return Outcome(result)


def list_changes(*, session: Session, review_id: int) -> list[ReviewChange]:
    """A review's verdict changes from re-assessment, newest first."""
    return list(
        session.execute(
            select(ReviewChange)
            .where(col(ReviewChange.review_id) == review_id)
            .order_by(col(ReviewChange.id).desc())
        ).scalars()
    )


def assessments_out_of_date(*, session: Session, review_id: int) -> list[int]:
    """A review's assessments whose current version predates its latest verdict change."""
    changed = session.execute(
        select(func.max(ReviewChange.at)).where(col(ReviewChange.review_id) == review_id)
    ).scalar_one_or_none()
    if changed is None:
        return []
    rows = session.execute(
        select(col(Assessment.id), func.max(AssessmentVersion.created_at))
        .join(AssessmentVersion, col(AssessmentVersion.assessment_id) == col(Assessment.id))
        .where(col(Assessment.review_id) == review_id)
        .group_by(col(Assessment.id))
    ).all()
    return sorted(int(i) for i, saved in rows if saved is None or saved < changed)


def list_tasks(
    *, session: Session, assignee: str | None = None, status: str | None = TASK_OPEN
) -> list[Task]:
    """Tasks, newest first; a person's own with assignee."""
    query = select(Task).order_by(col(Task.id).desc())
    if assignee:
        query = query.where(col(Task.assignee) == assignee)
    if status:
        query = query.where(col(Task.status) == status)
    return list(session.execute(query.limit(500)).scalars())


def complete_task(*, session: Session, task_id: int, user: Actor) -> Task:
    """Mark a task done (its assignee or an admin: policy.ensure_may_complete); audited."""
    task = get_row(session, Task, task_id, f"No task {task_id}.")
    policy.ensure_may_complete(task, user)
    if task.status != TASK_OPEN:
        return task
    task.status, task.done_at, task.done_by = TASK_DONE, utcnow(), user.email
    session.add(task)
    flush(session, "task")
    record_event(
        session=session,
        action="update",
        object_type="task",
        object_id=str(task.id),
        before={"status": TASK_OPEN},
        after={"status": TASK_DONE},
    )
    return task


def _state(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return None if row is None else row.value


def _remember(session: Session, key: str, value: Any, actor: str) -> None:
    row = session.get(Setting, key) or Setting(key=key, value=value, updated_by=actor)
    row.value, row.updated_by, row.updated_at = value, actor, utcnow()
    session.add(row)


def passed_dates(rules: Any, after: date, through: date) -> list[tuple[date, str]]:
    """The days in (after, through] on which the law changes: rule dates and 1 January."""
    found: dict[date, list[str]] = defaultdict(list)
    for rule in rules.all_rules():
        if rule.effective_from is not None and after < rule.effective_from <= through:
            found[rule.effective_from].append(f"{rule.id} takes effect")
        if rule.effective_to is not None:
            ends = rule.effective_to + timedelta(days=1)
            if after < ends <= through:
                found[ends].append(f"{rule.id} ceases to apply")
    for year in range(after.year + 1, through.year + 1):
        found[date(year, 1, 1)].append("PRC outbound counting restarts for the new year")
    return [(day, "; ".join(sorted(reasons))) for day, reasons in sorted(found.items())]


def dpf_lapses(session: Session, after: date, through: date) -> list[tuple[int, str]]:
    """Vendors with open reviews whose DPF certification lapsed in (after, through]: the day
    after its re-certification date; (vendor id, why). From then on the registry's active
    entry counts as lapsed (assessments/transfers.py, _dpf_status) until the record is
    updated."""
    from service.reviews.models import OPEN_STATUSES
    from service.vendors.models import Vendor

    reviewed = select(col(Review.vendor_id)).where(col(Review.status).in_(OPEN_STATUSES))
    found = []
    vendors = session.execute(
        select(Vendor).where(col(Vendor.id).in_(reviewed), col(Vendor.dpf).is_not(None))
    ).scalars()
    for vendor in vendors:
        dpf = vendor.dpf or {}
        due_raw = dpf.get("recertification_due") if dpf.get("status") == "active" else None
        if not due_raw or vendor.id is None:
            continue
        due = date.fromisoformat(str(due_raw))
        if after < due + timedelta(days=1) <= through:
            found.append(
                (
                    vendor.id,
                    f"{(due + timedelta(days=1)).isoformat()}: the DPF re-certification of "
                    f"{vendor.slug} ({dpf.get('entity')}) was due on {due.isoformat()}; "
                    "its certification counts as lapsed.",
                )
            )
    return sorted(found)


def _submit_for_causes(
    session: Session,
    kind: str,
    *,
    actor: str,
    day: date,
    vendor_ids: list[int] | None,
    cause_kind: str,
    causes: Sequence[str],
) -> Job:
    """A tick's `reevaluate` or `reassess` job: the open reviews of `vendor_ids` (None: all)
    on `day`'s law, its cause the `causes` in words (cut at MAX_CAUSE, as a change keeps it)."""
    job, _ = submit_job(
        session=session,
        kind=kind,
        actor=actor,
        params={
            "vendor_ids": vendor_ids,
            "as_of": day.isoformat(),
            "cause_kind": cause_kind,
            "cause": " ".join(causes)[:MAX_CAUSE],
        },
    )
    return job


def tick(*, session: Session, actor: str, day: date) -> dict[str, Any]:
    """The periodic check; running it twice on one day does nothing the second time.

    Submits one re-evaluation of every open review (a batched `reevaluate` job) when the
    rules version changed or a date passed since the last tick, one re-assessment of the
    reviews of vendors whose DPF re-certification fell due since then, deadline reminders,
    and re-sends lost jobs and notifications.
    """
    from service.lifecycle.deadlines import remind_due
    from service.notifications.services import resend_pending
    from service.transfers.services import get_rulebook

    rules = get_rulebook().rules
    causes: list[str] = []
    last_rules = _state(session, TICK_RULES)
    if last_rules is not None and last_rules != rules.version:
        causes.append(f"Rules version changed from {last_rules} to {rules.version}.")
    last_day_raw = _state(session, TICK_DAY)
    last_day = date.fromisoformat(last_day_raw) if last_day_raw else None
    passed = passed_dates(rules, last_day, day) if last_day and last_day < day else []
    causes.extend(f"{d.isoformat()}: {why}." for d, why in passed)
    job = None
    if causes:
        cause_kind = "rules_version" if last_rules not in (None, rules.version) else "date"
        job = _submit_for_causes(
            session,
            "reevaluate",
            actor=actor,
            day=day,
            vendor_ids=None,
            cause_kind=cause_kind,
            causes=causes,
        )
    lapses = dpf_lapses(session, last_day, day) if last_day and last_day < day and not job else []
    dpf_job = None
    if lapses:
        vendor_ids = sorted({vendor_id for vendor_id, _ in lapses})
        lapsed = [why for _, why in lapses]
        dpf_job = _submit_for_causes(
            session,
            "reassess",
            actor=actor,
            day=day,
            vendor_ids=vendor_ids,
            cause_kind="date",
            causes=lapsed,
        )
        causes.extend(lapsed)
    reminders = remind_due(session=session, day=day) if last_day != day else 0
    _remember(session, TICK_RULES, rules.version, actor)
    if last_day is None or last_day < day:
        _remember(session, TICK_DAY, day.isoformat(), actor)
    flush(session, "setting")
    purged = 0
    if last_day != day:  # once a day: finished jobs past the retention setting
        from flask import current_app

        days = int(current_app.config.get("JOB_RETENTION_DAYS", 30))
        purged = purge_finished_jobs(
            session=session, before=utcnow() - timedelta(days=days), actor=actor
        )
    lost = lost_jobs(session=session)
    session.info.setdefault(PENDING_KEY, []).extend(lost)  # sent again once this commits
    resent = resend_pending(session=session, actor=actor)
    return {
        "day": day.isoformat(),
        "rules_version": rules.version,
        "causes": causes,
        "reassess_job": job.id if job is not None else None,
        "dpf_lapse_job": dpf_job.id if dpf_job is not None else None,
        "reminders": reminders,
        "lost_jobs": lost,
        "notifications_resent": resent,
        "jobs_deleted": purged,
    }
