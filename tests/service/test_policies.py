"""The workflow policies: what the service enforces is what the pages offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from assessments.documents.checklists import ITEM_STATUSES, checklist_progress
from service import errors
from service.impact_assessments import policy as assessment_policy
from service.impact_assessments.models import STATUSES
from service.lifecycle import policy as task_policy
from service.reviews import policy as review_policy


@dataclass(frozen=True)
class Person:
    email: str
    role: str


@dataclass(frozen=True)
class Filed:
    status: str
    created_by: str = "owner@example.test"


@dataclass(frozen=True)
class Workflow:
    status: str
    submitted_by: str | None = None


OWNER = Person("owner@example.test", "procurement")
STRANGER = Person("other@example.test", "procurement")
LEGAL = Person("legal@example.test", "legal")
VIEWER = Person("viewer@example.test", "viewer")


@pytest.mark.parametrize("status", list(review_policy.TRANSITIONS))
def test_review_moves_offered_are_exactly_the_moves_allowed(status: str) -> None:
    review = Filed(status)
    for user in (OWNER, STRANGER, LEGAL, VIEWER):
        offered = review_policy.moves(review, user)
        for new in review_policy.TRANSITIONS[status]:
            try:
                review_policy.ensure_may_change(review, user)
                review_policy.ensure_may_move(status, new, user)
            except (errors.Forbidden, errors.Conflict):
                assert new not in offered, (user, status, new)
            else:
                assert new in offered, (user, status, new)


@pytest.mark.parametrize(
    ("may", "ensure"),
    [
        (review_policy.may_evaluate, review_policy.ensure_may_evaluate),
        (review_policy.may_confirm_facts_of, review_policy.ensure_may_confirm_facts_of),
    ],
)
@pytest.mark.parametrize("status", list(review_policy.TRANSITIONS))
def test_review_buttons_offered_are_exactly_the_actions_allowed(
    may: Callable[[Filed, Person], bool], ensure: Callable[[Filed, Person], None], status: str
) -> None:
    review = Filed(status)
    for user in (OWNER, STRANGER, LEGAL, VIEWER):
        try:
            ensure(review, user)
        except (errors.Forbidden, errors.Conflict):
            assert not may(review, user), (user, status)
        else:
            assert may(review, user), (user, status)


def test_the_review_move_shown_quietly_is_the_one_after_which_nothing_changes() -> None:
    """The page shows closing quietly: the move to the status the review service treats as
    final (no move out of it, no evaluation, no confirmed fact), and only that one."""
    for to in review_policy.TRANSITIONS:
        final = not review_policy.TRANSITIONS[to] and not review_policy.may_evaluate(
            Filed(to), LEGAL
        )
        assert review_policy.closes(to) == final, to
    assert review_policy.closes("closed")


def test_procurement_moves_only_its_own_reviews() -> None:
    assert review_policy.moves(Filed("draft"), OWNER) == ["closed", "submitted"]
    assert review_policy.moves(Filed("draft"), STRANGER) == []
    assert review_policy.moves(Filed("in_review"), OWNER) == []  # legal decides
    with pytest.raises(errors.Forbidden):
        review_policy.ensure_may_change(Filed("draft"), STRANGER)


@pytest.mark.parametrize("status", list(assessment_policy.TRANSITIONS))
def test_assessment_moves_offered_are_exactly_the_moves_allowed(status: str) -> None:
    context = assessment_policy.Context(review_filed_by=OWNER.email, unknowns=("Retention",))
    for submitted_by in (None, LEGAL.email):
        assessment = Workflow(status, submitted_by)
        for user in (OWNER, STRANGER, LEGAL, VIEWER):
            offered = assessment_policy.moves(assessment, user, context)
            for to in assessment_policy.TRANSITIONS[status]:
                try:
                    assessment_policy.ensure_may_move(assessment, to, user, context, "reason")
                except (errors.Forbidden, errors.Conflict):
                    assert to not in offered, (user, status, to)
                else:
                    assert to in offered, (user, status, to)


def test_four_eyes_holds_unless_relaxed() -> None:
    in_review = Workflow("in_review", submitted_by=LEGAL.email)
    strict = assessment_policy.Context(review_filed_by=OWNER.email)
    with pytest.raises(errors.Forbidden, match="Four eyes"):
        assessment_policy.ensure_may_move(in_review, "approved", LEGAL, strict)
    relaxed = assessment_policy.Context(review_filed_by=OWNER.email, four_eyes_relaxed=True)
    assert assessment_policy.ensure_may_move(in_review, "approved", LEGAL, relaxed) is None
    # Rejecting one's own submission is not an approval: four eyes does not apply.
    assert assessment_policy.ensure_may_move(in_review, "rejected", LEGAL, strict) is None


ADMIN = Person("admin@example.test", "admin")


@dataclass(frozen=True)
class Assigned:
    assignee: str
    status: str = "open"


@pytest.mark.parametrize("status", ["open", "done"])
def test_task_done_buttons_offered_are_exactly_the_closes_allowed(status: str) -> None:
    """The tasks and due pages show Done for an open task exactly when the service closes
    it: its assignee or an admin; a done task offers nothing (closing it again is a no-op)."""
    task = Assigned(OWNER.email, status)
    for user in (OWNER, STRANGER, LEGAL, VIEWER, ADMIN):
        try:
            task_policy.ensure_may_complete(task, user)
        except errors.Forbidden:
            assert not task_policy.may_complete(task, user), user
        else:
            assert task_policy.may_complete(task, user) is (status == "open"), user


def test_assessment_steps_place_every_status_once() -> None:
    """The page's progress steps come from the policy: each status of the model is current
    in exactly one step, and the steps passed are done only on the way to approval."""
    assert set(assessment_policy.TRANSITIONS) == set(STATUSES)
    assert set(assessment_policy.PATH) | assessment_policy.OUTCOMES <= set(STATUSES)
    for status in STATUSES:
        steps = assessment_policy.steps(Workflow(status))
        assert [s.status for s in steps if s.current] == [status]
        done = [s.status for s in steps if s.done]
        on_path = assessment_policy.PATH
        assert done == list(on_path[: on_path.index(status)] if status in on_path else ())
    assert assessment_policy.locked(Workflow("in_review"))
    assert not assessment_policy.may_edit(Workflow("in_review"), LEGAL)
    assert assessment_policy.frozen(Workflow("approved"))


def test_assessment_move_buttons_say_what_the_move_decides() -> None:
    """The page colours a move's button by what it decides: approving is the move that leaves
    the assessment frozen, rejecting the other outcome; the other moves decide nothing."""
    for to in STATUSES:
        decided = assessment_policy.decision(to)
        if assessment_policy.frozen(Workflow(to)):
            assert decided == "approve", to
        elif assessment_policy.outcome(Workflow(to)) is not None:
            assert decided == "reject", to
        else:
            assert decided is None, to
    assert assessment_policy.decision("approved") == "approve"
    assert assessment_policy.decision("rejected") == "reject"


@pytest.mark.parametrize("status", ITEM_STATUSES)
def test_checklist_ticks_mean_what_progress_counts(status: str) -> None:
    """A tick box shows ticked for what progress counts done, and is offered only for an
    item progress counts as applying; ticking makes an item done, unticking reopens a done
    item and leaves any other as it is."""
    progress = checklist_progress([{"status": status}])
    assert assessment_policy.item_done(status) is (progress["done"] == 1)
    assert assessment_policy.item_applies(status) is (progress["applicable"] == 1)
    assert assessment_policy.ticked_status(status, ticked=True) == "done"
    unticked = assessment_policy.ticked_status(status, ticked=False)
    assert unticked == ("open" if status == "done" else None)
