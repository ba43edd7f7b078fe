"""Activity operations: keyword-only, take a session, flush, never commit.

An activity holds the shared part of its reviews' Transfer once (FACT_FIELDS). Each vendor in
it has a review (service/reviews) whose transfer is the activity's facts with the review's
own overrides merged in; changing the activity changes and re-evaluates those reviews through
`update_review`, the path a single review's change takes.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from assessments.catalog.names import name_key
from assessments.documents.checklists import OPEN
from assessments.facts import cn_window_start, tally
from assessments.types import REGIMES
from service import errors
from service.activities.models import FACT_FIELDS, Activity
from service.audit.services import record_event
from service.auth.models import User
from service.db import flush, get_row
from service.impact_assessments.models import Assessment, Checklist, ChecklistItem
from service.models import utcnow
from service.paging import Page, paginate, values_of
from service.reviews import policy as review_policy
from service.reviews import services as reviews
from service.reviews.models import OPEN_STATUSES, Review
from service.transfers.services import RuleBook, build_transfer
from service.vendors.models import Vendor

# Thresholds shown against the exporter's PRC running total (rules/cn.yaml params in force).
CN_THRESHOLD_PARAMS = (
    ("sc_nonsensitive_min", "non_sensitive", "standard contract or certification (non-sensitive)"),
    ("sa_nonsensitive_min", "non_sensitive", "CAC security assessment (non-sensitive)"),
    ("sa_sensitive_min", "sensitive", "CAC security assessment (sensitive)"),
    ("sa_total_min", "total", "CAC security assessment (all PI, Order No. 11)"),
)


_PLAIN = ("name", "description", "disclosures", "status")


@dataclass
class ActivityChange:
    """What an activity change did to its reviews."""

    activity: Activity
    updated: list[int] = field(default_factory=list)
    # Reviews whose facts now differ from the activity because they may not change (approved
    # or closed): {review id: why}.
    not_updated: dict[int, str] = field(default_factory=dict)


class ActivityView:
    """An activity with its reviews (and, after a change, what the change did)."""

    def __init__(
        self,
        activity: Activity,
        reviews: Sequence[reviews.ReviewView] = (),
        change: ActivityChange | None = None,
        review_count: int | None = None,
    ) -> None:
        self.activity = activity
        self.reviews = list(reviews)
        self.review_count = len(self.reviews) if review_count is None else review_count
        self.reviews_updated = change.updated if change else []
        kept = change.not_updated if change else {}
        self.reviews_not_updated = {str(k): v for k, v in kept.items()}


# ---------------------------------------------------------------------------- policy


def ensure_may_change(activity: Activity, user: User) -> None:
    """403 unless the user may change this activity (procurement: only the ones it filed)."""
    review_policy.ensure_may_change(activity, user, "activities")


def may_change(activity: Activity, user: User) -> bool:
    """Whether the user may change this activity (for buttons)."""
    return review_policy.may_change(activity, user)


# ---------------------------------------------------------------------------- helpers


def activity_snapshot(activity: Activity) -> dict[str, Any]:
    """An activity as plain JSON values (for audit diffs)."""
    return {
        "name": activity.name,
        "description": activity.description,
        "facts": copy.deepcopy(activity.facts),
        "disclosures": copy.deepcopy(activity.disclosures),
        "status": activity.status,
    }


def _check_facts(facts: Mapping[str, Any], day: date, rulebook: RuleBook) -> dict[str, Any]:
    """The facts as stored; 422 under `facts` for fields an activity does not hold, a missing
    exporter name or anything the Transfer contract refuses."""
    extra = sorted(set(facts) - set(FACT_FIELDS))
    if extra:
        raise errors.ValidationFailed(
            "An activity holds only the exporter, data subjects, data categories, purposes and "
            "safeguards; set the rest on a vendor's review.",
            errors={"facts": {key: ["Not an activity fact."] for key in extra}},
        )
    exporter = facts.get("exporter")
    if not isinstance(exporter, Mapping) or not name_key(str(exporter.get("name") or "")):
        raise errors.ValidationFailed(
            "An activity names its exporter.",
            errors={
                "facts": {
                    "exporter": {
                        "name": ["Name the exporter: its reviews share its PRC thresholds."]
                    }
                }
            },
        )
    # The contract checks every field; the importer is each review's vendor, so a stand-in
    # importer (the exporter's own country) only completes the object for the check.
    probe = {**facts, "importer": {"name": "-", "country": str(exporter.get("country") or "")}}
    build_transfer(data=probe, vendor=None, day=day, rulebook=rulebook, prefix=("facts",))
    return copy.deepcopy(dict(facts))


def _flush(session: Session) -> None:
    flush(session, "activity")


# ---------------------------------------------------------------------------- reads


def get_activity(*, session: Session, activity_id: int) -> Activity:
    """The activity with this id, or NotFound."""
    return get_row(session, Activity, activity_id, f"No activity {activity_id}.")


def list_activities(*, session: Session, args: Mapping[str, Any]) -> Page[Activity]:
    """Filter (status, name contains, vendor) and page the activities, newest change first."""
    statement = select(Activity)
    statuses = values_of(args, "status")
    if statuses:
        statement = statement.where(col(Activity.status).in_(statuses))
    if args.get("q"):
        statement = statement.where(col(Activity.name).ilike(f"%{args['q']}%"))
    vendors = values_of(args, "vendor")
    if vendors:
        statement = statement.where(
            col(Activity.id).in_(
                select(col(Review.activity_id))
                .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
                .where(col(Vendor.slug).in_(vendors))
            )
        )
    statement = statement.order_by(col(Activity.updated_at).desc(), col(Activity.id).desc())
    return paginate(
        session, statement, page=int(args.get("page", 1)), per_page=int(args.get("per_page", 20))
    )


def activity_reviews(*, session: Session, activity: Activity) -> list[reviews.ReviewView]:
    """The activity's reviews with their vendors, by id."""
    rows = session.execute(
        select(Review, Vendor)
        .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
        .where(col(Review.activity_id) == activity.id)
        .order_by(col(Review.id))
    ).all()
    return [reviews.ReviewView(r, v) for r, v in rows]


