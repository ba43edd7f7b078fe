"""Review operations: keyword-only, take a session, flush, never commit.

A review stores the Transfer as the client gave it (without importer.vendor, which is the
review's vendor) and is evaluated on every change, on demand and by `xborder reviews
reevaluate`; each evaluation is kept in review_evaluation with the Transfer the engine saw.

PRC thresholds count per exporter since 1 January, so unless the client declares
exporter.cn_outbound_ytd, a review's evaluation adds the PRC outbound head-counts of the same
exporter's other open reviews. That sum is an upper bound: one person in two reviews counts
twice. An exporter that knows its de-duplicated figures declares them instead.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from assessments.catalog.asserted import is_pending, load_assertion, with_assertions
from assessments.catalog.names import name_key
from assessments.engine import cn_outbound_contribution, evaluate
from assessments.facts import Flow, cn_window_start, dsp_window_start, tally, us_headcount
from assessments.transfers import evaluation_to_dict, transfer_to_dict
from assessments.types import REGIMES, OutboundYtd, Transfer
from service import errors
from service.activities.models import Activity
from service.audit.services import Change, record_event, record_events
from service.auth.models import User
from service.db import flush, get_row, table_of
from service.models import jsonable, utcnow
from service.paging import Page, paginate, sort_order, values_of
from service.reviews import policy
from service.reviews.models import OPEN_STATUSES, Review, ReviewEvaluation
from service.transfers.services import (
    RuleBook,
    build_transfer,
    find_vendor,
    merge_warnings,
)
from service.vendors.models import Vendor
from service.vendors.services import vendor_snapshot

# More people than live on Earth is a typo, not a transfer (and would overflow the sums).
MAX_PEOPLE = 10_000_000_000
YTD_LISTED = 100  # ids of summed reviews shown; the count is always complete
YTD_NOTE = (
    "Sum of the PRC outbound head-counts of this exporter's other open reviews; an upper bound, "
    "since one person in two reviews counts twice. Declare exporter.cn_outbound_ytd with "
    "de-duplicated figures to override."
)
_CONTENT_FIELDS = ("requester", "business_owner", "purpose")


class ReviewView:
    """A review with its registry vendor, and what the API shows beside the review's columns."""

    def __init__(self, review: Review, vendor: Vendor) -> None:
        self.review = review
        self.vendor = vendor

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Warnings about the vendor (sunset, licence revoked, sanctioned, archived)."""
        return merge_warnings(self.vendor, self.review.evaluation or {})

    @property
    def asserted(self) -> list[dict[str, Any]]:
        """The user-asserted facts, each with `applies` (False once the registry has it)."""
        return asserted_facts_view(self.review, self.vendor)

    @property
    def pending(self) -> list[dict[str, Any]]:
        """The asserted facts awaiting legal's confirmation, each with its `index`."""
        stated = self.review.asserted_facts or []
        return [{**a, "index": i} for i, a in enumerate(stated) if is_pending(a)]


def asserted_facts_view(review: Review, vendor: Vendor) -> list[dict[str, Any]]:
    """A review's asserted facts as stored, each with whether it applies to the evaluation."""
    _facts, applies = with_assertions(vendor_snapshot(vendor), review.asserted_facts or [])
    stated = review.asserted_facts or []
    return [{**a, "applies": ok} for a, ok in zip(stated, applies, strict=True)]


