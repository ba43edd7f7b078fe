"""Review pages: file a review, read its per-regime result, and the portfolio with a heat map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from assessments.documents import applicable_kinds
from assessments.types import REGIMES
from service import errors
from service.auth.permissions import allow
from service.db import get_session
from service.impact_assessments import policy as assessment_policy
from service.impact_assessments import services as assessment_services
from service.reviews import policy, services
from service.reviews.schemas import ReviewCreateSchema, ReviewQueryArgsSchema, ReviewUpdateSchema
from service.reviews.views import act_on_review, review_etag
from service.transfers.services import get_rulebook, today
from service.vendors import services as vendor_services
from service.web import choices, forms, labels
from service.web.blueprint import web

SUBJECT_ROWS = 4
MINOR_AGES = ("under_13", "under_14", "under_16", "under_17")
SUBJECT_FIELDS = ("jurisdiction", "count", "minors", *MINOR_AGES)
OWNER_ROWS = 2
LIST_FIELDS = (
    "transfer.data_categories",
    "transfer.purposes",
    "transfer.safeguards",
    "transfer.exemptions",
    "transfer.us_exemptions",
)
# Yes / no / not known: left out when not known, so the engine asks instead of assuming.
TRISTATES = (
    "transfer.exporter.ciio",
    "transfer.exporter.ccpa_business",
    "transfer.exporter.data_broker",
    "transfer.exporter.targets_eu",
    "transfer.importer.dpf_certified",
    "transfer.importer.gdpr_art3_2",
    "transfer.important_data",
    "transfer.government_related_data",
    "transfer.eu_derogation.occasional",
)
INTEGERS = (
    "transfer.exporter.cn_processing_volume",
    "transfer.exporter.ccpa_thresholds.annual_revenue_usd",
    "transfer.exporter.ccpa_thresholds.consumers_traded",
    "transfer.exporter.ccpa_thresholds.revenue_share_selling",
    "transfer.us_prior_12m",
)
TEXTS = (
    "transfer.eu_scc_terms.decision",
    "transfer.eu_scc_terms.signed",
    "transfer.eu_derogation.basis",
    "transfer.eu_tia",
)
PORTFOLIO_FILTERS = (
    "status",
    "vendor",
    "cn_verdict",
    "eu_verdict",
    "us_verdict",
    "mechanism",
    "exporter",
)
CONFLICT = "Someone changed this review since you opened it; reload it and try again."


# ---------------------------------------------------------------------------- filing


def review_body(values: dict[str, Any]) -> dict[str, Any]:
    """The API's review JSON from the form's dotted fields."""
    body: dict[str, Any] = {}
    for name in ("vendor", "purpose", "requester"):
        forms.put(body, name, forms.text(values.get(name)))
    forms.put(body, "business_owner", forms.text(values.get("business_owner")))
    forms.put(body, "status", forms.text(values.get("status")))
    transfer: dict[str, Any] = {}
    forms.put(transfer, "as_of", forms.text(values.get("transfer.as_of")))
    exporter: dict[str, Any] = {}
    forms.put(exporter, "name", forms.text(values.get("transfer.exporter.name")))
    forms.put(exporter, "country", forms.text(values.get("transfer.exporter.country")))
    forms.put(exporter, "role", forms.text(values.get("transfer.exporter.role")))
    transfer["exporter"] = exporter
    subjects = forms.rows(values, "transfer.data_subjects", SUBJECT_FIELDS)
    transfer["data_subjects"] = [_subject(row) for row in subjects]
    owners = forms.rows(values, "transfer.importer.owners", ("country", "share"))
    if owners:
        transfer.setdefault("importer", {})["owners"] = [
            {
                "country": forms.text(row["country"], blank=""),
                "share": forms.integer(row["share"]) if str(row["share"]).strip() else None,
            }
            for row in owners
        ]
    for name in TRISTATES:
        answer = forms.tristate(values.get(name))
        if answer is not None:  # not known: left out, so the engine asks
            forms.put(transfer, name.split(".", 1)[1], answer)
    for name in INTEGERS:
        forms.put(transfer, name.split(".", 1)[1], forms.integer(values.get(name)))
    for name in TEXTS:
        forms.put(transfer, name.split(".", 1)[1], forms.text(values.get(name)))
    derogation = transfer.get("eu_derogation")
    if isinstance(derogation, dict) and "basis" not in derogation:
        del transfer["eu_derogation"]  # "occasional" alone claims nothing
    for name in LIST_FIELDS:
        picked = values.get(name) or []
        transfer[name.split(".", 1)[1]] = list(picked) if isinstance(picked, list) else [picked]
    forms.put(transfer, "transaction", forms.text(values.get("transfer.transaction")))
    body["transfer"] = transfer
    asserted = [
        assertion_body(row) for row in forms.rows(values, "asserted_facts", ASSERTED_FIELDS)
    ]
    if asserted:
        body["asserted_facts"] = asserted
    return body


# The review form's "facts the registry lacks" rows: what each choice states, as the API's
# asserted fact (assessments/catalog/asserted.py). `value` is the text typed beside it.
ASSERTED_FIELDS = ("kind", "value", "source_url", "note")
ASSERTED_KINDS = (
    ("dpf_active", "The importer is DPF-certified (EU-U.S. DPF); value: the certified entity"),
    ("dpf_not_listed", "The importer is not on the DPF list"),
    ("hq_country", "The importer's headquarters; value: a country code, e.g. US"),
    ("processing", "Where the importer processes the data; value: country codes, e.g. US, IE"),
    ("owner", "Who owns the importer; value: name; country code; share %"),
)


def assertion_body(row: dict[str, Any]) -> dict[str, Any]:
    """One asserted fact in the API's shape from a form row; malformed values go through
    as typed so the API names what is wrong."""
    kind, value = row["kind"], forms.text(row["value"], blank="")
    fact_value: Any = value
    fact = kind
    if kind == "dpf_active":
        fact, fact_value = "dpf", {"status": "active", "entity": value, "parts": ["eu_us"]}
    elif kind == "dpf_not_listed":
        fact, fact_value = "dpf", {"status": "not_listed"}
    elif kind == "processing":
        codes = [c.upper() for c in forms.words(value)]
        fact, fact_value = "data_locations", {"processing": codes}
    elif kind == "owner":
        parts = [p.strip() for p in value.split(";")]
        owner: dict[str, Any] = {"name": parts[0]}
        if len(parts) > 1 and parts[1]:
            owner["country"] = parts[1].upper()
        if len(parts) > 2 and parts[2]:
            share = parts[2].rstrip("%").strip()
            owner["share"] = float(share) if share.replace(".", "", 1).isdigit() else share
        fact, fact_value = "ownership", {"parent": owner}
    body: dict[str, Any] = {"fact": fact, "value": fact_value}
    forms.put(body, "source_url", forms.text(row["source_url"]))
    forms.put(body, "note", forms.text(row["note"]))
    return body


def _subject(row: dict[str, Any]) -> dict[str, Any]:
    """One group of people from a form row; the minors' counts only where given."""
    group: dict[str, Any] = {
        "jurisdiction": forms.text(row["jurisdiction"], blank=""),
        "count": forms.integer(row["count"]) if str(row["count"]).strip() else None,
        "minors": row["minors"] == "on",
    }
    counts = {age: forms.integer(row[age]) for age in MINOR_AGES if str(row[age]).strip()}
    if counts:
        group["minor_counts"] = counts
    return group