def list_activities_with_counts(*, session: Session, args: Mapping[str, Any]) -> Page[ActivityView]:
    """The page `list_activities` answers, each activity with how many reviews it has (one
    query for the counts of the whole page): what the API list, the CLI and the web page show."""
    page = list_activities(session=session, args=args)
    counts = _review_counts(session=session, ids=[a.id or 0 for a in page.items])
    return Page(
        [ActivityView(a, review_count=counts.get(a.id or 0, 0)) for a in page.items],
        page.total,
        page.page,
        page.per_page,
    )


def _review_counts(*, session: Session, ids: Sequence[int]) -> dict[int, int]:
    """How many reviews each of these activities has."""
    if not ids:
        return {}
    rows = session.execute(
        select(col(Review.activity_id), func.count())
        .where(col(Review.activity_id).in_(ids))
        .group_by(col(Review.activity_id))
    ).all()
    return {int(a): int(n) for a, n in rows}


# ---------------------------------------------------------------------------- writes


def create_activity(
    *, session: Session, data: Mapping[str, Any], user: User, rulebook: RuleBook, day: date
) -> Activity:
    """Create an activity (no vendors yet); 422 for facts the contract refuses."""
    review_policy.ensure_may_write(user, "activities")
    activity = Activity(
        name=data["name"],
        description=data.get("description"),
        facts=_check_facts(data["facts"], day, rulebook),
        disclosures=copy.deepcopy(dict(data.get("disclosures") or {})),
        created_by=user.email,
    )
    session.add(activity)
    _flush(session)
    record_event(
        session=session,
        action="create",
        object_type="activity",
        object_id=str(activity.id),
        after=activity_snapshot(activity),
    )
    add_vendors(
        session=session,
        activity=activity,
        items=data.get("vendors") or [],
        user=user,
        rulebook=rulebook,
        day=day,
    )
    return activity


def add_vendors(
    *,
    session: Session,
    activity: Activity,
    items: Sequence[Mapping[str, Any]],
    user: User,
    rulebook: RuleBook,
    day: date,
) -> list[reviews.ReviewView]:
    """File one review per vendor in the activity; 422 keyed vendors.<i> (nothing is kept by
    the caller's rollback) when one is refused."""
    seen: set[str] = set()
    added = []
    for index, item in enumerate(items):
        if item["vendor"] in seen:
            raise errors.ValidationFailed(
                "A vendor is listed twice.",
                errors={"vendors": {str(index): {"vendor": ["Listed twice."]}}},
            )
        seen.add(item["vendor"])
        try:
            added.append(
                add_vendor(
                    session=session,
                    activity=activity,
                    data=item,
                    user=user,
                    rulebook=rulebook,
                    day=day,
                )
            )
        except errors.DomainError as exc:
            if exc.errors:
                exc.errors = {"vendors": {str(index): exc.errors}}
            raise
    return added


