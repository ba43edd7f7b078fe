"""Assessment operations: keyword-only, take a session, flush, never commit.

An assessment is generated from a review (its Transfer as the engine last saw it, its latest
evaluation, its vendor record) by assessments.documents; every save adds a version. Workflow:
draft -> in_review -> approved | rejected; in_review -> draft withdraws; rejected -> draft
reopens. Approving freezes the current version; an edit to an approved assessment starts a
new draft version and leaves the approved one as it was.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from assessments.documents import (
    ITEM_STATUSES,
    KINDS,
    applicable_kinds,
    build_assessment,
    build_checklists,
    checklist_progress,
    contract_facts,
    diff_documents,
    languages_for,
    option_problems,
    sanitise_section_text,
)
from service import errors
from service.audit.services import record_event
from service.auth.models import User
from service.db import flush, get_row, select_row
from service.impact_assessments import policy
from service.impact_assessments.models import (
    Assessment,
    AssessmentVersion,
    Checklist,
    ChecklistItem,
)
from service.jobs.models import Job
from service.jobs.services import submit_job
from service.models import utcnow
from service.notifications.triggers import approval_moved
from service.reviews.models import Review, ReviewEvaluation
from service.reviews.services import get_review
from service.settings.services import get_setting
from service.vendors.models import Vendor
from service.vendors.services import vendor_snapshot

RISK_FIELDS = ("category", "risk", "likelihood", "severity", "measure", "residual", "owner")
# A built checklist's fields (assessments.documents.build_checklists), kept in columns of the
# same names, and a built item's fields with the column each is kept in: what is stored from a
# builder's checklist and what the API and the reports read back (besides ids and progress).
CHECKLIST_FIELDS = ("regime", "mechanism", "module", "title", "citation")
ITEM_COLUMNS = {
    "group": "group_name",
    "text": "text",
    "citation": "citation",
    "status": "status",
    "who": "who",
    "when": "due",
    "evidence": "evidence",
    "value": "value",
    "value_unknown": "value_unknown",
}


@dataclass(frozen=True, slots=True)
class AssessmentState:
    """An assessment with the version the API shows and its checklists."""

    assessment: Assessment
    current: AssessmentVersion
    checklists: list[dict[str, Any]]
    outdated: dict[str, Any] | None = None


def _flush(session: Session) -> None:
    flush(session, "assessment")


def _snapshot(assessment: Assessment) -> dict[str, Any]:
    """An assessment's workflow facts as JSON values (for audit diffs)."""
    return {
        "review_id": assessment.review_id,
        "kind": assessment.kind,
        "language": assessment.language,
        "status": assessment.status,
        "current_number": assessment.current_number,
        "approved_number": assessment.approved_number,
        "decision_note": assessment.decision_note,
    }


# ---------------------------------------------------------------------------- inputs


def review_inputs(*, session: Session, review: Review) -> dict[str, Any]:
    """The builder inputs of a review: review dict, its latest evaluation and vendor record."""
    if not review.evaluation:
        raise errors.Conflict("This review has no evaluation yet; evaluate it first.")
    latest = session.scalars(
        select(ReviewEvaluation)
        .where(col(ReviewEvaluation.review_id) == review.id)
        .order_by(col(ReviewEvaluation.seq).desc())
        .limit(1)
    ).first()
    # The Transfer the engine saw (registry facts filled in) describes the parties best.
    transfer = copy.deepcopy(latest.transfer if latest else review.transfer)
    vendor = session.get(Vendor, review.vendor_id)
    return {
        "review": {
            "id": review.id,
            "transfer": transfer,
            "requester": review.requester,
            "business_owner": review.business_owner,
            "purpose": review.purpose,
        },
        "evaluation": copy.deepcopy(review.evaluation),
        "vendor": vendor_snapshot(vendor) if vendor is not None else None,
    }


