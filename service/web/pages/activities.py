"""Activity pages and the policy scanner: scan a privacy policy, tick vendors, file the
activity with one review per vendor in one step, and the activity's overview."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from assessments.types import REGIMES
from service import errors
from service.activities import services
from service.activities.schemas import ActivityCreateSchema, DisclosuresSchema
from service.auth.permissions import allow
from service.db import get_session
from service.scanner import services as scanner
from service.transfers.services import get_rulebook, today
from service.web import choices, forms
from service.web.blueprint import web

SUBJECT_ROWS = 3
SUBJECT_FIELDS = ("jurisdiction", "count", "minors")
MULTI = ("facts.data_categories", "facts.purposes", "facts.safeguards", "vendors")


@allow("viewer")
@web.get("/activities")
def activities() -> str:
    """Processing activities and how many vendors each reviews."""
    page = services.list_activities_with_counts(session=get_session(), args={"per_page": 100})
    return render_template("web/activities.html", page=page)


@allow("viewer")
@web.get("/activities/<int:activity_id>")
def activity(activity_id: int) -> str:
    """One activity: vendors x regimes, PRC running total, unknowns, open work, policy gaps."""
    session = get_session()
    item = services.get_activity(session=session, activity_id=activity_id)
    views = services.activity_reviews(session=session, activity=item)
    overview = services.overview(
        session=session, activity=item, rulebook=get_rulebook(), day=today()
    )
    return render_template(
        "web/activity.html",
        a=item,
        views=views,
        o=overview,
        regimes=REGIMES,
        choices=choices,
    )


# ---------------------------------------------------------------------------- scanning


def highlighted(text: str, report: dict[str, Any]) -> Markup:
    """The policy text with the scanner's spans marked: vendors, data categories, mechanisms."""
    marks: list[tuple[int, int, str, str]] = []
    for hit in report.get("vendors") or []:
        for match in hit.get("matches") or []:
            span = match["span"]
            marks.append((span["start"], span["end"], "vendor", hit["name"]))
    for kind in ("data_categories", "mechanisms"):
        for term in report.get(kind) or []:
            for span in term.get("spans") or []:
                marks.append((span["start"], span["end"], kind, term["id"]))
    out: list[str] = []
    at = 0
    for start, end, kind, label in sorted(marks):
        if start < at or end > len(text):
            continue  # overlapping the previous mark
        out.append(str(escape(text[at:start])))
        out.append(
            f'<mark class="scan-{kind}" title="{escape(label)}">{escape(text[start:end])}</mark>'
        )
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def _disclosures(report: dict[str, Any], source: str) -> dict[str, Any]:
    """What the policy discloses, each with the sentence it came from (the activity keeps it)."""
    return {
        "source": source[:300],
        "vendors": [
            {"slug": v["slug"], "name": v["name"], "sentence": v["evidence"][:2000]}
            for v in report.get("vendors") or []
        ],
        "data_categories": [
            {
                "id": c["id"],
                "label": choices.data_category_name(c["id"]),
                "sentence": c["evidence"][:2000],
            }
            for c in report.get("data_categories") or []
            if c["id"] in choices_ids()
        ],
        "mechanisms": [
            {"id": m["id"], "sentence": m["evidence"][:2000]}
            for m in report.get("mechanisms") or []
        ],
    }


def choices_ids() -> set[str]:
    return {o.value for o in choices.data_categories()}


def _scan_page(
    report: dict[str, Any] | None, text: str, source: str, form: forms.FormState, status: int = 200
) -> tuple[str, int]:
    disclosures = _disclosures(report, source) if report is not None else None
    session = get_session()
    existing = [
        a
        for a in services.list_activities(
            session=session, args={"status": "active", "per_page": 100}
        ).items
        if services.may_change(a, g.current_user)
    ]
    page = render_template(
        "web/scan.html",
        report=report,
        text=text,
        source=source,
        form=form,
        marked=highlighted(text, report) if report is not None else None,
        disclosures=disclosures,
        disclosures_json=json.dumps(disclosures or {}),
        existing=existing,
        choices=choices,
        subject_rows=SUBJECT_ROWS,
    )
    return page, status


