"""Who may do what to an impact assessment: its transitions, its content and its checklists.

One owner for these rules: the assessments service enforces them, and the web pages ask the
same functions what to offer.
- Legal and admin create and edit assessments and decide (approve, reject, send back).
- Sending a draft to review: legal, admin, or procurement for a review it filed itself.
- Checklist progress: legal, admin, or procurement for a review it filed itself; the
  checklists of an approved assessment are frozen with the approved version (409).
- Four eyes: whoever sent the assessment to review may not approve it, unless an admin has
  relaxed this (the `four_eyes_relaxed` setting, audited).
- Approving while the document still lists unknown key facts needs an override with a
  reason; the transition's audit event keeps the reason and the facts.
- A checklist's tick box marks an item done, and unticking a done item opens it again; an
  item that does not apply (n.a.) takes no tick: its own form changes its status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assessments.documents.checklists import DONE, NOT_APPLICABLE, OPEN
from service import errors
from service.auth.models import Actor

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review"}),
    "in_review": frozenset({"approved", "rejected", "draft"}),
    "approved": frozenset(),
    "rejected": frozenset({"draft"}),
}
# The way to approval, in order: the page's progress steps. A rejected assessment is off it
# until someone sends it back to draft.
PATH = ("draft", "in_review", "approved")
OUTCOMES = frozenset({"approved", "rejected"})  # where a decision leaves an assessment
LOCKED = "in_review"  # nobody edits the text while it is in review
FROZEN = "approved"  # the approved version and its checklists are frozen
DECIDERS = frozenset({"legal", "admin"})  # who may approve, reject or send back to draft
EDITORS = frozenset({"legal", "admin"})  # who may create and change content
SUBMITTERS = frozenset({"legal", "admin", "procurement"})  # who may send a draft to review


class Workflow(Protocol):
    """An assessment as far as the policy reads it."""

    @property
    def status(self) -> str: ...

    @property
    def submitted_by(self) -> str | None: ...


@dataclass(frozen=True)
class Context:
    """What the rules read besides the assessment: who filed its review, the install's
    four-eyes setting, and the key facts the current version still lists as unknown."""

    review_filed_by: str
    four_eyes_relaxed: bool = False
    unknowns: Sequence[str] = ()


def _acts_for_review(user: Actor, context: Context, roles: frozenset[str]) -> bool:
    """Legal/admin (within roles), or procurement acting on a review it filed."""
    if user.role == "procurement":
        return "procurement" in roles and context.review_filed_by == user.email
    return user.role in roles


def locked(assessment: Workflow) -> bool:
    """Whether the text is locked for everyone now (in review: back to draft to edit)."""
    return assessment.status == LOCKED


def frozen(assessment: Workflow) -> bool:
    """Whether the assessment stands approved: that version and its checklists are frozen
    (an edit starts a new draft version)."""
    return assessment.status == FROZEN


def outcome(assessment: Workflow) -> str | None:
    """The decision the assessment stands at (approved or rejected), None when it is not."""
    return assessment.status if assessment.status in OUTCOMES else None


def decision(to: str) -> str | None:
    """What a move decides, for how a page shows its button: "approve" (the assessment
    stands approved, its version frozen), "reject" (the other outcome), or None (submitting
    and sending back to draft decide nothing)."""
    if to not in OUTCOMES:
        return None
    return "approve" if to == FROZEN else "reject"


@dataclass(frozen=True)
class Step:
    """One progress step a page shows: a status, and whether the assessment passed it on the
    way to approval (done), stands at it (current) or has it ahead (neither); `off_path` for
    a status off that way (rejected), shown last."""

    status: str
    done: bool = False
    current: bool = False
    off_path: bool = False


def steps(assessment: Workflow) -> list[Step]:
    """The way to approval with where the assessment stands on it, plus its status when off
    the way (a rejected assessment: nothing on the way is done until it is back in draft)."""
    if assessment.status not in PATH:
        return [*(Step(s) for s in PATH), Step(assessment.status, current=True, off_path=True)]
    here = PATH.index(assessment.status)
    return [Step(s, done=n < here, current=n == here) for n, s in enumerate(PATH)]


def may_create(user: Actor) -> bool:
    """Whether the user may generate assessments."""
    return user.role in EDITORS


def ensure_may_create(user: Actor) -> None:
    """403 unless the user may generate assessments."""
    if not may_create(user):
        raise errors.Forbidden(f"Your role ({user.role}) may not create assessments.")


def may_edit(assessment: Workflow, user: Actor) -> bool:
    """Whether the user may edit the content now (legal/admin; not while in review)."""
    return user.role in EDITORS and not locked(assessment)


def ensure_may_edit(assessment: Workflow, user: Actor) -> None:
    """403 for a role that may not edit, 409 while the assessment is in review."""
    if user.role not in EDITORS:
        raise errors.Forbidden(f"Your role ({user.role}) may not edit assessments.")
    if locked(assessment):
        raise errors.Conflict(
            "This assessment is in review; move it back to draft before editing it."
        )


def _refusal(
    assessment: Workflow, to: str, user: Actor, context: Context
) -> errors.DomainError | None:
    """Why the user may not make this move now (None when they may)."""
    roles = SUBMITTERS if to == "in_review" else DECIDERS
    if not _acts_for_review(user, context, roles):
        if user.role == "procurement" and user.role in roles:
            return errors.Forbidden("Procurement acts only on the assessments of reviews it filed.")
        return errors.Forbidden(f"Your role ({user.role}) may not move assessments to {to}.")
    if to not in TRANSITIONS[assessment.status]:
        allowed = ", ".join(sorted(TRANSITIONS[assessment.status])) or "none; edit it instead"
        return errors.Conflict(
            f"A {assessment.status} assessment cannot become {to}.",
            errors={"to": [f"From {assessment.status}: {allowed}."]},
        )
    if (
        to == "approved"
        and not context.four_eyes_relaxed
        and assessment.submitted_by is not None
        and assessment.submitted_by == user.email
    ):
        return errors.Forbidden(
            "Four eyes: whoever sent the assessment to review may not approve it; "
            "another legal user or an admin approves."
        )
    return None


def ensure_may_move(
    assessment: Workflow,
    to: str,
    user: Actor,
    context: Context,
    override_reason: str | None = None,
) -> dict[str, Any] | None:
    """Refuse a move the user may not make (403/409/422); the override to audit, if any.

    Approving while key facts are unknown needs `override_reason` (else 422); the returned
    mapping (reason and the facts still unknown) goes into the transition's audit event.
    """
    refusal = _refusal(assessment, to, user, context)
    if refusal is not None:
        raise refusal
    if not needs_override_reason(to, context):
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise errors.ValidationFailed(
            "Key facts are still unknown: "
            + "; ".join(context.unknowns)
            + ". Confirm them, or approve with an override and its reason.",
            errors={"override_reason": ["Give the reason for approving with unknown facts."]},
        )
    return {"reason": reason, "unknowns": list(context.unknowns)}


def needs_override_reason(to: str, context: Context) -> bool:
    """Whether this move needs an override reason: approving while key facts are unknown."""
    return to == "approved" and bool(context.unknowns)


def moves(assessment: Workflow, user: Actor, context: Context) -> list[str]:
    """The statuses this user may move the assessment to now (for buttons)."""
    return [
        to
        for to in sorted(TRANSITIONS[assessment.status])
        if _refusal(assessment, to, user, context) is None
    ]


def may_update_checklists(assessment: Workflow, user: Actor, context: Context) -> bool:
    """Whether the user may record checklist progress now."""
    return not frozen(assessment) and _acts_for_review(user, context, EDITORS | {"procurement"})


def ensure_may_update_checklists(assessment: Workflow, user: Actor, context: Context) -> None:
    """403 for someone who may not act on this review's checklists; 409 once approved."""
    if not _acts_for_review(user, context, EDITORS | {"procurement"}):
        if user.role == "procurement":
            raise errors.Forbidden("Procurement acts only on the assessments of reviews it filed.")
        raise errors.Forbidden(f"Your role ({user.role}) may not update checklists.")
    if frozen(assessment):
        raise errors.Conflict(
            "The checklists are frozen with the approved version; edit the assessment to "
            "start a new draft, then record progress there."
        )


def item_done(status: str) -> bool:
    """Whether a checklist item in this status is done (its tick box shows ticked)."""
    return status == DONE


def item_applies(status: str) -> bool:
    """Whether a checklist item in this status applies; one that does not (n.a.) takes no
    tick, only its own form changes its status."""
    return status != NOT_APPLICABLE


def ticked_status(status: str, *, ticked: bool) -> str | None:
    """The status a checklist's tick box gives an item now in `status`: done when ticked,
    open when a done item is unticked; None when the box leaves the item as it is."""
    if ticked:
        return DONE
    return OPEN if item_done(status) else None


def unknowns_of(document: Mapping[str, Any]) -> list[str]:
    """The key facts a document still lists as unknown."""
    return [str(u) for u in document.get("unknowns") or []]