def _renumber_subjects(values: dict[str, Any]) -> None:
    """Show the filled rows first, numbered as the body sent them (errors match rows)."""
    found = forms.rows(values, "transfer.data_subjects", SUBJECT_FIELDS)
    for key in [k for k in values if k.startswith("transfer.data_subjects.")]:
        del values[key]
    for index, row in enumerate(found):
        for name, value in row.items():
            values[f"transfer.data_subjects.{index}.{name}"] = value


def _resolve_vendor(values: dict[str, Any]) -> None:
    """A vendor typed by name (no script to pick it) is looked up by its name or alias."""
    typed = forms.text(values.get("vendor"), blank="")
    if not typed:
        return
    session = get_session()
    try:
        vendor_services.get_vendor(session=session, slug=typed)
    except errors.NotFound:
        found = vendor_services.find_by_name(session=session, name=typed)
        if found is not None:
            values["vendor"] = found.slug


def _review_form(form: forms.FormState, status: int = 200) -> tuple[str, int]:
    vendor = None
    slug = form.value("vendor")
    if slug:
        try:
            vendor = vendor_services.get_vendor(session=get_session(), slug=slug)
        except errors.NotFound:
            vendor = None
    page = render_template(
        "web/review_form.html",
        form=form,
        vendor=vendor,
        choices=choices,
        subject_rows=max(SUBJECT_ROWS, _rows_used(form) + 1),
        owner_rows=OWNER_ROWS,
        asserted_kinds=ASSERTED_KINDS,
    )
    return page, status


def _rows_used(form: forms.FormState) -> int:
    used = [
        int(k.split(".")[2])
        for k in form.values
        if k.startswith("transfer.data_subjects.") and k.split(".")[2].isdigit()
    ]
    return max(used) + 1 if used else 0


@allow("procurement", "legal")
@web.route("/reviews/new", methods=["GET", "POST"])
def new_review() -> Any:
    """File a vendor review; on success, its per-regime result."""
    if request.method == "GET":
        start = {
            "vendor": request.args.get("vendor", ""),
            "transfer.exporter.role": "controller",
            "transfer.transaction": "vendor_agreement",
        }
        return _review_form(forms.FormState(start))
    values = forms.raw_values(request.form, multi=LIST_FIELDS)
    _resolve_vendor(values)
    _renumber_subjects(values)
    session = get_session()
    try:
        data = forms.load(ReviewCreateSchema(), review_body(values))
        view = services.create_review(
            session=session, data=data, user=g.current_user, rulebook=get_rulebook(), day=today()
        )
    except errors.DomainError as exc:
        session.rollback()
        return _review_form(forms.state_from_error(values, exc), status=exc.status)
    session.commit()
    return redirect(url_for("web.review", review_id=view.review.id), code=303)


