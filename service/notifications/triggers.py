"""Who is told of what: the events other domains report, turned into `notify` calls."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from service.impact_assessments.policy import OUTCOMES
from service.notifications.services import notify, role_emails


def approval_moved(*, session: Session, assessment: Any, to: str, actor: str) -> None:
    """An assessment sent for approval (legal and admins are told) or decided (its sender and
    the review's owner are told)."""
    from service.reviews.models import Review

    label = f"{assessment.kind.upper()} {assessment.id} of review {assessment.review_id}"
    data = {"assessment": assessment.id, "review": assessment.review_id, "status": to}
    if to == "in_review":
        legal = role_emails(session=session, roles=("legal", "admin"))
        recipients = [e for e in legal if e != actor]
        notify(
            session=session,
            event="approval_requested",
            recipients=recipients,
            subject=f"Approval requested: {label}",
            text=f"{actor} asks for approval of {label}.",
            data=data,
        )
    elif to in OUTCOMES:
        review = session.get(Review, assessment.review_id)
        told = [assessment.submitted_by, review.created_by if review else None]
        notify(
            session=session,
            event="approval_decided",
            recipients=[r for r in told if r and r != actor],
            subject=f"{label} {to}",
            text=f"{actor} {to} {label}.",
            data=data,
        )


def list_import_applied(*, session: Session, kind: str, updated: list[str], source: Any) -> None:
    """An official list import changed vendors' facts: legal and admins are told."""
    if not updated:
        return
    more = f" and {len(updated) - 20} more" if len(updated) > 20 else ""
    shown = ", ".join(updated[:20]) + more
    notify(
        session=session,
        event="list_import_changed_facts",
        recipients=role_emails(session=session, roles=("legal", "admin")),
        subject=f"{kind} list import changed {len(updated)} vendors",
        text=f"The {kind} list import ({source}) changed the facts of: {shown}.",
        data={"kind": kind, "vendors": updated},
    )