def evaluation_digest(evaluation: Mapping[str, Any]) -> str:
    """A digest of an evaluation's content (what an assessment was generated from)."""
    text = json.dumps(evaluation, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source(review: Review, evaluation: Mapping[str, Any]) -> dict[str, Any]:
    """Which evaluation of the review a document was generated from."""
    return {
        "evaluation_digest": evaluation_digest(evaluation),
        "evaluated_at": review.evaluated_at.isoformat(timespec="minutes"),
        "evaluation_count": review.evaluation_count,
    }


def _baseline(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the builder wrote (section texts, generated risk rows), to tell legal's edits apart."""
    return {
        "sections": {s["id"]: s.get("text") or "" for s in document.get("sections") or []},
        "risks": {
            str(r["key"]): {field: r.get(field) for field in RISK_FIELDS}
            for r in document.get("risks") or []
            if r.get("key")
        },
    }


def _generated(
    session: Session, review: Review, kind: str, language: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A freshly built document of the review's latest evaluation, and the builder inputs."""
    inputs = review_inputs(session=session, review=review)
    document = build_assessment(
        kind, inputs["review"], inputs["evaluation"], inputs["vendor"], language=language
    )
    document["source"] = _source(review, inputs["evaluation"])
    document["contracts"] = contract_facts(inputs["review"], inputs["evaluation"], inputs["vendor"])
    document["baseline"] = _baseline(document)
    return document, inputs


def outdated(
    *, session: Session, assessment: Assessment, document: Mapping[str, Any]
) -> dict[str, Any] | None:
    """None while the document rests on the review's latest evaluation; else what changed.

    A document that does not record its source (generated before this was tracked) counts as
    out of date: nothing shows it is current.
    """
    review = get_review(session=session, review_id=assessment.review_id)
    source = document.get("source") or {}
    if source.get("evaluation_digest") == evaluation_digest(review.evaluation or {}):
        return None
    return {
        "generated_from": source.get("evaluated_at"),
        "latest": review.evaluated_at.isoformat(timespec="minutes"),
        "evaluation_count": review.evaluation_count,
    }


# ---------------------------------------------------------------------------- reads


def get_assessment(*, session: Session, assessment_id: int) -> Assessment:
    """The assessment with this id, or NotFound."""
    return get_row(session, Assessment, assessment_id, f"No assessment {assessment_id}.")


def get_version(*, session: Session, assessment: Assessment, number: int) -> AssessmentVersion:
    """One saved version of an assessment, or NotFound."""
    return select_row(
        session,
        select(AssessmentVersion).where(
            col(AssessmentVersion.assessment_id) == assessment.id,
            col(AssessmentVersion.number) == number,
        ),
        f"Assessment {assessment.id} has no version {number}.",
    )


def list_versions(*, session: Session, assessment: Assessment) -> list[AssessmentVersion]:
    """Every saved version of an assessment, oldest first."""
    return list(
        session.scalars(
            select(AssessmentVersion)
            .where(col(AssessmentVersion.assessment_id) == assessment.id)
            .order_by(col(AssessmentVersion.number))
        )
    )


def list_assessments(*, session: Session, review_id: int) -> list[Assessment]:
    """The assessments of a review, oldest first (NotFound for an unknown review)."""
    get_review(session=session, review_id=review_id)
    return list(
        session.scalars(
            select(Assessment)
            .where(col(Assessment.review_id) == review_id)
            .order_by(col(Assessment.id))
        )
    )


def _items(session: Session, checklist: Checklist) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(col(ChecklistItem.checklist_id) == checklist.id)
            .order_by(col(ChecklistItem.position))
        )
    )


def item_dict(item: ChecklistItem) -> dict[str, Any]:
    """A checklist item as the API and the report show it."""
    return {
        "id": item.id,
        "key": item.key,
        **{field: getattr(item, column) for field, column in ITEM_COLUMNS.items()},
        "updated_by": item.updated_by,
        "updated_at": item.updated_at,
        "version": item.version,
    }


def checklist_dicts(*, session: Session, assessment: Assessment) -> list[dict[str, Any]]:
    """The assessment's checklists with their items and progress."""
    checklists = session.scalars(
        select(Checklist)
        .where(col(Checklist.assessment_id) == assessment.id)
        .order_by(col(Checklist.id))
    ).all()
    result = []
    for checklist in checklists:
        items = [item_dict(item) for item in _items(session, checklist)]
        result.append(
            {
                "id": checklist.id,
                "key": checklist.key,
                **{field: getattr(checklist, field) for field in CHECKLIST_FIELDS},
                "items": items,
                "progress": checklist_progress(items),
            }
        )
    return result


def get_state(
    *, session: Session, assessment: Assessment, number: int | None = None
) -> AssessmentState:
    """An assessment with one of its versions (the current one by default) and checklists."""
    version = get_version(
        session=session, assessment=assessment, number=number or assessment.current_number
    )
    return AssessmentState(
        assessment,
        version,
        checklist_dicts(session=session, assessment=assessment),
        outdated(session=session, assessment=assessment, document=version.document),
    )


def report_document(
    *, session: Session, assessment: Assessment, number: int | None = None
) -> dict[str, Any]:
    """The plain document a report renders: a version's content, workflow facts, checklists."""
    state = get_state(session=session, assessment=assessment, number=number)
    document = copy.deepcopy(state.current.document)
    approved = state.current.number == assessment.approved_number
    status = (
        assessment.status
        if state.current.number == assessment.current_number
        else ("approved" if approved else state.current.status)
    )
    document["meta"] = {
        "version": state.current.number,
        "status": status,
        "date": state.current.created_at.date().isoformat(),
        "submitted_by": assessment.submitted_by,
        "submitted_at": assessment.submitted_at.isoformat(timespec="minutes")
        if assessment.submitted_at
        else None,
        "decided_by": assessment.decided_by if approved or status == "rejected" else None,
        "decided_at": assessment.decided_at.isoformat(timespec="minutes")
        if assessment.decided_at and (approved or status == "rejected")
        else None,
    }
    # An approved version shows its checklists as they were approved (frozen with it).
    frozen = state.current.checklists
    document["checklists"] = frozen if frozen is not None else state.checklists
    document["outdated"] = state.outdated  # of this version's document (get_state)
    document.pop("baseline", None)
    return document


def report_filename(*, session: Session, assessment: Assessment, number: int, ext: str) -> str:
    """A download name such as 'pipia-review-12-firebase-v3.pdf'."""
    review = session.get(Review, assessment.review_id)
    vendor = session.get(Vendor, review.vendor_id) if review is not None else None
    slug = vendor.slug if vendor is not None else "vendor"
    language = "" if assessment.language == "en" else f"-{assessment.language}"
    name = f"{assessment.kind}{language}-review-{assessment.review_id}-{slug}-v{number}.{ext}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def diff_versions(
    *, session: Session, assessment: Assessment, old: int, new: int
) -> dict[str, Any]:
    """What changed between two versions of an assessment."""
    before = get_version(session=session, assessment=assessment, number=old)
    after = get_version(session=session, assessment=assessment, number=new)
    result = diff_documents(
        before.document, after.document, label_old=f"v{old}", label_new=f"v{new}"
    )
    return {"from": old, "to": new, **result}


