"""The assessment editor: sections, risk register, versions and diffs, workflow, checklists."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service import errors
from service.auth.permissions import allow
from service.db import get_session
from service.impact_assessments import policy, services
from service.impact_assessments.models import Assessment
from service.impact_assessments.schemas import (
    RISK_CATEGORIES,
    AssessmentCreateSchema,
    AssessmentUpdateSchema,
    ChecklistItemUpdateSchema,
    DiffArgsSchema,
    TransitionSchema,
)
from service.impact_assessments.views import (
    act_on_assessment,
    assessment_etag,
    item_etag,
    update_checklist_item,
)
from service.reports.markup import render_text
from service.reviews import services as review_services
from service.web import forms
from service.web.blueprint import web

RISK_INPUTS = ("id", "category", "risk", "likelihood", "severity", "measure", "residual", "owner")
RATINGS = ("likelihood", "severity", "residual")
CONFLICT = (
    "Someone changed this assessment since you opened it. Your text is kept below; reload to "
    "see their version, then apply your changes again."
)
# The same for the forms that keep no text (moves, refresh, checklist ticks and items): their
# 412 is an error page.
STALE = "Someone changed this assessment since you opened it; reload it and try again."


def _page(
    assessment: Assessment, *, form: forms.FormState | None = None, status: int = 200
) -> tuple[str, int]:
    session = get_session()
    state = services.get_state(session=session, assessment=assessment)
    review = review_services.get_review_view(session=session, review_id=assessment.review_id)
    versions = services.list_versions(session=session, assessment=assessment)
    context = services.policy_context(session=session, assessment=assessment)
    moves = policy.moves(assessment, g.current_user, context)
    editable = policy.may_edit(assessment, g.current_user)
    page = render_template(
        "web/assessment.html",
        a=assessment,
        doc=state.current.document,
        state=state,
        review=review,
        versions=versions,
        steps=policy.steps(assessment),
        outcome=policy.outcome(assessment),
        locked=policy.locked(assessment),
        frozen=policy.frozen(assessment),
        moves=moves,
        decisions={to: policy.decision(to) for to in moves},
        override_needed=any(policy.needs_override_reason(to, context) for to in moves),
        editable=editable,
        may_tick=policy.may_update_checklists(assessment, g.current_user, context),
        item_done=policy.item_done,
        item_applies=policy.item_applies,
        etag=assessment_etag(assessment),
        form=form or forms.FormState(),
        text=render_text,
        risk_categories=RISK_CATEGORIES,
        item_etag=entry_etag,
        risk_rows=risk_rows(state.current.document, form, editable=editable),
    )
    return page, status


def entry_etag(entry: dict[str, Any]) -> str:
    """The API's ETag of a checklist item shown as a dict (same id and version)."""
    return item_etag(SimpleNamespace(id=entry["id"], version=entry["version"]))  # type: ignore[arg-type]


def risk_rows(
    document: dict[str, Any], form: forms.FormState | None, *, editable: bool
) -> list[dict[str, Any]]:
    """The register's rows to show: as the user typed them after an error, else as saved,
    plus an empty row to add a risk."""
    typed = form is not None and any(k.startswith("risks.") for k in form.values)
    if typed and form is not None:
        rows = forms.rows(form.values, "risks", RISK_INPUTS)
    else:
        rows = [
            {name: ("" if r.get(name) is None else r.get(name)) for name in RISK_INPUTS}
            # The generated ratings' reasoning, shown beside them (not an input).
            | {basis: r.get(basis) or "" for basis in ("likelihood_basis", "severity_basis")}
            for r in document.get("risks") or []
        ]
    if editable:
        rows.append({name: "" for name in RISK_INPUTS})
    return [{**row, "index": index, "existing": bool(row["id"])} for index, row in enumerate(rows)]


@allow("legal")
@web.post("/reviews/<int:review_id>/assessments")
def create_assessment(review_id: int) -> Response:
    """Generate a PIPIA, DPIA or TIA from the review, then open it in the editor."""
    session = get_session()
    data = forms.load(AssessmentCreateSchema(), forms.raw_values(request.form))
    assessment = services.create_assessment(
        session=session, review_id=review_id, user=g.current_user, **data
    )
    session.commit()
    return redirect(url_for("web.assessment", assessment_id=assessment.id), code=303)