def _asserted(
    raw: Sequence[Any],
    user: User,
    day: date,
    previous: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Checked assertions as stored (JSON values); 422 keyed asserted_facts.<i>.<field>.

    A fact already stored (same fact, value and source) keeps its state, so resubmitting
    neither confirms nor unconfirms it. A new fact stated by a user who may not decide
    (procurement) is stored `pending` and decides nothing until legal confirms it."""
    found: list[dict[str, Any]] = []
    problems: dict[str, Any] = {}
    for index, item in enumerate(raw):
        try:
            loaded = jsonable(load_assertion(item, by=user.email, on=day))
        except ValidationError as exc:
            problems[str(index)] = exc.messages
            continue
        same = next((p for p in previous if _same_assertion(p, loaded)), None)
        if same is not None:
            kept = ("asserted_by", "asserted_at", "pending", "confirmed_by", "confirmed_at")
            loaded.update({k: same[k] for k in kept if k in same})
        else:
            # A new statement is the caller's, whatever the body says about who made it.
            loaded.update({"asserted_by": user.email, "asserted_at": day.isoformat()})
            if not policy.may_confirm_facts(user):
                loaded["pending"] = True
        found.append(loaded)
    if problems:
        raise errors.ValidationFailed(
            "A stated fact is invalid; see errors.", errors={"asserted_facts": problems}
        )
    return found


def _same_assertion(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same statement: fact, value and source."""
    return all(a.get(k) == b.get(k) for k in ("fact", "value", "source_url"))


def _vendor_for_review(vendor: Vendor, asserted: Sequence[Mapping[str, Any]]) -> Any:
    """The registry vendor, or with asserted facts laid over the facts it lacks."""
    if not asserted:
        return vendor
    facts, _applies = with_assertions(vendor_snapshot(vendor), asserted)
    return facts


@dataclass(frozen=True)
class VerdictChange:
    """A regime whose verdict or mechanism changed on re-evaluation."""

    review_id: int
    vendor: str
    exporter: str
    regime: str
    before: tuple[str, str | None]
    after: tuple[str, str | None]


@dataclass
class ReevaluationReport:
    """What `reviews reevaluate` did: how many it evaluated, what changed, what failed."""

    rules_version: str
    evaluated: int = 0
    changed: list[VerdictChange] = field(default_factory=list)
    failed: dict[int, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- helpers


def exporter_key(name: str, country: str) -> str:
    """Which reviews share one exporter's PRC thresholds: country plus the folded name."""
    return f"{country}:{name_key(name)}"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, null removes a key, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def review_snapshot(review: Review, vendor_slug: str) -> dict[str, Any]:
    """A review's facts as plain JSON values (for audit diffs)."""
    return {
        "vendor": vendor_slug,
        "transfer": copy.deepcopy(review.transfer),
        "asserted_facts": copy.deepcopy(review.asserted_facts or []),
        "activity": review.activity_id,
        "activity_overrides": copy.deepcopy(review.activity_overrides or {}),
        "requester": review.requester,
        "business_owner": review.business_owner,
        "purpose": review.purpose,
        "status": review.status,
        **_verdict_summary(review),
    }


_SUMMARY_COLUMNS = (
    *(f"{r.lower()}_{part}" for r in REGIMES for part in ("verdict", "mechanism")),
    "rules_version",
    "as_of",
)


def _verdict_summary(review: Review) -> dict[str, Any]:
    return _summary({name: getattr(review, name) for name in _SUMMARY_COLUMNS})


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """A review's verdicts, mechanisms, rules version and date of law, from its columns (a
    Review's, a bulk-read row's or freshly evaluated ones), for audit diffs."""
    as_of = row["as_of"]
    return {
        "verdicts": {r: row[f"{r.lower()}_verdict"] for r in REGIMES},
        "mechanisms": {r: row[f"{r.lower()}_mechanism"] for r in REGIMES},
        "rules_version": row["rules_version"],
        "as_of": as_of.isoformat() if as_of else None,
    }


def _flush(session: Session, stale: type[errors.DomainError] = errors.PreconditionFailed) -> None:
    flush(session, "review", stale=stale)


def _review_transfer(data: Mapping[str, Any], vendor_slug: str) -> dict[str, Any]:
    """The Transfer to store: the client's, without importer.vendor (the review's vendor)."""
    stored = copy.deepcopy(dict(data))
    importer = stored.get("importer")
    if isinstance(importer, Mapping) and "vendor" in importer:
        if importer["vendor"] not in (None, vendor_slug):
            raise errors.ValidationFailed(
                "The transfer names another vendor than the review.",
                errors={
                    "transfer": {
                        "importer": {
                            "vendor": [
                                "Set the vendor with the review's `vendor` field, "
                                "not inside the transfer."
                            ]
                        }
                    }
                },
            )
        stored["importer"] = {k: v for k, v in importer.items() if k != "vendor"}
        if not stored["importer"]:
            del stored["importer"]
    return stored


def _resolve(
    data: Mapping[str, Any],
    vendor: Vendor,
    day: date,
    rulebook: RuleBook,
    asserted: Sequence[Mapping[str, Any]] = (),
) -> Transfer:
    """The stored transfer with registry facts (and the review's asserted facts where the
    registry has none) filled in, parsed; 422 under `transfer`."""
    with_vendor = dict(data)
    importer = with_vendor.get("importer", {})
    if isinstance(importer, Mapping):
        with_vendor["importer"] = {**importer, "vendor": vendor.slug}
    transfer = build_transfer(
        data=with_vendor,
        vendor=_vendor_for_review(vendor, asserted),
        day=day,
        rulebook=rulebook,
        prefix=("transfer",),
    )
    too_many = {
        str(i): {"count": [f"At most {MAX_PEOPLE:,} people."]}
        for i, group in enumerate(transfer.data_subjects)
        if group.count > MAX_PEOPLE
    }
    if too_many:
        raise errors.ValidationFailed(
            "The transfer has invalid fields; see errors.",
            errors={"transfer": {"data_subjects": too_many}},
        )
    if not transfer.exporter.name or not name_key(transfer.exporter.name):
        raise errors.ValidationFailed(
            "A review names its exporter.",
            errors={
                "transfer": {
                    "exporter": {
                        "name": [
                            "Name the exporter: reviews of one exporter share its PRC thresholds."
                        ]
                    }
                }
            },
        )
    return transfer


@dataclass(frozen=True)
class ExporterFlows:
    """An exporter's open reviews as flows (Flow.ref: the review id): PRC head-counts, U.S.
    persons per vendor, and the activity each review belongs to."""

    cn: list[Flow]
    us: dict[int, list[Flow]]  # per vendor (counterparty) id
    # review id -> activity id (exporter_flows fills it; the evaluation does not read it)
    activity: dict[int, int | None] = field(default_factory=dict)


def exporter_flows(
    *, session: Session, exporter_key: str, excluding: int | None = None
) -> ExporterFlows:
    """The flows of the exporter's open reviews with a head-count, but the one `excluding`:
    what its PRC and DOJ running totals are summed from (facts.tally)."""
    # No autoflush: the review being changed is flushed once, by the caller (412 on a stale one).
    with session.no_autoflush:
        rows = session.execute(
            select(
                col(Review.id),
                col(Review.as_of),
                col(Review.cn_outbound_non_sensitive),
                col(Review.cn_outbound_sensitive),
                col(Review.us_persons),
                col(Review.vendor_id),
                col(Review.activity_id),
            )
            .where(
                col(Review.exporter_key) == exporter_key,
                col(Review.status).in_(OPEN_STATUSES),
                col(Review.id) != (excluding or 0),
                or_(
                    col(Review.cn_outbound_non_sensitive) > 0,
                    col(Review.cn_outbound_sensitive) > 0,
                    col(Review.us_persons) > 0,
                ),
            )
            .order_by(col(Review.id))
        ).all()
    flows = ExporterFlows([], defaultdict(list))
    for rid, day, non, sen, us, vendor_id, activity_id in rows:
        if non or sen:
            flows.cn.append(Flow(day, int(non), int(sen), int(rid)))
        if us:
            flows.us[int(vendor_id)].append(Flow(day, int(us), 0, int(rid)))
        flows.activity[int(rid)] = activity_id
    return flows


def _with_totals(
    transfer: Transfer, raw: Mapping[str, Any], siblings: ExporterFlows, vendor_id: int
) -> tuple[Transfer, dict[str, Any]]:
    """Fill exporter.cn_outbound_ytd (the PRC counting window of the law in force) and
    us_prior_12m (the DOJ rule's 12 months, same counterparty) from the exporter's other open
    reviews, unless the client declared them."""
    on = transfer.as_of
    us_declared = "us_prior_12m" in raw
    if not us_declared:
        us = tally(siblings.us.get(vendor_id, []), dsp_window_start(on), on)
        if us.first:
            transfer = replace(transfer, us_prior_12m=us.first)
    declared = transfer.exporter.cn_outbound_ytd
    if declared is not None:
        return transfer, {
            "non_sensitive": declared.non_sensitive,
            "sensitive": declared.sensitive,
            "source": "declared",
            "reviews": [],
            "review_count": 0,
            "note": None,
            "window_start": cn_window_start(on).isoformat(),
        }
    cn = tally(siblings.cn, cn_window_start(on), on)
    if transfer.exporter.country != "CN" and not cn.refs:
        return transfer, {
            "non_sensitive": 0,
            "sensitive": 0,
            "source": "none",
            "reviews": [],
            "review_count": 0,
            "note": "The exporter is not in mainland China.",
            "window_start": cn_window_start(on).isoformat(),
        }
    filled = replace(
        transfer,
        exporter=replace(
            transfer.exporter,
            cn_outbound_ytd=OutboundYtd(non_sensitive=cn.first, sensitive=cn.second),
        ),
    )
    return filled, {
        "non_sensitive": cn.first,
        "sensitive": cn.second,
        "source": "other_reviews",
        "reviews": list(cn.refs[:YTD_LISTED]),
        "review_count": len(cn.refs),
        "note": YTD_NOTE,
        "window_start": cn_window_start(on).isoformat(),
    }


def _evaluation_columns(
    transfer: Transfer,
    resolved: Transfer,
    ytd_info: dict[str, Any],
    rulebook: RuleBook,
    actor: str,
    count: int,
) -> dict[str, Any]:
    """Evaluate `transfer` (running totals filled in); the review columns that hold the result
    (count = evaluations so far). The review's own contribution to its siblings' totals is
    counted on `resolved`, the transfer without the siblings' figures."""
    result = evaluate(transfer, rulebook.rules, rulebook.reference)
    own = cn_outbound_contribution(
        resolved, rulebook.rules, rulebook.reference, result.regime("CN")
    )
    columns: dict[str, Any] = {
        "evaluation": evaluation_to_dict(result),
        "cn_outbound_ytd": ytd_info,
        "cn_outbound_non_sensitive": own[0],
        "cn_outbound_sensitive": own[1],
        "us_persons": us_headcount(resolved),
        "rules_version": result.rules_version,
        "reference_version": rulebook.reference.version,
        "as_of": result.as_of,
        "evaluated_at": utcnow(),
        "evaluated_by": actor,
        "evaluation_count": count + 1,
        "overall_level": result.overall.level,
        "overall_score": result.overall.score,
    }
    for regime in result.regimes:
        key = regime.regime.lower()
        columns[f"{key}_verdict"] = regime.verdict
        columns[f"{key}_mechanism"] = regime.mechanism
    return columns


@dataclass(frozen=True)
class _Evaluated:
    """One evaluation of a review: the columns that hold it and its history row."""

    columns: dict[str, Any]
    history: dict[str, Any]


def _evaluate(
    resolved: Transfer,
    raw: Mapping[str, Any],
    siblings: ExporterFlows,
    *,
    review_id: int | None,
    vendor_id: int,
    count: int,
    rulebook: RuleBook,
    actor: str,
    reason: str,
) -> _Evaluated:
    """Evaluate a review's resolved Transfer with its exporter's other reviews' totals: the
    one path of a single evaluation and of every review of a bulk re-evaluation."""
    filled, info = _with_totals(resolved, raw, siblings, vendor_id)
    columns = _evaluation_columns(filled, resolved, info, rulebook, actor, count)
    history = {
        "review_id": review_id,
        "seq": columns["evaluation_count"],
        "reason": reason,
        "evaluated_at": columns["evaluated_at"],
        "evaluated_by": actor,
        "rules_version": columns["rules_version"],
        "reference_version": columns["reference_version"],
        "as_of": columns["as_of"],
        "transfer": transfer_to_dict(filled),
        "evaluation": columns["evaluation"],
    }
    return _Evaluated(columns, history)


def _evaluate_review(
    session: Session,
    review: Review,
    vendor: Vendor,
    *,
    rulebook: RuleBook,
    day: date,
    actor: str,
    reason: str,
    transfer: Transfer | None = None,
) -> None:
    """Evaluate a review in place (its id may still be None) and queue the history row."""
    resolved = transfer or _resolve(
        review.transfer, vendor, day, rulebook, review.asserted_facts or []
    )
    evaluated = _evaluate(
        resolved,
        review.transfer,
        exporter_flows(session=session, exporter_key=review.exporter_key, excluding=review.id),
        review_id=review.id,
        vendor_id=review.vendor_id,
        count=review.evaluation_count or 0,
        rulebook=rulebook,
        actor=actor,
        reason=reason,
    )
    for name, value in evaluated.columns.items():
        setattr(review, name, value)
    if review.id is None:
        session.add(review)
        _flush(session)
    session.add(ReviewEvaluation(**{**evaluated.history, "review_id": review.id}))


# ---------------------------------------------------------------------------- reads


def get_review(*, session: Session, review_id: int) -> Review:
    """The review with this id, or NotFound."""
    return get_row(session, Review, review_id, f"No review {review_id}.")


def view_review(*, session: Session, review: Review) -> ReviewView:
    """A review with its vendor."""
    vendor = session.get(Vendor, review.vendor_id)
    assert vendor is not None  # vendor_id is a foreign key; vendors are archived, never deleted
    return ReviewView(review, vendor)


def get_review_view(*, session: Session, review_id: int) -> ReviewView:
    """The review with this id and its vendor, or NotFound."""
    return view_review(session=session, review=get_review(session=session, review_id=review_id))


_SORT_COLUMNS: dict[str, Any] = {
    "created_at": Review.created_at,
    "updated_at": Review.updated_at,
    "overall_score": Review.overall_score,
    "id": Review.id,
}


def _filters(args: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """Every filter must hold; a filter with several values: any of them."""
    conditions: list[ColumnElement[bool]] = []
    statuses = values_of(args, "status")
    if statuses:
        conditions.append(col(Review.status).in_(statuses))
    if args.get("vendor"):
        conditions.append(col(Vendor.slug) == args["vendor"])
    for regime in REGIMES:
        verdicts = values_of(args, f"{regime.lower()}_verdict")
        if verdicts:
            conditions.append(col(getattr(Review, f"{regime.lower()}_verdict")).in_(verdicts))
    for name in ("verdict", "mechanism"):
        values = values_of(args, name)
        if values:
            conditions.append(
                or_(*(col(getattr(Review, f"{r.lower()}_{name}")).in_(values) for r in REGIMES))
            )
    activities = values_of(args, "activity")
    if activities:
        conditions.append(col(Review.activity_id).in_(activities))
    if args.get("exporter"):
        key = name_key(args["exporter"])
        conditions.append(col(Review.exporter_key).like(f"%:{key}%"))
    return conditions


_VENDOR_JOIN = (Vendor, col(Vendor.id) == col(Review.vendor_id))


def list_reviews(*, session: Session, args: Mapping[str, Any]) -> Page[ReviewView]:
    """Filter, sort and page the reviews."""
    page, per_page = int(args.get("page", 1)), int(args.get("per_page", 20))
    sort = args.get("sort") or "-updated_at"
    order = sort_order(sort, _SORT_COLUMNS)
    statement = (
        select(Review, Vendor)
        .join(*_VENDOR_JOIN)
        .where(*_filters(args))
        .order_by(order, col(Review.id))
    )
    return paginate(
        session,
        statement,
        page=page,
        per_page=per_page,
        scalars=False,
        wrap=lambda row: ReviewView(row[0], row[1]),
    )


COUNT_KEYS: dict[str, Any] = {
    "status": col(Review.status),
    "vendor": col(Vendor.slug),
    "vendor_name": col(Vendor.name),
    **{f"{r.lower()}_verdict": col(getattr(Review, f"{r.lower()}_verdict")) for r in REGIMES},
}


def count_reviews(
    *, session: Session, args: Mapping[str, Any], by: tuple[str, ...]
) -> list[tuple[tuple[Any, ...], int]]:
    """How many reviews the filters select, per combination of the `by` keys (COUNT_KEYS),
    in one GROUP BY query: [((key values...), count), ...]."""
    columns = [COUNT_KEYS[key] for key in by]
    rows = session.execute(
        select(*columns, func.count())
        .select_from(Review)
        .join(*_VENDOR_JOIN)
        .where(*_filters(args))
        .group_by(*columns)
    ).all()
    return [(tuple(row[:-1]), int(row[-1])) for row in rows]


def list_evaluations(
    *, session: Session, review: Review, page: int = 1, per_page: int = 20
) -> Page[ReviewEvaluation]:
    """A review's evaluations, newest first."""
    statement = (
        select(ReviewEvaluation)
        .where(col(ReviewEvaluation.review_id) == review.id)
        .order_by(col(ReviewEvaluation.seq).desc())
    )
    return paginate(session, statement, page=page, per_page=per_page)


# ---------------------------------------------------------------------------- writes


def activity_transfer(activity: Activity, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A review's transfer in an activity: the activity's facts with its overrides merged in."""
    merged: dict[str, Any] = merge_patch(activity.facts, overrides)
    return merged


def create_review(
    *,
    session: Session,
    data: Mapping[str, Any],
    user: User,
    rulebook: RuleBook,
    day: date,
    activity: Activity | None = None,
) -> ReviewView:
    """File a review and evaluate it; 422 for an unknown vendor or an invalid transfer.

    In an activity, `data["transfer"]` holds the review's overrides of the activity's facts."""
    vendor = find_vendor(session=session, slug=data["vendor"], field=("vendor",))
    overrides: dict[str, Any] = {}
    if activity is not None:
        overrides = _review_transfer(data.get("transfer") or {}, vendor.slug)
        stored = _review_transfer(activity_transfer(activity, overrides), vendor.slug)
    else:
        stored = _review_transfer(data["transfer"], vendor.slug)
    asserted = _asserted(data.get("asserted_facts") or [], user, day)
    transfer = _resolve(stored, vendor, day, rulebook, asserted)
    exporter = transfer.exporter
    assert vendor.id is not None and exporter.name is not None
    review = Review(
        vendor_id=vendor.id,
        transfer=stored,
        exporter_name=exporter.name,
        exporter_country=exporter.country,
        exporter_key=exporter_key(exporter.name, exporter.country),
        requester=data.get("requester") or user.email,
        business_owner=data.get("business_owner"),
        purpose=data["purpose"],
        status=data.get("status", "draft"),
        created_by=user.email,
        as_of=transfer.as_of,
        evaluated_by=user.email,
        asserted_facts=asserted,
        activity_id=activity.id if activity is not None else None,
        activity_overrides=overrides,
    )
    _evaluate_audited(
        session,
        review,
        vendor,
        rulebook=rulebook,
        day=day,
        user=user,
        action="create",
        before=None,
        transfer=transfer,
    )
    return ReviewView(review, vendor)


def update_review(
    *,
    session: Session,
    review: Review,
    changes: Mapping[str, Any],
    user: User,
    rulebook: RuleBook,
    day: date,
    activity_facts: Mapping[str, Any] | None = None,
) -> ReviewView:
    """Apply a partial update and re-evaluate; 409 for a closed or approved review's content.

    A review in an activity: `transfer` merge-patches its overrides, and its transfer is the
    activity's facts (`activity_facts` when the activity itself is changing) with them."""
    policy.ensure_may_change(review, user)
    vendor = view_review(session=session, review=review).vendor
    policy.ensure_not_final(review)
    new_status = changes.get("status", review.status)
    policy.ensure_may_move(review.status, new_status, user)
    new_vendor = vendor
    if "vendor" in changes and changes["vendor"] != vendor.slug:
        new_vendor = find_vendor(session=session, slug=changes["vendor"], field=("vendor",))
    stored = review.transfer
    overrides = review.activity_overrides or {}
    if review.activity_id is not None:
        if "transfer" in changes:
            overrides = _review_transfer(
                merge_patch(overrides, changes["transfer"]), new_vendor.slug
            )
        facts = activity_facts
        if facts is None:
            activity = session.get(Activity, review.activity_id)
            assert activity is not None  # a foreign key; activities are archived, not deleted
            facts = activity.facts
        stored = _review_transfer(merge_patch(facts, overrides), new_vendor.slug)
    elif "transfer" in changes:
        stored = _review_transfer(
            merge_patch(review.transfer, changes["transfer"]), new_vendor.slug
        )
    plain = {f: changes[f] for f in _CONTENT_FIELDS if f in changes}
    if "asserted_facts" in changes:
        plain["asserted_facts"] = _asserted(
            changes["asserted_facts"] or [], user, day, review.asserted_facts or []
        )
    content_changed = (
        new_vendor.id != vendor.id
        or stored != review.transfer
        or overrides != (review.activity_overrides or {})
        or any(getattr(review, f) != v for f, v in plain.items())
    )
    if not content_changed and new_status == review.status:
        return ReviewView(review, vendor)
    if content_changed:
        policy.ensure_content_editable(new_status)
    transfer = _resolve(
        stored, new_vendor, day, rulebook, plain.get("asserted_facts", review.asserted_facts)
    )
    before = review_snapshot(review, vendor.slug)
    assert new_vendor.id is not None and transfer.exporter.name is not None
    review.vendor_id = new_vendor.id
    review.transfer = stored
    review.activity_overrides = overrides
    review.exporter_name = transfer.exporter.name
    review.exporter_country = transfer.exporter.country
    review.exporter_key = exporter_key(transfer.exporter.name, transfer.exporter.country)
    for name, value in plain.items():
        setattr(review, name, value)
    review.status = new_status
    review.updated_at = utcnow()
    _evaluate_audited(
        session,
        review,
        new_vendor,
        rulebook=rulebook,
        day=day,
        user=user,
        action="update",
        before=before,
        transfer=transfer,
    )
    return ReviewView(review, new_vendor)


def evaluate_review(
    *, session: Session, review: Review, user: User, rulebook: RuleBook, day: date
) -> ReviewView:
    """Re-evaluate a review now (today's law unless it pins as_of) and keep the history."""
    policy.ensure_may_evaluate(review, user)
    view = view_review(session=session, review=review)
    _evaluate_audited(
        session,
        review,
        view.vendor,
        rulebook=rulebook,
        day=day,
        user=user,
        action="evaluate",
        before=_verdict_summary(review),
        snapshot=_verdict_summary,
    )
    return view


def _evaluate_audited(
    session: Session,
    review: Review,
    vendor: Vendor,
    *,
    rulebook: RuleBook,
    day: date,
    user: User,
    action: str,
    before: dict[str, Any] | None,
    snapshot: Callable[[Review], dict[str, Any]] | None = None,
    transfer: Transfer | None = None,
) -> None:
    """Evaluate the review now (`action` is the history row's reason), keep the history row,
    and audit `action`: `before` as the caller took it, `snapshot` of the review after (by
    default the whole review with its vendor). A concurrent change is StaleWrite: the caller
    that sent a version (views.act_on_review's check) answers it as 412."""
    _evaluate_review(
        session,
        review,
        vendor,
        rulebook=rulebook,
        day=day,
        actor=user.email,
        reason=action,
        transfer=transfer,
    )
    _flush(session, stale=errors.StaleWrite)
    record_event(
        session=session,
        action=action,
        object_type="review",
        object_id=str(review.id),
        before=before,
        after=snapshot(review) if snapshot else review_snapshot(review, vendor.slug),
    )


def confirm_asserted_fact(
    *,
    session: Session,
    review: Review,
    index: int,
    user: User,
    rulebook: RuleBook,
    day: date,
) -> ReviewView:
    """Legal or admin confirms a pending asserted fact (by its index): from now on it is
    used by the evaluation, which is run again; 404 for no such pending fact."""
    policy.ensure_may_confirm_facts_of(review, user)
    stated = [dict(a) for a in review.asserted_facts or []]
    if not 0 <= index < len(stated) or not is_pending(stated[index]):
        raise errors.NotFound(f"Review {review.id} has no pending stated fact {index}.")
    vendor = view_review(session=session, review=review).vendor
    before = review_snapshot(review, vendor.slug)
    fact = stated[index]
    fact.pop("pending", None)
    fact["confirmed_by"] = user.email
    fact["confirmed_at"] = utcnow().isoformat()
    review.asserted_facts = stated
    review.updated_at = utcnow()
    _evaluate_audited(
        session,
        review,
        vendor,
        rulebook=rulebook,
        day=day,
        user=user,
        action="confirm_fact",
        before=before,
    )
    return ReviewView(review, vendor)


def _open_reviews(
    vendor_ids: Sequence[int] | None = None, exporter_keys: Sequence[str] | None = None
) -> ColumnElement[bool]:
    """Open reviews; with vendor_ids, those sharing an exporter with one of these vendors';
    with exporter_keys, those of these exporters (one batch of a bulk re-evaluation)."""
    table = table_of(Review)
    is_open: ColumnElement[bool] = table.c.status.in_(OPEN_STATUSES)
    if exporter_keys is not None:
        is_open = is_open & table.c.exporter_key.in_(exporter_keys)
    if vendor_ids is None:
        return is_open
    exporters = select(table.c.exporter_key).where(is_open, table.c.vendor_id.in_(vendor_ids))
    return is_open & table.c.exporter_key.in_(exporters)


def count_open_reviews(
    *,
    session: Session,
    vendor_ids: Sequence[int] | None = None,
    exporter_keys: Sequence[str] | None = None,
) -> int:
    """How many reviews are open (draft, submitted, in review, approved), as reevaluated."""
    return int(
        session.execute(
            select(func.count())
            .select_from(table_of(Review))
            .where(_open_reviews(vendor_ids, exporter_keys))
        ).scalar_one()
    )


def open_reviews_by_exporter(
    *, session: Session, vendor_ids: Sequence[int] | None = None
) -> list[tuple[str, int]]:
    """(exporter key, open reviews) of the open reviews a re-evaluation covers, by key: the
    units a bulk re-evaluation is split by (an exporter's reviews share PRC head-counts, so
    they are evaluated together)."""
    table = table_of(Review)
    rows = session.execute(
        select(table.c.exporter_key, func.count())
        .where(_open_reviews(vendor_ids))
        .group_by(table.c.exporter_key)
        .order_by(table.c.exporter_key)
    ).all()
    return [(str(key), int(count)) for key, count in rows]


def _read_open(
    session: Session, names: Sequence[str], is_open: ColumnElement[bool]
) -> tuple[list[dict[str, Any]], dict[int, Vendor]]:
    """The bulk read of a re-evaluation: these columns of the reviews `is_open` selects, by
    id, and their vendors by id (bench/bench_reevaluate.py's baseline reads through it too)."""
    table = table_of(Review)
    rows = [
        dict(r)
        for r in session.execute(
            select(*(table.c[name] for name in names)).where(is_open).order_by(table.c.id)
        ).mappings()
    ]
    reviewed = select(table.c.vendor_id).where(is_open).distinct()
    vendors = {
        int(v.id or 0): v
        for v in session.execute(select(Vendor).where(col(Vendor.id).in_(reviewed))).scalars()
    }
    return rows, vendors


# What a re-evaluation reads to find, resolve and version-check a review; it writes none of
# them back (the version it raises).
_BULK_INPUTS = (
    "id",
    "vendor_id",
    "transfer",
    "asserted_facts",
    "exporter_key",
    "exporter_name",
    "version",
)
# ... and what it reads besides: the previous evaluation's columns that its summary, the
# exporter's head-counts and the next history row's number read.
_BULK_READ = (
    *_BULK_INPUTS,
    "evaluation_count",
    "cn_verdict",
    "eu_verdict",
    "us_verdict",
    "cn_mechanism",
    "eu_mechanism",
    "us_mechanism",
    "rules_version",
    "as_of",
    "cn_outbound_non_sensitive",
    "cn_outbound_sensitive",
    "us_persons",
)


def reevaluate_open_reviews(
    *,
    session: Session,
    rulebook: RuleBook,
    day: date,
    actor: str,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 1000,
    vendor_ids: Sequence[int] | None = None,
    exporter_keys: Sequence[str] | None = None,
) -> ReevaluationReport:
    """Re-run every open review (after a rule change) and report the verdicts that changed.

    With vendor_ids, only the open reviews of those vendors' exporters (a vendor's facts
    changed): every review sharing an exporter with one of them, since their PRC head-counts
    are summed together. With exporter_keys, only those exporters' open reviews (one batch of
    a re-evaluation job, service/lifecycle/services.py).

    Two passes: first every open review's Transfer is resolved and its own PRC head-count
    recomputed, then each is evaluated with its exporter's other reviews' fresh counts, by
    `_evaluate`, the same path as a single evaluation (only the writing is batched). Rows
    are read and written in bulk (Core executemany, still version-checked: a review changed
    meanwhile makes the run fail with 409 and write nothing); each re-evaluation gets its
    history row and its audit event (record_event's row, inserted per chunk), as an
    evaluation through the API does.
    """
    report = ReevaluationReport(rules_version=rulebook.rules.version)
    table = table_of(Review)
    rows, vendors = _read_open(session, _BULK_READ, _open_reviews(vendor_ids, exporter_keys))
    resolved: list[tuple[dict[str, Any], Transfer]] = []
    groups: dict[str, ExporterFlows] = defaultdict(lambda: ExporterFlows([], defaultdict(list), {}))
    for row in rows:
        try:
            transfer = _resolve(
                row["transfer"],
                vendors[row["vendor_id"]],
                day,
                rulebook,
                row["asserted_facts"] or [],
            )
        except errors.DomainError as exc:
            report.failed[row["id"]] = exc.errors or exc.detail
            own = (row["cn_outbound_non_sensitive"], row["cn_outbound_sensitive"])
            us, on = row["us_persons"], row["as_of"]
        else:
            own = cn_outbound_contribution(transfer, rulebook.rules, rulebook.reference)
            us, on = us_headcount(transfer), transfer.as_of
            resolved.append((row, transfer))
        group = groups[row["exporter_key"]]
        if own[0] or own[1]:
            group.cn.append(Flow(on, own[0], own[1], row["id"]))
        if us:
            group.us[row["vendor_id"]].append(Flow(on, us, 0, row["id"]))
    if progress is not None and report.failed:
        progress(len(report.failed))
    for start in range(0, len(resolved), batch_size):
        chunk = resolved[start : start + batch_size]
        updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        audit: list[Change] = []
        for row, transfer in chunk:
            group = groups[row["exporter_key"]]
            others = ExporterFlows(
                [f for f in group.cn if f.ref != row["id"]],
                {v: [f for f in flows if f.ref != row["id"]] for v, flows in group.us.items()},
            )
            evaluated = _evaluate(
                transfer,
                row["transfer"],
                others,
                review_id=row["id"],
                vendor_id=row["vendor_id"],
                count=row["evaluation_count"],
                rulebook=rulebook,
                actor=actor,
                reason="reevaluate",
            )
            columns = evaluated.columns
            updates.append(
                {
                    "p_id": row["id"],
                    "p_version": row["version"],
                    "p_new_version": row["version"] + 1,
                    **{f"p_{name}": value for name, value in columns.items()},
                }
            )
            history.append(evaluated.history)
            before, after = _summary(row), _summary(columns)
            audit.append(Change("reevaluate", "review", str(row["id"]), before, after))
            vendor = vendors[row["vendor_id"]].slug
            for regime in REGIMES:
                old = (before["verdicts"][regime], before["mechanisms"][regime])
                new = (after["verdicts"][regime], after["mechanisms"][regime])
                if old != new:
                    report.changed.append(
                        VerdictChange(row["id"], vendor, row["exporter_name"], regime, old, new)
                    )
        _write_evaluations(session, table, updates, history, audit, actor)
        report.evaluated += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return report


def _write_evaluations(
    session: Session,
    table: Table,
    updates: list[dict[str, Any]],
    history: list[dict[str, Any]],
    audit: list[Change],
    actor: str,
) -> None:
    """Write a chunk of re-evaluations: version-checked UPDATEs, history INSERTs, audit rows."""
    if not updates:
        return
    names = [key.removeprefix("p_") for key in updates[0] if key not in ("p_id", "p_version")]
    values: dict[str, Any] = {name: bindparam(f"p_{name}") for name in names}
    values["version"] = values.pop("new_version")
    statement = (
        update(table)
        .where(table.c.id == bindparam("p_id"), table.c.version == bindparam("p_version"))
        .values(values)
    )
    try:
        result = session.connection().execute(statement, updates)
    except OperationalError as exc:
        # SQLite: an API write committed since this run's read snapshot (database is locked).
        raise errors.Conflict(
            "Reviews changed while they were being re-evaluated; run it again."
        ) from exc
    if session.get_bind().dialect.supports_sane_multi_rowcount and result.rowcount != len(updates):
        raise errors.Conflict("Reviews changed while they were being re-evaluated; run it again.")
    session.execute(insert(table_of(ReviewEvaluation)), history)
    record_events(session=session, changes=audit, actor=actor)