def _scan(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    policy = scanner.read_policy(data=data, limits=scanner.pdf_limits(current_app))
    cache = scanner.matcher_cache(current_app)
    return scanner.scan_policy(session=get_session(), cache=cache, policy=policy), policy.text


def _prefill(report: dict[str, Any]) -> forms.FormState:
    """The filing form as the scan suggests it: every found vendor and data category ticked.
    A stated transfer mechanism is shown with its sentence but not ticked as a safeguard: a
    policy saying so is not the signed contract, and an unknown is never assumed met."""
    known = choices_ids()
    return forms.FormState(
        {
            "mode": "new",
            "vendors": [v["slug"] for v in report.get("vendors") or []],
            "facts.data_categories": [
                c["id"] for c in report.get("data_categories") or [] if c["id"] in known
            ],
            "facts.exporter.role": "controller",
        }
    )


@allow("viewer")
@web.route("/scan", methods=["GET", "POST"])
def scan_policy() -> Any:
    """Scan a privacy policy (pasted, or an HTML, text or PDF file) against the registry."""
    if request.method == "GET":
        return _scan_page(None, "", "", forms.FormState())
    upload = request.files.get("file")
    data: dict[str, Any] = {}
    if upload is not None and upload.filename:
        data["file"] = upload
        source = upload.filename
    else:
        text = request.form.get("text", "")
        if not text.strip():
            form = forms.FormState(errors={"text": ["Paste the policy or choose a file."]})
            return _scan_page(None, "", "", form, status=422)
        data["text"] = text
        data["format"] = "html" if request.form.get("format") == "html" else "text"
        source = "pasted text"
    try:
        report, read = _scan(data)
    except errors.DomainError as exc:
        form = forms.FormState(errors={"text": [exc.detail]})
        return _scan_page(None, "", "", form, status=exc.status)
    return _scan_page(report, read, source, _prefill(report))


def _filing_body(values: dict[str, Any], disclosures: dict[str, Any]) -> dict[str, Any]:
    exporter: dict[str, Any] = {}
    for key in ("name", "country", "role"):
        forms.put(exporter, key, forms.text(values.get(f"facts.exporter.{key}")))
    subjects = [
        {
            "jurisdiction": forms.text(row["jurisdiction"], blank=""),
            "count": forms.integer(row["count"]) if str(row["count"]).strip() else None,
            "minors": row["minors"] == "on",
        }
        for row in forms.rows(values, "facts.data_subjects", SUBJECT_FIELDS)
        if str(row["jurisdiction"] or "").strip()
    ]
    facts: dict[str, Any] = {"exporter": exporter, "data_subjects": subjects}
    for name in ("data_categories", "purposes", "safeguards"):
        picked = values.get(f"facts.{name}") or []
        facts[name] = list(picked) if isinstance(picked, list) else [picked]
    picked = values.get("vendors") or []
    vendors = list(picked) if isinstance(picked, list) else [picked]
    return {
        "name": forms.text(values.get("name"), blank=""),
        "facts": facts,
        "disclosures": disclosures,
        "vendors": [{"vendor": v} for v in vendors],
    }


@allow("procurement", "legal")
@web.post("/scan/file")
def file_scan() -> Any:
    """Create an activity from a scan (or add the ticked vendors to one): one review each."""
    values = forms.raw_values(request.form, multi=MULTI)
    text = request.form.get("policy_text", "")
    source = request.form.get("source", "")
    session = get_session()
    try:
        disclosures = forms.load(
            DisclosuresSchema(), json.loads(request.form.get("disclosures") or "{}")
        )
        body = _filing_body(values, disclosures)
        rulebook, day = get_rulebook(), today()
        if values.get("mode") == "existing":
            chosen = forms.integer(values.get("activity_id"))
            if not isinstance(chosen, int):
                raise errors.ValidationFailed(
                    "Choose the activity to extend.", errors={"activity_id": ["Choose one."]}
                )
            target = services.get_activity(session=session, activity_id=chosen)
            services.update_activity(
                session=session,
                activity=target,
                changes={"disclosures": disclosures},
                user=g.current_user,
                rulebook=rulebook,
                day=day,
            )
            if not body["vendors"]:
                raise errors.ValidationFailed(
                    "Tick at least one vendor.", errors={"vendors": ["Tick one."]}
                )
            services.add_vendors(
                session=session,
                activity=target,
                items=body["vendors"],
                user=g.current_user,
                rulebook=rulebook,
                day=day,
            )
        else:
            data = forms.load(ActivityCreateSchema(), body)
            target = services.create_activity(
                session=session, data=data, user=g.current_user, rulebook=rulebook, day=day
            )
    except (errors.DomainError, json.JSONDecodeError) as exc:
        session.rollback()
        problem = (
            exc
            if isinstance(exc, errors.DomainError)
            else errors.ValidationFailed("The scan's findings were damaged; scan again.")
        )
        form = forms.state_from_error(values, problem)
        report, read = _scan({"text": text, "format": "text"}) if text.strip() else (None, "")
        return _scan_page(report, read, source, form, status=problem.status)
    session.commit()
    return redirect(url_for("web.activity", activity_id=target.id), code=303)