@allow("viewer")
@web.get("/assessments/<int:assessment_id>")
def assessment(assessment_id: int) -> tuple[str, int]:
    """An assessment: its sections, risk register, checklists, versions and workflow."""
    record = services.get_assessment(session=get_session(), assessment_id=assessment_id)
    return _page(record)


def _normal(text: Any) -> str:
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _risk_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The register as typed, without rows marked for removal or left blank; the rows kept
    are renumbered in `values`, so field errors match the rows shown again."""
    kept = [
        row
        for row in forms.rows(values, "risks", (*RISK_INPUTS, "remove"))
        if row.get("remove") != "on" and (row["id"] or _normal(row["risk"]))
    ]
    for key in [k for k in values if k.startswith("risks.")]:
        del values[key]
    risks = []
    for index, row in enumerate(kept):
        for name in RISK_INPUTS:
            values[f"risks.{index}.{name}"] = row[name]
        risk: dict[str, Any] = {"category": row["category"], "risk": _normal(row["risk"])}
        if row["id"]:
            risk["id"] = row["id"]
        for name in RATINGS:
            risk[name] = forms.integer(row[name]) if row[name] else None
        for name in ("measure", "owner"):
            risk[name] = _normal(row[name]) or None
        risks.append(risk)
    return risks


SCC_CHOICES = ("clause_9a", "clause_13", "clause_17")
SCC_COUNTRIES = ("clause_13_state", "governing_law", "courts")


def _scc_options(document: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The SCC options the form changed (the form marks itself with `scc.shown`)."""
    contract = (document.get("contracts") or {}).get("eu_scc")
    if contract is None or "scc.shown" not in values:
        return {}
    typed: dict[str, Any] = {
        "clause_7": values.get("scc.clause_7") == "on",
        "clause_11": values.get("scc.clause_11") == "on",
    }
    for name in (*SCC_CHOICES, *SCC_COUNTRIES):
        if f"scc.{name}" in values:
            typed[name] = _normal(values[f"scc.{name}"]).upper() or None
            if name in SCC_CHOICES and typed[name]:
                typed[name] = typed[name].lower()
    if "scc.clause_9a_days" in values:
        days = _normal(values["scc.clause_9a_days"])
        typed["clause_9a_days"] = forms.integer(days) if days else None
    current = contract["options"]
    return {k: v for k, v in typed.items() if k in current and current.get(k) != v}


def edits(document: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Only what the user changed: edited section texts, and the register if it differs."""
    changes: dict[str, Any] = {}
    sections = [
        {"id": s["id"], "text": _normal(values[f"section.{s['id']}"])}
        for s in document.get("sections") or []
        if f"section.{s['id']}" in values
        and _normal(values[f"section.{s['id']}"]) != _normal(s.get("text"))
    ]
    if sections:
        changes["sections"] = sections
    if any(key.startswith("risks.") for key in values):
        risks = _risk_rows(values)
        fields = ("id", "category", "risk", *RATINGS, "measure", "owner")
        current = [
            {
                k: (
                    r.get(k) if k not in ("risk", "measure", "owner") else _normal(r.get(k)) or None
                )
                for k in fields
            }
            for r in document.get("risks") or []
        ]
        if current != [{k: r.get(k) for k in fields} for r in risks]:
            changes["risks"] = risks
    options = _scc_options(document, values)
    if options:
        changes["contract_options"] = {"eu_scc": options}
    note = forms.text(values.get("note"))
    if note is not ... and changes:
        changes["note"] = note
    return changes


@allow("legal")
@web.post("/assessments/<int:assessment_id>/edit")
def edit_assessment(assessment_id: int) -> Any:
    """Save legal's edits of sections and risks as a new version (the API's schema and service)."""
    session = get_session()
    record = services.get_assessment(session=session, assessment_id=assessment_id)
    values = forms.raw_values(request.form)
    sent_etag = str(values.pop("etag", ""))
    try:
        forms.check_etag(sent_etag, assessment_etag(record), CONFLICT)
        current = services.get_version(
            session=session, assessment=record, number=record.current_number
        )
        changes = forms.load(AssessmentUpdateSchema(), edits(current.document, values))
        if changes:
            services.update_assessment(
                session=session, assessment=record, changes=changes, user=g.current_user
            )
    except errors.DomainError as exc:
        session.rollback()
        form = forms.state_from_error(values, exc, stale=CONFLICT)
        return _page(record, form=form, status=exc.status)
    session.commit()
    return redirect(url_for("web.assessment", assessment_id=assessment_id) + "#sections", code=303)


@allow("legal", "procurement")
@web.post("/assessments/<int:assessment_id>/transition")
def transition_assessment(assessment_id: int) -> Response:
    """Submit, approve, reject or send back to draft."""
    values = forms.raw_values(request.form)
    body = {
        "to": values.get("to", ""),
        "note": forms.text(values.get("note"), blank=None),
        "override_reason": forms.text(values.get("override_reason"), blank=None),
    }
    data = forms.load(TransitionSchema(), body)
    act_on_assessment(
        assessment_id,
        services.transition_assessment,
        forms.etag_check(request.form, STALE),
        **data,
    )
    return redirect(url_for("web.assessment", assessment_id=assessment_id), code=303)


@allow("legal")
@web.post("/assessments/<int:assessment_id>/refresh")
def refresh_assessment(assessment_id: int) -> Response:
    """Regenerate from the latest evaluation keeping legal's edits; then show the diff."""
    _, (_version, diff, _kept) = act_on_assessment(
        assessment_id, services.refresh_assessment, forms.etag_check(request.form, STALE)
    )
    target = url_for("web.assessment_diff", assessment_id=assessment_id)
    return redirect(f"{target}?from={diff['from']}&to={diff['to']}", code=303)