def add_vendor(
    *,
    session: Session,
    activity: Activity,
    data: Mapping[str, Any],
    user: User,
    rulebook: RuleBook,
    day: date,
) -> reviews.ReviewView:
    """File a review of one vendor in the activity: its facts plus `data["transfer"]` (the
    overrides); 409 when the vendor already has an open review in it."""
    ensure_may_change(activity, user)
    if activity.status != "active":
        raise errors.Conflict("An archived activity takes no new vendors.")
    existing = session.execute(
        select(col(Review.id))
        .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
        .where(
            col(Review.activity_id) == activity.id,
            col(Vendor.slug) == data["vendor"],
            col(Review.status).in_(OPEN_STATUSES),
        )
    ).first()
    if existing is not None:
        raise errors.Conflict(
            f"{data['vendor']} already has an open review ({existing[0]}) in this activity.",
            errors={"vendor": [f"Review {existing[0]} covers it."]},
        )
    body = {"purpose": f"{activity.name}", **data}
    view = reviews.create_review(
        session=session, data=body, user=user, rulebook=rulebook, day=day, activity=activity
    )
    activity.updated_at = utcnow()
    return view


def update_activity(
    *,
    session: Session,
    activity: Activity,
    changes: Mapping[str, Any],
    user: User,
    rulebook: RuleBook,
    day: date,
) -> ActivityChange:
    """Change an activity; when its facts change, every review in it that may still change
    takes the new facts and is re-evaluated (approved and closed ones are listed as not
    updated). Nothing is written when any review refuses the new facts (422) or the user."""
    ensure_may_change(activity, user)
    report = ActivityChange(activity)
    before = activity_snapshot(activity)
    facts = activity.facts
    if "facts" in changes:
        facts = _check_facts(reviews.merge_patch(activity.facts, changes["facts"]), day, rulebook)
    plain = {k: changes[k] for k in _PLAIN if k in changes}
    if facts == activity.facts and all(getattr(activity, k) == v for k, v in plain.items()):
        return report
    if facts != activity.facts:
        views = activity_reviews(session=session, activity=activity)
        for view in views:
            review = view.review
            if review.status not in review_policy.EDITABLE:
                if review.status != "closed":
                    report.not_updated[int(review.id or 0)] = (
                        f"the review is {review.status}: its facts stay as approved until legal "
                        "reopens it (status in_review)"
                    )
                continue
            if reviews.merge_patch(facts, review.activity_overrides or {}) == review.transfer:
                continue
            reviews.update_review(
                session=session,
                review=review,
                changes={},
                user=user,
                rulebook=rulebook,
                day=day,
                activity_facts=facts,
            )
            report.updated.append(int(review.id or 0))
        # Each review was evaluated with its siblings' figures as they stood; the earlier ones
        # are evaluated once more so every one sees the others' new PRC head-counts.
        for review_id in report.updated[:-1]:
            review = reviews.get_review(session=session, review_id=review_id)
            reviews.evaluate_review(
                session=session, review=review, user=user, rulebook=rulebook, day=day
            )
    activity.facts = facts
    for key, value in plain.items():
        setattr(activity, key, copy.deepcopy(value))
    activity.updated_at = utcnow()
    _flush(session)
    record_event(
        session=session,
        action="update",
        object_type="activity",
        object_id=str(activity.id),
        before=before,
        after={**activity_snapshot(activity), "reviews_updated": report.updated},
    )
    return report


# ---------------------------------------------------------------------------- overview


def prc_running_total(
    *, session: Session, activity: Activity, rulebook: RuleBook, day: date
) -> dict[str, Any]:
    """The exporter's PRC outbound head-count over every open review of it (this activity's
    and others'), summed by the engine's tally, against the thresholds in force."""
    exporter = activity.facts.get("exporter") or {}
    key = reviews.exporter_key(str(exporter.get("name") or ""), str(exporter.get("country") or ""))
    flows = reviews.exporter_flows(session=session, exporter_key=key)
    start = cn_window_start(day)
    total = tally(flows.cn, start, day)
    mine = tally([f for f in flows.cn if flows.activity[f.ref or 0] == activity.id], start, day)
    params = rulebook.rules.active("CN", day).params
    figures = {
        "non_sensitive": total.first,
        "sensitive": total.second,
        "total": total.first + total.second,
    }
    thresholds = []
    for param, measure, label in CN_THRESHOLD_PARAMS:
        if param in params and isinstance(params[param], int):
            thresholds.append(
                {
                    "param": param,
                    "measure": measure,
                    "label": label,
                    "value": params[param],
                    "count": figures[measure],
                    "reached": figures[measure] >= params[param],
                }
            )
    return {
        "exporter": exporter.get("name"),
        "country": exporter.get("country"),
        "window_start": start.isoformat(),
        **figures,
        "activity_non_sensitive": mine.first,
        "activity_sensitive": mine.second,
        "reviews": list(total.refs),
        "thresholds": thresholds,
        "note": reviews.YTD_NOTE,
    }


