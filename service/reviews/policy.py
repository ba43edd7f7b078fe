"""Who may do what to a review: its status transitions and its edits.

One owner for these rules: the reviews service enforces them, and the web pages and the
assistant ask the same functions what to offer. Legal and admin may make every transition;
procurement changes only the reviews it filed, and of those only the owner's moves below.
An activity (one app's vendors, each a review) follows the same ownership rule: the
activities service asks `ensure_may_write`, `may_change` and `ensure_may_change` with its
own noun.
"""

from __future__ import annotations

from typing import Protocol

from service import errors
from service.auth.models import Actor

# Status changes; legal and admin may make every one.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "closed"}),
    "submitted": frozenset({"draft", "in_review", "closed"}),
    "in_review": frozenset({"approved", "rejected", "draft"}),
    "approved": frozenset({"in_review", "closed"}),
    "rejected": frozenset({"draft", "closed"}),
    "closed": frozenset(),
}
# The moves procurement (the review's owner) may make itself.
OWNER_TRANSITIONS = frozenset(
    {
        ("draft", "submitted"),
        ("submitted", "draft"),
        ("rejected", "draft"),
        ("draft", "closed"),
        ("submitted", "closed"),
        ("rejected", "closed"),
        ("approved", "closed"),
    }
)
# Statuses in which the transfer, vendor, purpose and people may be edited.
EDITABLE = frozenset({"draft", "submitted", "in_review", "rejected"})
FINAL = "closed"  # nothing changes a closed review any more, not even a new evaluation
DECIDERS = frozenset({"legal", "admin"})
WRITERS = frozenset({"procurement", "legal", "admin"})


class Owned(Protocol):
    """A record as far as ownership goes: who filed it (a review, an activity)."""

    @property
    def created_by(self) -> str: ...


class Filed(Owned, Protocol):
    """A review as far as the policy reads it: its status and who filed it."""

    @property
    def status(self) -> str: ...


def ensure_may_write(user: Actor, what: str = "reviews") -> None:
    """403 unless the user's role files and changes records (procurement, legal, admin)."""
    if user.role not in WRITERS:
        raise errors.Forbidden(f"Your role ({user.role}) may not change {what}.")


def may_change(record: Owned, user: Actor) -> bool:
    """Whether the user may change this record at all (procurement: only its own)."""
    if user.role in DECIDERS:
        return True
    return user.role == "procurement" and record.created_by == user.email


def ensure_may_change(record: Owned, user: Actor, what: str = "reviews") -> None:
    """403 unless the user may change this record (`what`: its plural, for the message)."""
    if user.role == "procurement" and record.created_by != user.email:
        raise errors.Forbidden(f"Procurement may change only the {what} it filed.")
    ensure_may_write(user, what)


def ensure_not_final(review: Filed, then: str = "file a new review") -> None:
    """409 for a closed review: it is final."""
    if review.status == FINAL:
        raise errors.Conflict(f"A closed review is final; {then}.")


def may_evaluate(review: Filed, user: Actor) -> bool:
    """Whether the user may evaluate this review again now."""
    return may_change(review, user) and review.status != FINAL


def ensure_may_evaluate(review: Filed, user: Actor) -> None:
    """403 unless the user may change the review; 409 once it is closed."""
    ensure_may_change(review, user)
    ensure_not_final(review, "it is no longer evaluated")


def may_confirm_facts(user: Actor) -> bool:
    """Legal and admin confirm facts procurement stated (pending until then)."""
    return user.role in DECIDERS


def ensure_may_confirm_facts(user: Actor) -> None:
    if not may_confirm_facts(user):
        raise errors.Forbidden(f"Your role ({user.role}) may not confirm stated facts.")


def may_confirm_facts_of(review: Filed, user: Actor) -> bool:
    """Whether the user may confirm this review's pending facts now (its content editable)."""
    return may_confirm_facts(user) and review.status in EDITABLE


def ensure_may_confirm_facts_of(review: Filed, user: Actor) -> None:
    """403 for a role that may not confirm facts; 409 when the review's content is read-only."""
    ensure_may_confirm_facts(user)
    ensure_not_final(review)
    ensure_content_editable(review.status)


def may_move(current: str, new: str, user: Actor) -> bool:
    """Whether this role may make this status change (the workflow allowing it)."""
    if new not in TRANSITIONS.get(current, frozenset()):
        return False
    return user.role in DECIDERS or (
        user.role == "procurement" and (current, new) in OWNER_TRANSITIONS
    )


def ensure_may_move(current: str, new: str, user: Actor) -> None:
    """409 when the workflow has no such move, 403 when the role may not make it."""
    if new == current:
        return
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
        raise errors.Conflict(
            f"A {current} review cannot become {new}.",
            errors={"status": [f"From {current}: {allowed}."]},
        )
    if not may_move(current, new, user):
        raise errors.Forbidden(f"Only legal may move a review from {current} to {new}.")


def moves(review: Filed, user: Actor) -> list[str]:
    """The statuses this user may move this review to now (for buttons and menus)."""
    if not may_change(review, user):
        return []
    return [new for new in sorted(TRANSITIONS[review.status]) if may_move(review.status, new, user)]


def closes(to: str) -> bool:
    """Whether a move closes the review for good (how a page shows its button: quietly, as
    the way out rather than the next step)."""
    return to == FINAL


def ensure_content_editable(new: str) -> None:
    """409 when the review's content may not change in the status it ends up in."""
    if new not in EDITABLE:
        raise errors.Conflict(
            f"A review that is {new} is read-only"
            + ("; legal can reopen it (status in_review)." if new == "approved" else ".")
        )