@allow("viewer")
@web.get("/assessments/<int:assessment_id>/diff")
def assessment_diff(assessment_id: int) -> str:
    """What changed between two versions."""
    session = get_session()
    record = services.get_assessment(session=session, assessment_id=assessment_id)
    args = forms.load(DiffArgsSchema(), request.args.to_dict())
    diff = services.diff_versions(
        session=session, assessment=record, old=args["from_"], new=args["to"]
    )
    versions = services.list_versions(session=session, assessment=record)
    return render_template("web/assessment_diff.html", a=record, diff=diff, versions=versions)


@allow("legal", "procurement")
@web.post("/assessments/<int:assessment_id>/checklists/<int:checklist_id>")
def tick_checklist(assessment_id: int, checklist_id: int) -> Response:
    """Tick items done (or untick them) in one checklist."""
    session = get_session()
    record = services.get_assessment(session=session, assessment_id=assessment_id)
    ticked = set(request.form.getlist("done"))
    for checklist in services.checklist_dicts(session=session, assessment=record):
        if checklist["id"] != checklist_id:
            continue
        for entry in checklist["items"]:
            key = str(entry["id"])
            if f"etag.{key}" not in request.form:
                continue
            want = policy.ticked_status(entry["status"], ticked=key in ticked)
            if want is None or want == entry["status"]:
                continue
            changes = forms.load(ChecklistItemUpdateSchema(), {"status": want})
            update_checklist_item(
                record,
                entry["id"],
                changes,
                forms.etag_check(request.form, STALE, f"etag.{key}"),
            )
    session.commit()
    target = url_for("web.assessment", assessment_id=assessment_id)
    return redirect(f"{target}#checklist-{checklist_id}", code=303)


@allow("legal", "procurement")
@web.post("/assessments/<int:assessment_id>/items/<int:item_id>")
def update_item(assessment_id: int, item_id: int) -> Response:
    """Record who, when, evidence and status of one checklist item."""
    session = get_session()
    record = services.get_assessment(session=session, assessment_id=assessment_id)
    values = forms.raw_values(request.form)
    body = {k: forms.text(values.get(k), blank=None) for k in ("who", "when", "evidence")}
    if "status" in values:  # a form without one leaves the status as it is
        body["status"] = values["status"]
    changes = forms.load(ChecklistItemUpdateSchema(), body)
    update_checklist_item(record, item_id, changes, forms.etag_check(request.form, STALE))
    session.commit()
    target = url_for("web.assessment", assessment_id=assessment_id)
    return redirect(f"{target}#item-{item_id}", code=303)
