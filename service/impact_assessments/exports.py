"""Rows for the registers legal keeps: the transfer register and the GDPR Art. 30 record.

Each row is built from a review as the engine last saw it (review_inputs) and reads its
display values from assessments.documents.facts.compute_facts, the same facts the
assessments print, so a register and an assessment never word a fact differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from assessments.documents._data import labels
from assessments.documents.facts import compute_facts, regime
from assessments.types import REGIMES
from service.impact_assessments.models import Assessment
from service.impact_assessments.services import review_inputs
from service.reviews.models import Review
from service.vendors.models import Vendor

WORDS = labels("en")


def _reviews(session: Session) -> list[tuple[Review, Vendor]]:
    rows = session.execute(
        select(Review, Vendor)
        .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
        .order_by(col(Review.id))
    ).all()
    return [(review, vendor) for review, vendor in rows]


def _assessments(session: Session) -> dict[int, list[str]]:
    """'PIPIA v3 (approved)' per review id."""
    found: dict[int, list[str]] = {}
    for assessment in session.scalars(select(Assessment).order_by(col(Assessment.id))):
        status = WORDS["status_values"].get(assessment.status, assessment.status)
        language = "" if assessment.language == "en" else f" [{assessment.language}]"
        found.setdefault(assessment.review_id, []).append(
            f"{assessment.kind.upper()}{language} v{assessment.current_number} ({status})"
        )
    return found


def _verdict(result: Mapping[str, Any]) -> tuple[str, str]:
    verdict = result.get("verdict") or "not_applicable"
    mechanism = result.get("mechanism")
    mechanism_text = WORDS["mechanism_values"].get(mechanism, mechanism) if mechanism else ""
    if mechanism and result.get("met"):
        mechanism_text += f" ({WORDS['met']})"
    return str(WORDS["verdict_values"].get(verdict, verdict)), str(mechanism_text)


def register_rows(*, session: Session) -> list[dict[str, Any]]:
    """One row per review: verdict and mechanism per regime, dates, owner, assessments."""
    assessments = _assessments(session)
    rows = []
    for review, vendor in _reviews(session):
        evaluation = review.evaluation or {}
        overall = evaluation.get("overall") or {}
        row: dict[str, Any] = {
            "id": review.id,
            "vendor": vendor.name,
            "exporter": review.exporter_name,
            "purpose": review.purpose,
            "status": review.status.replace("_", " "),
            "overall": f"{WORDS['level_values'].get(overall.get('level'), '')} "
            f"({overall.get('score', '')})"
            if overall.get("level")
            else "",
            "assessments": assessments.get(review.id or 0, []),
            "as_of": review.as_of.isoformat(),
            "evaluated_at": review.evaluated_at,
            "created_at": review.created_at,
            "updated_at": review.updated_at,
            "requester": review.requester,
            "business_owner": review.business_owner or WORDS["unknown"],
        }
        for code in REGIMES:
            verdict, mechanism = _verdict(regime(evaluation, code))
            row[f"{code.lower()}_verdict"] = verdict
            row[f"{code.lower()}_mechanism"] = mechanism
        rows.append(row)
    return rows


def ropa_rows(*, session: Session) -> list[dict[str, Any]]:
    """One GDPR Art. 30(1) record per review (unknown facts marked, never guessed)."""
    unknown = str(WORDS["unknown"])
    rows = []
    for review, _vendor in _reviews(session):
        if not review.evaluation:
            continue
        inputs = review_inputs(session=session, review=review)
        facts = compute_facts(inputs["review"], inputs["evaluation"], inputs["vendor"], "en")
        eu = regime(inputs["evaluation"], "EU")
        verdict, mechanism = _verdict(eu)
        transfers = f"{facts['destinations'] or unknown} — {verdict}"
        if mechanism:
            transfers += f": {mechanism}"
        purposes = "; ".join(p for p in (facts["purpose_text"], facts["purposes"]) if p)
        rows.append(
            {
                "id": review.id,
                "controller": " — ".join(
                    (facts["exporter"] or unknown, facts["exporter_role"] or unknown)
                ),
                "purposes": purposes or unknown,
                "data_subjects": facts["data_subjects"] or unknown,
                "data_categories": facts["data_categories"] or unknown,
                "recipients": " — ".join(
                    (facts["importer"] or unknown, facts["importer_role"] or unknown)
                ),
                "transfers": transfers,
                "retention": facts["retention"] or unknown,
                "security": facts["safeguards"],
                "business_owner": review.business_owner or unknown,
            }
        )
    return rows