# ---------------------------------------------------------------------------- writes


def _clean(text: str | None) -> str | None:
    """Free text as stored: tags and control characters removed, None when empty."""
    return sanitise_section_text(text, max_chars=5000) or None if text else None


def _add_checklists(
    session: Session,
    assessment: Assessment,
    inputs: Mapping[str, Any],
    skip: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Add the checklists the evaluation calls for (those whose key is in `skip` excepted)."""
    assert assessment.id is not None
    built = build_checklists(
        inputs["evaluation"], inputs["review"], inputs["vendor"], assessment.language
    )
    for spec in built:
        if spec["id"] in skip:
            continue
        checklist = Checklist(
            assessment_id=assessment.id,
            key=spec["id"],
            **{field: spec[field] for field in CHECKLIST_FIELDS},
        )
        session.add(checklist)
        _flush(session)
        assert checklist.id is not None
        for position, item in enumerate(spec["items"]):
            session.add(
                ChecklistItem(
                    checklist_id=checklist.id,
                    key=item["id"],
                    position=position,
                    **{column: item[field] for field, column in ITEM_COLUMNS.items()},
                )
            )


def create_assessment(
    *, session: Session, review_id: int, kind: str, language: str, user: User
) -> Assessment:
    """Generate an assessment of a review (version 1, draft) with its checklists."""
    policy.ensure_may_create(user)
    if kind not in KINDS:
        raise errors.ValidationFailed(
            "Unknown assessment kind.", errors={"kind": [f"Use one of {', '.join(KINDS)}."]}
        )
    if language not in languages_for(kind):
        raise errors.ValidationFailed(
            f"A {kind} is available in {', '.join(languages_for(kind))}.",
            errors={"language": [f"Use one of {', '.join(languages_for(kind))}."]},
        )
    review = get_review(session=session, review_id=review_id)
    if not review.evaluation:
        raise errors.Conflict("This review has no evaluation yet; evaluate it first.")
    why_not = applicable_kinds(review.evaluation)[kind]
    if why_not is not None:
        raise errors.ValidationFailed(why_not, errors={"kind": [why_not]})
    document, inputs = _generated(session, review, kind, language)
    assessment = Assessment(
        review_id=review_id, kind=kind, language=language, created_by=user.email
    )
    session.add(assessment)
    _flush(session)
    assert assessment.id is not None
    session.add(
        AssessmentVersion(
            assessment_id=assessment.id, number=1, document=document, created_by=user.email
        )
    )
    _add_checklists(session, assessment, inputs)
    record_event(
        session=session,
        action="create",
        object_type="assessment",
        object_id=str(assessment.id),
        after=_snapshot(assessment),
    )
    _flush(session)
    return assessment


def _edited(document: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a document with section texts and the risk register changed."""
    result = copy.deepcopy(dict(document))
    sections = {section["id"]: section for section in result["sections"]}
    problems: dict[str, list[str]] = {}
    for edit in changes.get("sections") or []:
        section = sections.get(edit["id"])
        if section is None:
            problems.setdefault("sections", []).append(f"No section {edit['id']!r}.")
            continue
        try:
            section["text"] = sanitise_section_text(edit["text"])
        except ValueError as exc:
            problems.setdefault("sections", []).append(f"{edit['id']}: {exc}")
    if "risks" in changes:
        risks = []
        used = {str(r.get("id")) for r in changes["risks"] if r.get("id")}
        number = 0
        for risk in changes["risks"]:
            entry = {field: risk.get(field) for field in RISK_FIELDS}
            for field in ("risk", "measure", "owner"):
                if entry[field] is not None:
                    entry[field] = sanitise_section_text(str(entry[field]), max_chars=5000)
            risk_id = risk.get("id")
            while not risk_id:
                number += 1
                risk_id = f"R{number}" if f"R{number}" not in used else None
            previous: dict[str, Any] = next(
                (r for r in result["risks"] if r.get("id") == risk_id), {}
            )
            entry["id"] = risk_id
            entry["key"] = previous.get("key")
            # A generated rating keeps its printed basis until legal changes the rating.
            for rating in ("likelihood", "severity"):
                kept = entry[rating] == previous.get(rating)
                entry[f"{rating}_basis"] = previous.get(f"{rating}_basis") if kept else None
            entry["basis"] = (
                previous.get("basis") if entry["severity"] == previous.get("severity") else None
            )
            entry["source"] = previous.get("source") or "legal"
            risks.append(entry)
        result["risks"] = risks
    for key, options in (changes.get("contract_options") or {}).items():
        contract = (result.get("contracts") or {}).get(key)
        if contract is None:
            problems.setdefault("contract_options", []).append(
                f"This assessment has no {key} contract (the review's mechanisms do not call for"
                " one)."
            )
            continue
        chosen = {**contract["options"], **options}
        for field, messages in option_problems(int(contract["module"]), chosen).items():
            problems.setdefault(f"contract_options.{key}.{field}", []).extend(messages)
        contract["options"] = chosen
    if problems:
        raise errors.ValidationFailed(
            "Some changes cannot be applied; see errors.", errors=problems
        )
    return result


def _add_draft_version(
    session: Session,
    assessment: Assessment,
    document: dict[str, Any],
    note: str | None,
    user: User,
) -> AssessmentVersion:
    """Save a document as the assessment's next version, a draft; an approved or rejected
    assessment goes back to draft (its approved version stays as it was)."""
    assert assessment.id is not None
    version = AssessmentVersion(
        assessment_id=assessment.id,
        number=assessment.current_number + 1,
        document=document,
        status="draft",
        note=note,
        created_by=user.email,
    )
    session.add(version)
    if assessment.status in policy.OUTCOMES:
        assessment.status = "draft"
        assessment.submitted_by = assessment.submitted_at = None
    assessment.current_number = version.number
    assessment.updated_at = utcnow()
    session.add(assessment)
    return version


def update_assessment(
    *, session: Session, assessment: Assessment, changes: Mapping[str, Any], user: User
) -> AssessmentVersion:
    """Save legal's edits as a new version; an approved assessment goes back to draft."""
    policy.ensure_may_edit(assessment, user)
    before = _snapshot(assessment)
    current = get_version(session=session, assessment=assessment, number=assessment.current_number)
    document = _edited(current.document, changes)
    if document == current.document:
        return current
    version = _add_draft_version(session, assessment, document, _clean(changes.get("note")), user)
    record_event(
        session=session,
        action="update",
        object_type="assessment",
        object_id=str(assessment.id),
        before=before,
        after={**_snapshot(assessment), "changed": diff_documents(current.document, document)},
    )
    _flush(session)
    return version


def submit_register_import(
    *,
    session: Session,
    assessment: Assessment,
    risks: list[dict[str, Any]],
    note: str | None,
    user: User,
) -> Job:
    """Ask for a whole risk register to be saved as a new version by a job, against the
    assessment's current version (the job fails with 409 if that moved on); 403/409 now
    unless the user may edit the assessment (the job checks the user again as it runs)."""
    policy.ensure_may_edit(assessment, user)
    job, _ = submit_job(
        session=session,
        kind="register_import",
        actor=user.email,
        params={
            "assessment": assessment.id,
            "version": assessment.current_number,
            "risks": risks,
            "note": note,
        },
    )
    return job


def policy_context(*, session: Session, assessment: Assessment) -> policy.Context:
    """What the policy reads besides the assessment: who filed the review, the four-eyes
    setting and the key facts the current version still lists as unknown."""
    review = get_review(session=session, review_id=assessment.review_id)
    current = get_version(session=session, assessment=assessment, number=assessment.current_number)
    return policy.Context(
        review_filed_by=review.created_by,
        four_eyes_relaxed=bool(get_setting(session=session, key="four_eyes_relaxed")),
        unknowns=tuple(policy.unknowns_of(current.document)),
    )


def transition_assessment(
    *,
    session: Session,
    assessment: Assessment,
    to: str,
    note: str | None,
    user: User,
    override_reason: str | None = None,
) -> Assessment:
    """Move an assessment through draft -> in_review -> approved / rejected."""
    context = policy_context(session=session, assessment=assessment)
    override = policy.ensure_may_move(assessment, to, user, context, override_reason)
    before = _snapshot(assessment)
    now = utcnow()
    current = get_version(session=session, assessment=assessment, number=assessment.current_number)
    if to == "in_review":
        assessment.submitted_by, assessment.submitted_at = user.email, now
        assessment.decided_by = assessment.decided_at = assessment.decision_note = None
    elif to in policy.OUTCOMES:
        assessment.decided_by, assessment.decided_at = user.email, now
        assessment.decision_note = _clean(note)
        if to == "approved":
            current.frozen = True
            current.checklists = _frozen_checklists(session, assessment)
            assessment.approved_number = current.number
    current.status = to
    session.add(current)
    assessment.status = to
    assessment.updated_at = now
    session.add(assessment)
    after = _snapshot(assessment)
    if override is not None:
        after["unknowns_override"] = {**override, "reason": _clean(override["reason"])}
    if to == "approved" and context.four_eyes_relaxed and assessment.submitted_by == user.email:
        after["four_eyes_relaxed"] = True
    record_event(
        session=session,
        action=f"transition:{to}",
        object_type="assessment",
        object_id=str(assessment.id),
        before=before,
        after=after,
    )
    _flush(session)
    approval_moved(session=session, assessment=assessment, to=to, actor=user.email)
    return assessment


def _frozen_checklists(session: Session, assessment: Assessment) -> list[dict[str, Any]]:
    """The checklists as JSON, to keep with the version being approved."""
    checklists = checklist_dicts(session=session, assessment=assessment)
    for checklist in checklists:
        for item in checklist["items"]:
            if item["updated_at"] is not None:
                item["updated_at"] = item["updated_at"].isoformat()
    return checklists


def get_item(*, session: Session, assessment: Assessment, item_id: int) -> ChecklistItem:
    """A checklist item of this assessment, or NotFound."""
    return select_row(
        session,
        select(ChecklistItem)
        .join(Checklist, col(Checklist.id) == col(ChecklistItem.checklist_id))
        .where(col(ChecklistItem.id) == item_id, col(Checklist.assessment_id) == assessment.id),
        f"Assessment {assessment.id} has no checklist item {item_id}.",
    )


def update_item(
    *,
    session: Session,
    assessment: Assessment,
    item: ChecklistItem,
    changes: Mapping[str, Any],
    user: User,
) -> ChecklistItem:
    """Record progress on a checklist item: status, who, when, evidence."""
    policy.ensure_may_update_checklists(
        assessment, user, policy_context(session=session, assessment=assessment)
    )
    if "status" in changes and changes["status"] not in ITEM_STATUSES:
        raise errors.ValidationFailed(
            "Unknown status.", errors={"status": [f"Use one of {', '.join(ITEM_STATUSES)}."]}
        )
    before = item_dict(item)
    if "status" in changes:
        item.status = changes["status"]
    for field in ("who", "when", "evidence"):
        if field in changes:
            setattr(item, ITEM_COLUMNS[field], _clean(changes[field]))
    item.updated_by = user.email
    item.updated_at = utcnow()
    session.add(item)
    after = item_dict(item)
    record_event(
        session=session,
        action="update",
        object_type="checklist_item",
        object_id=str(item.id),
        before={k: before[k] for k in ("key", "status", "who", "when", "evidence")},
        after={k: after[k] for k in ("key", "status", "who", "when", "evidence")},
    )
    _flush(session)
    return item


def _merged(
    current: Mapping[str, Any], fresh: dict[str, Any], base: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The fresh document with legal's edits of the current one kept; and what was kept.

    A section whose text differs from what the builder wrote keeps legal's text; a generated
    risk row legal changed, and every row legal added, stay as they are; everything else
    (facts, findings, obligations, ratings, unedited text) comes from the new evaluation.
    """
    merged = copy.deepcopy(fresh)
    kept: list[str] = []
    current_sections = {s["id"]: s for s in current.get("sections") or []}
    for section in merged["sections"]:
        before = current_sections.get(section["id"])
        generated = (base.get("sections") or {}).get(section["id"])
        if before is not None and generated is not None and before.get("text") != generated:
            section["text"] = before.get("text") or ""
            kept.append(f"{section['number']}. {section['title']}")
    fresh_rows = {str(r["key"]): r for r in merged.get("risks") or [] if r.get("key")}
    base_rows: Mapping[str, Any] = base.get("risks") or {}
    risks: list[dict[str, Any]] = []
    for row in current.get("risks") or []:
        key = str(row.get("key") or "")
        original = base_rows.get(key)
        untouched = original is not None and all(
            row.get(field) == original.get(field) for field in RISK_FIELDS
        )
        if untouched and key in fresh_rows:
            risks.append({**fresh_rows.pop(key), "id": row.get("id")})
        elif untouched:
            continue  # a generated row the new evaluation no longer has
        else:
            risks.append(dict(row))
            fresh_rows.pop(key, None)
            kept.append(f"{row.get('id')}: {row.get('risk') or ''}")
    used = {str(r.get("id")) for r in risks}
    number = 0
    for row in fresh_rows.values():
        number += 1
        while f"R{number}" in used:
            number += 1
        risks.append({**row, "id": f"R{number}"})
        used.add(f"R{number}")
    merged["risks"] = risks
    for key, contract in (merged.get("contracts") or {}).items():
        before = (current.get("contracts") or {}).get(key)
        # Legal's options stay while the module does; a new module starts from its defaults.
        if before is not None and before.get("module") == contract["module"]:
            if before["options"] != contract["options"]:
                kept.append(f"{key} options")
            contract["options"] = before["options"]
    return merged, kept


def refresh_assessment(
    *, session: Session, assessment: Assessment, user: User
) -> tuple[AssessmentVersion, dict[str, Any], list[str]]:
    """Regenerate from the review's latest evaluation keeping legal's edits; a new version.

    Returns the new version, the diff from the previous one and the edits that were kept.
    """
    policy.ensure_may_edit(assessment, user)
    review = get_review(session=session, review_id=assessment.review_id)
    if not review.evaluation:
        raise errors.Conflict("This review has no evaluation yet; evaluate it first.")
    current = get_version(session=session, assessment=assessment, number=assessment.current_number)
    if outdated(session=session, assessment=assessment, document=current.document) is None:
        raise errors.Conflict("This assessment already rests on the review's latest evaluation.")
    fresh, inputs = _generated(session, review, assessment.kind, assessment.language)
    first = get_version(session=session, assessment=assessment, number=1)
    base = current.document.get("baseline") or _baseline(first.document)
    document, kept = _merged(current.document, fresh, base)
    document["baseline"] = fresh["baseline"]
    before = _snapshot(assessment)
    note = "Refreshed from the evaluation of " + str(fresh["source"]["evaluated_at"])
    note += f"; kept legal's edits: {'; '.join(kept)}" if kept else ""
    version = _add_draft_version(session, assessment, document, note, user)
    number = version.number
    existing = {c["key"] for c in checklist_dicts(session=session, assessment=assessment)}
    _add_checklists(session, assessment, inputs, skip=existing)
    changes = diff_documents(
        current.document, document, label_old=f"v{number - 1}", label_new=f"v{number}"
    )
    record_event(
        session=session,
        action="refresh",
        object_type="assessment",
        object_id=str(assessment.id),
        before=before,
        after={**_snapshot(assessment), "kept": kept, "changed": changes},
    )
    _flush(session)
    return version, {"from": number - 1, "to": number, **changes}, kept