# ---------------------------------------------------------------------------- one review


@allow("viewer")
@web.get("/reviews/<int:review_id>")
def review(review_id: int) -> str:
    """A review's result per regime: verdict, mechanism, obligations, rules, questions."""
    session = get_session()
    view = services.get_review_view(session=session, review_id=review_id)
    assessments = assessment_services.list_assessments(session=session, review_id=review_id)
    moves = policy.moves(view.review, g.current_user)
    return render_template(
        "web/review.html",
        r=view.review,
        vendor=view.vendor,
        warnings=view.warnings,
        asserted=view.asserted,
        evaluation=view.review.evaluation or {},
        regimes=REGIMES,
        assessments=assessments,
        moves=moves,
        closes={to: policy.closes(to) for to in moves},
        etag=review_etag(view.review),
        choices=choices,
        may_edit=policy.may_change(view.review, g.current_user),
        may_evaluate=policy.may_evaluate(view.review, g.current_user),
        may_confirm=policy.may_confirm_facts_of(view.review, g.current_user),
        may_create_assessment=assessment_policy.may_create(g.current_user),
        kinds=applicable_kinds(view.review.evaluation or {}),
    )


@allow("procurement", "legal")
@web.post("/reviews/<int:review_id>/status")
def review_status(review_id: int) -> Response:
    """Move a review (submit, close, approve, ...) with the API's update schema and service."""
    changes = forms.load(ReviewUpdateSchema(), {"status": request.form.get("status", "")})
    act_on_review(
        review_id, services.update_review, forms.etag_check(request.form, CONFLICT), changes=changes
    )
    return redirect(url_for("web.review", review_id=review_id), code=303)


@allow("legal")
@web.post("/reviews/<int:review_id>/asserted-facts/<int:index>/confirm")
def confirm_fact(review_id: int, index: int) -> Response:
    """Legal or admin confirms a pending stated fact; the review is evaluated again."""
    act_on_review(
        review_id,
        services.confirm_asserted_fact,
        forms.etag_check(request.form, CONFLICT),
        index=index,
    )
    return redirect(url_for("web.review", review_id=review_id), code=303)


@allow("procurement", "legal")
@web.post("/reviews/<int:review_id>/evaluate")
def evaluate_review(review_id: int) -> Response:
    """Evaluate a review again on today's law (or its pinned date)."""
    act_on_review(review_id, services.evaluate_review, check=None)
    return redirect(url_for("web.review", review_id=review_id), code=303)


# ---------------------------------------------------------------------------- portfolio


@dataclass
class HeatCell:
    """One vendor x regime: the most stringent verdict among the vendor's reviews."""

    verdict: str = "not_applicable"
    count: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)


@dataclass
class HeatRow:
    """One vendor's row of the heat map."""

    slug: str
    name: str
    reviews: int = 0
    cells: dict[str, HeatCell] = field(default_factory=lambda: {r: HeatCell() for r in REGIMES})


def heat_map(args: dict[str, Any]) -> list[HeatRow]:
    """Vendors x regimes over every review the filters select (worst verdict per cell):
    counted by the database, one GROUP BY per regime, whatever the number of reviews."""
    session = get_session()
    rows: dict[str, HeatRow] = {}
    for (slug, name), count in services.count_reviews(
        session=session, args=args, by=("vendor", "vendor_name")
    ):
        rows[slug] = HeatRow(slug, name, reviews=count)
    for regime in REGIMES:
        by = ("vendor", f"{regime.lower()}_verdict")
        for (slug, verdict), count in services.count_reviews(session=session, args=args, by=by):
            cell = rows[slug].cells[regime]
            cell.count += count
            cell.verdicts[verdict] = cell.verdicts.get(verdict, 0) + count
            if labels.VERDICT_RANK.get(verdict, 0) > labels.VERDICT_RANK.get(cell.verdict, 0):
                cell.verdict = verdict
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            -max(labels.VERDICT_RANK.get(c.verdict, 0) for c in r.cells.values()),
            r.name.casefold(),
        ),
    )
    return ordered


@allow("viewer")
@web.get("/reviews")
def reviews() -> str:
    """Every review with its verdict per regime, filters, and a vendors x regimes heat map."""
    values = {k: request.args.get(k, "").strip() for k in (*PORTFOLIO_FILTERS, "page")}
    values = {k: v for k, v in values.items() if v}
    form = forms.FormState(dict(values))
    try:
        args = forms.load(ReviewQueryArgsSchema(), values)
    except errors.ValidationFailed as exc:
        form = forms.state_from_error(values, exc)
        args = {"page": 1, "per_page": 20}
    page = services.list_reviews(session=get_session(), args=args)
    filters = {k: v for k, v in args.items() if k in PORTFOLIO_FILTERS}
    rows = heat_map(filters)
    return render_template(
        "web/reviews.html",
        page=page,
        form=form,
        rows=rows,
        regimes=REGIMES,
        args=filters,
        choices=choices,
    )
