"""The assistant's read-only lifecycle tools: what is overdue and what changed, from the records.

Deadlines come from `lifecycle.deadlines.deadlines` (the same computation as `/due` and the
review's `/deadlines`), tasks from `lifecycle.services.list_tasks` (as `/tasks`: everyone's for
legal and admin, the asker's own otherwise) and verdict changes from the `review_change` history
(as `/reviews/<id>/changes`). Whether the asker may read reviews at all is the reviews API's
decision (`may_read_reviews`), so nothing here shows more than the API would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from service.assistant.interfaces import Citation
from service.assistant.tools.base import (
    Tool,
    ToolContext,
    ToolError,
    ToolResult,
    review_citation,
)
from service.assistant.tools.reviews import may_read_reviews
from service.auth.models import whose
from service.lifecycle import deadlines as lifecycle_deadlines
from service.lifecycle import services as lifecycle
from service.lifecycle.models import ReviewChange
from service.reviews.models import Review
from service.vendors.models import Vendor

CHANGE_LIMIT = 50


def month_before(day: date) -> date:
    """The same day a month earlier (31 March -> 28/29 February)."""
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _reviews(ctx: ToolContext, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Vendor and exporter of these reviews, for the answer and its citations."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = ctx.session.execute(
        select(Review, Vendor)
        .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
        .where(col(Review.id).in_(wanted))
    ).all()
    return {
        int(r.id): {
            "id": r.id,
            "status": r.status,
            "vendor": {"slug": v.slug, "name": v.name},
            "exporter": {"name": r.exporter_name, "country": r.exporter_country},
        }
        for r, v in rows
    }


def _cite(reviews: Mapping[int, dict[str, Any]]) -> tuple[Citation, ...]:
    return tuple(
        review_citation(rid, f"Review {rid}: {r['vendor']['name']} for {r['exporter']['name']}")
        for rid, r in sorted(reviews.items())
    )


def list_overdue(ctx: ToolContext, args: Mapping[str, Any]) -> ToolResult:
    """Deadlines of open reviews that have passed, and open tasks past their due date."""
    if not may_read_reviews(ctx.asker.role):
        return ToolResult({"scope": "none", "today": ctx.today.isoformat(), "deadlines": []})
    late = [
        d
        for d in lifecycle_deadlines.deadlines(session=ctx.session, today=ctx.today)
        if d.due < ctx.today
    ]
    assignee = whose(ctx.asker)  # as GET /tasks?mine=false: None for everyone's
    tasks = [
        t
        for t in lifecycle.list_tasks(session=ctx.session, assignee=assignee)
        if t.due is not None and t.due < ctx.today
    ]
    reviews = _reviews(ctx, [d.review_id for d in late] + [t.review_id for t in tasks])
    data = {
        "scope": "all",
        "today": ctx.today.isoformat(),
        "tasks_scope": "everyone" if assignee is None else "yours",
        "deadlines": [
            {
                "review": reviews[d.review_id],
                "key": d.key,
                "title": d.title,
                "due": d.due.isoformat(),
                "days_late": (ctx.today - d.due).days,
                "owner": d.owner,
                "basis": d.basis,
                "citation": d.citation,
            }
            for d in late
            if d.review_id in reviews
        ],
        "tasks": [
            {
                "id": t.id,
                "review": reviews[t.review_id],
                "title": t.title,
                "due": t.due.isoformat() if t.due else None,
                "days_late": (ctx.today - t.due).days if t.due else 0,
                "assignee": t.assignee,
            }
            for t in sorted(tasks, key=lambda t: (t.due or ctx.today, t.id or 0))
            if t.review_id in reviews
        ],
    }
    return ToolResult(data, _cite(reviews))


def _since(args: Mapping[str, Any], today: date) -> date:
    value = args.get("since")
    if not value:
        return month_before(today)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ToolError(f"since: {value} is not a date") from exc


def list_changes_since(ctx: ToolContext, args: Mapping[str, Any]) -> ToolResult:
    """Verdict changes recorded by re-assessment since a day (default: a month ago)."""
    since = _since(args, ctx.today)
    if not may_read_reviews(ctx.asker.role):
        return ToolResult({"scope": "none", "since": since.isoformat(), "changes": []})
    start = datetime.combine(since, time.min, tzinfo=UTC)
    query = select(ReviewChange).where(col(ReviewChange.at) >= start)
    total = len(ctx.session.execute(query.with_only_columns(col(ReviewChange.id))).all())
    rows = list(
        ctx.session.execute(
            query.order_by(col(ReviewChange.at).desc(), col(ReviewChange.id).desc()).limit(
                int(args.get("limit", CHANGE_LIMIT))
            )
        ).scalars()
    )
    reviews = _reviews(ctx, [c.review_id for c in rows])
    data = {
        "scope": "all",
        "since": since.isoformat(),
        "total": total,
        "changes": [
            {
                "id": c.id,
                "review": reviews[c.review_id],
                "at": c.at.date().isoformat(),
                "cause_kind": c.cause_kind,
                "cause": c.cause,
                "regimes": [
                    {"regime": code, "before": c.before.get(code), "after": c.after.get(code)}
                    for code in sorted(set(c.before) | set(c.after))
                    if c.before.get(code) != c.after.get(code)
                ],
            }
            for c in rows
            if c.review_id in reviews
        ],
    }
    return ToolResult(data, _cite(reviews))


def lifecycle_tools() -> list[Tool]:
    """The list_overdue and list_changes_since tools."""
    return [
        Tool(
            "list_overdue",
            {"type": "object", "properties": {}, "additionalProperties": False},
            lambda ctx, a: list_overdue(ctx, a),
        ),
        Tool(
            "list_changes_since",
            {
                "type": "object",
                "properties": {
                    "since": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": CHANGE_LIMIT},
                },
                "additionalProperties": False,
            },
            lambda ctx, a: list_changes_since(ctx, a),
        ),
    ]