def overview(
    *, session: Session, activity: Activity, rulebook: RuleBook, day: date
) -> dict[str, Any]:
    """What the activity page shows: vendors x regimes, the PRC running total, what is still
    unknown, open assessments and checklists, and policy disclosures vs reviews."""
    views = activity_reviews(session=session, activity=activity)
    heat = []
    unknown = []
    for view in views:
        regimes = (view.review.evaluation or {}).get("regimes") or {}
        heat.append(
            {
                "review": view.review.id,
                "vendor": view.vendor.slug,
                "vendor_name": view.vendor.name,
                "status": view.review.status,
                "level": view.review.overall_level,
                "cells": {
                    r: {
                        "verdict": getattr(view.review, f"{r.lower()}_verdict"),
                        "mechanism": getattr(view.review, f"{r.lower()}_mechanism"),
                        "level": (regimes.get(r) or {}).get("level"),
                        "provisional": bool((regimes.get(r) or {}).get("provisional")),
                    }
                    for r in REGIMES
                },
            }
        )
        for regime in REGIMES:
            for question in (regimes.get(regime) or {}).get("questions") or []:
                unknown.append(
                    {
                        "review": view.review.id,
                        "vendor": view.vendor.slug,
                        "regime": regime,
                        "question": question,
                    }
                )
    return {
        "heat_map": heat,
        "prc": prc_running_total(session=session, activity=activity, rulebook=rulebook, day=day),
        "unknowns": unknown,
        "open_work": open_work(session=session, review_ids=[v.review.id or 0 for v in views]),
        "disclosures": disclosure_gaps(activity, views),
    }


def open_work(*, session: Session, review_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The assessments of these reviews that are not approved, and every checklist with open
    items, per assessment."""
    if not review_ids:
        return []
    found: dict[int, dict[str, Any]] = {}
    for a in session.execute(
        select(Assessment)
        .where(col(Assessment.review_id).in_(review_ids))
        .order_by(col(Assessment.id))
    ).scalars():
        found[int(a.id or 0)] = {
            "assessment": a.id,
            "review": a.review_id,
            "kind": a.kind,
            "status": a.status,
            "checklists": [],
        }
    if not found:
        return []
    rows = session.execute(
        select(col(Checklist.assessment_id), col(Checklist.key), col(Checklist.title), func.count())
        .join(ChecklistItem, col(ChecklistItem.checklist_id) == col(Checklist.id))
        .where(col(Checklist.assessment_id).in_(found), col(ChecklistItem.status) == OPEN)
        .group_by(col(Checklist.assessment_id), col(Checklist.key), col(Checklist.title))
    ).all()
    for assessment_id, key, title, n in rows:
        found[int(assessment_id)]["checklists"].append(
            {"key": key, "title": title, "open_items": int(n)}
        )
    return [a for a in found.values() if a["status"] != "approved" or a["checklists"]]


def disclosure_gaps(activity: Activity, views: Sequence[reviews.ReviewView]) -> dict[str, Any]:
    """Policy disclosures (from a scan) against the activity's reviews: vendors reviewed but not
    disclosed, disclosed but with no review, data categories disclosed vs reviewed."""
    disclosed = activity.disclosures or {}
    if not disclosed:
        return {"scanned": False}
    said = {v["slug"]: v for v in disclosed.get("vendors") or [] if v.get("slug")}
    reviewed = {v.vendor.slug: v.vendor.name for v in views if v.review.status != "closed"}
    categories_said = {c["id"] for c in disclosed.get("data_categories") or [] if c.get("id")}
    categories_reviewed: set[str] = set()
    for view in views:
        categories_reviewed.update(view.review.transfer.get("data_categories") or [])
    return {
        "scanned": True,
        "source": disclosed.get("source"),
        "undisclosed_vendors": [
            {"slug": s, "name": n} for s, n in sorted(reviewed.items()) if s not in said
        ],
        "disclosed_without_review": [said[s] for s in sorted(said) if s not in reviewed],
        "categories_disclosed_not_reviewed": sorted(categories_said - categories_reviewed),
        "categories_reviewed_not_disclosed": sorted(categories_reviewed - categories_said),
    }
