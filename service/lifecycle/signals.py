"""Vendor changes noted in the writing session; one re-assessment job submitted at commit.

`update_vendor` and `archive_vendor` call `vendor_changed`; before the transaction commits,
one `reassess` job is recorded for every vendor it changed that has an open review, in the
same transaction (so the change and the job commit together, or neither does).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession

CHANGED_KEY = "xborder.changed_vendors"  # session.info: vendor id -> (slug, fields, action)


def vendor_changed(
    session: Any,
    vendor_id: int,
    slug: str,
    before: dict[str, Any],
    after: dict[str, Any],
    action: str,
) -> None:
    """Note that a vendor's facts changed in this transaction."""
    fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    noted: dict[int, Any] = session.info.setdefault(CHANGED_KEY, {})
    previous = noted.get(vendor_id)
    if previous is not None:
        fields = sorted({*previous[1], *fields})
    noted[vendor_id] = (slug, fields, action)


@event.listens_for(OrmSession, "before_commit")
def _submit_reassessment(session: OrmSession) -> None:
    noted: dict[int, Any] | None = session.info.pop(CHANGED_KEY, None)
    if not noted:
        return
    from service.db import chunks
    from service.jobs.services import submit_job
    from service.lifecycle.models import MAX_CAUSE
    from service.reviews.models import OPEN_STATUSES, Review

    reviewed: set[int] = set()
    with session.no_autoflush:
        for part in chunks(sorted(noted)):  # a bulk import may change thousands of vendors
            reviewed.update(
                session.execute(
                    select(Review.vendor_id)  # type: ignore[call-overload]
                    .where(Review.vendor_id.in_(part), Review.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
                    .distinct()
                ).scalars()
            )
    if not reviewed:
        return
    parts = [
        f"{noted[i][0]} ({', '.join(noted[i][1]) or 'facts'}; {noted[i][2]})"
        for i in sorted(reviewed)
    ]
    actor = _actor()
    submit_job(
        session=session,  # type: ignore[arg-type]
        kind="reassess",
        params={
            "vendor_ids": sorted(reviewed),
            "cause_kind": "vendor_fact",
            "cause": ("Vendor facts changed: " + "; ".join(parts))[:MAX_CAUSE],
        },
        actor=actor,
    )


def _actor() -> str:
    from service.audit.services import current_actor

    return current_actor()
