"""The assistant on what is overdue and what changed: answers checked against the lifecycle
records (deadlines computed from review dates, tasks, the review_change history)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from service.assistant.interfaces import Answer, AskContext, Asker
from service.assistant.offline.assistant import OfflineAssistant
from service.assistant.tools.base import ToolError, tool_context
from service.assistant.tools.registry import all_tools, run_tool
from service.db import session_scope
from service.lifecycle import deadlines as lifecycle_deadlines
from service.lifecycle.models import ReviewChange, Task
from service.models import utcnow
from service.reference.services import get_reference
from service.reviews.models import Review
from service.transfers.services import today
from service.vendors.models import Vendor
from tests.service.test_assistant_offline import registry_app as _catalog_app  # noqa: F401

ASKER = "q@x.test"
OTHER = "someone@x.test"


def _review(session: object, slug: str) -> Review:
    return session.execute(  # type: ignore[attr-defined,no-any-return]
        select(Review)
        .join(Vendor, col(Vendor.id) == col(Review.vendor_id))
        .where(col(Vendor.slug) == slug)
    ).scalar_one()


@pytest.fixture(scope="module")
def lifecycle_app(_catalog_app: Flask) -> Iterator[Flask]:  # noqa: F811
    """The offline suite's reviews with dates, late tasks and verdict changes:
    firebase (open) approved in 2020 -> renewal overdue; mailchimp (closed) approved in 2020 ->
    no deadline (closed reviews have none); google-analytics (open) standard contract effective
    a year ago -> filing overdue. Changes 10 days ago (firebase) and 45 days ago (GA)."""
    now = utcnow()
    with _catalog_app.app_context(), session_scope() as session:
        firebase, ga, mailchimp = (
            _review(session, s) for s in ("firebase", "google-analytics", "mailchimp")
        )
        for review, values in (
            (firebase, {"approved": date(2020, 1, 2)}),
            (mailchimp, {"approved": date(2020, 1, 2)}),
            (ga, {"standard_contract_effective": today() - timedelta(days=365)}),
        ):
            lifecycle_deadlines.set_review_dates(
                session=session,
                review=review,
                values=dict[str, date | None](values),
                actor="buyer@example.test",
            )
        for review, assignee, days in ((firebase, ASKER, 3), (ga, OTHER, 5), (ga, ASKER, -5)):
            session.add(
                Task(
                    review_id=int(review.id or 0),
                    assignee=assignee,
                    kind="verdict_changed",
                    title=f"Look at review {review.id}",
                    due=today() - timedelta(days=days),
                )
            )
        for review, days, before, after in (
            (firebase, 10, "permitted", "approval_required"),
            (ga, 45, "mechanism_required", "prohibited"),
        ):
            session.add(
                ReviewChange(
                    review_id=int(review.id or 0),
                    cause_kind="vendor_fact",
                    cause=f"vendor fact changed for review {review.id}",
                    before={"CN": {"verdict": before, "mechanism": None}},
                    after={"CN": {"verdict": after, "mechanism": None}},
                    at=now - timedelta(days=days),
                )
            )
    yield _catalog_app


def ask(app: Flask, question: str, role: str = "legal") -> Answer:
    with app.app_context(), session_scope() as session:
        return OfflineAssistant().answer(question, AskContext(session, Asker(ASKER, role)))


def _overdue_records(app: Flask) -> tuple[list[lifecycle_deadlines.Deadline], list[Task]]:
    with app.app_context(), session_scope() as session:
        late = [
            d
            for d in lifecycle_deadlines.deadlines(session=session, today=today())
            if d.due < today()
        ]
        tasks = [
            t
            for t in session.execute(select(Task).where(col(Task.status) == "open")).scalars()
            if t.due is not None and t.due < today()
        ]
        for t in tasks:
            session.expunge(t)
    return late, tasks


def _cited_reviews(answer: Answer) -> set[int]:
    return {int(c.id) for c in answer.citations if c.kind == "review"}


def _changes_since(app: Flask, since: date) -> list[ReviewChange]:
    with app.app_context(), session_scope() as session:
        rows = [c for c in session.execute(select(ReviewChange)).scalars() if c.at.date() >= since]
        for c in rows:
            session.expunge(c)
    return rows


@pytest.mark.parametrize(
    "question,language",
    [
        ("What is overdue?", "en"),
        ("Which of our deadlines are past due?", "en"),
        ("我们有哪些逾期事项？", "zh"),
        ("有什么已经逾期了吗？", "zh"),
        ("哪些审查的截止日期已过期？", "zh"),
    ],
)
def test_overdue_answers_from_the_deadlines_and_tasks(
    lifecycle_app: Flask, question: str, language: str
) -> None:
    late, tasks = _overdue_records(lifecycle_app)
    assert late and tasks  # the set-up made some
    answer = ask(lifecycle_app, question)
    assert answer.intent == "overdue"
    # Every passed deadline of an open review, with its due date; legal sees everyone's tasks.
    expected = {d.review_id for d in late} | {t.review_id for t in tasks}
    assert _cited_reviews(answer) == expected
    for d in late:
        assert d.due.isoformat() in answer.text
        assert str((today() - d.due).days) in answer.text
    for t in tasks:
        assert t.due is not None and t.due.isoformat() in answer.text
    # A closed review's dates make no deadline; a task not yet due is not listed.
    with lifecycle_app.app_context(), session_scope() as session:
        closed = _review(session, "mailchimp").id
        future = session.execute(select(Task).where(col(Task.due) > today())).scalar_one()
        future_due = future.due
    assert closed not in _cited_reviews(answer)
    assert future_due is not None and future_due.isoformat() not in answer.text
    if language == "zh":
        assert "逾期" in answer.text and "Overdue" not in answer.text
    else:
        assert "Overdue on" in answer.text and "逾期" not in answer.text


def test_overdue_tasks_are_only_the_askers_own_below_legal(lifecycle_app: Flask) -> None:
    _, tasks = _overdue_records(lifecycle_app)
    answer = ask(lifecycle_app, "我们有哪些逾期事项？", role="procurement")
    mine = [t for t in tasks if t.assignee == ASKER]
    others = [t for t in tasks if t.assignee != ASKER]
    assert mine and others
    assert all(f"任务 {t.id}" in answer.text for t in mine)
    assert not any(f"任务 {t.id}" in answer.text for t in others)
    assert OTHER not in answer.text


@pytest.mark.parametrize(
    "question,language,days",
    [
        ("What changed since last month?", "en", None),
        ("What has changed in our reviews over the last month?", "en", None),
        ("What changed in the past 60 days?", "en", 60),
        ("上个月以来有什么变化？", "zh", None),
        ("最近有哪些审查结论发生了变化？", "zh", None),
        ("过去60天有什么变化？", "zh", 60),
    ],
)
def test_changes_since_answers_from_the_review_change_history(
    lifecycle_app: Flask, question: str, language: str, days: int | None
) -> None:
    from service.assistant.tools.lifecycle import month_before

    since = today() - timedelta(days=days) if days else month_before(today())
    expected = _changes_since(lifecycle_app, since)
    older = [
        c for c in _changes_since(lifecycle_app, date.min) if c.id not in {e.id for e in expected}
    ]
    assert expected  # the 10-day-old change
    answer = ask(lifecycle_app, question)
    assert answer.intent == "changes"
    assert since.isoformat() in answer.text
    assert _cited_reviews(answer) == {c.review_id for c in expected}
    for c in expected:
        assert c.cause in answer.text and c.at.date().isoformat() in answer.text
    for c in older:
        assert c.cause not in answer.text
    if days is None:
        assert older  # the 45-day-old change is outside "last month"
    verdict = {"en": "approval required", "zh": "需经监管机构批准"}[language]
    assert verdict in answer.text


def test_the_llm_back_end_gets_both_tools(lifecycle_app: Flask) -> None:
    with lifecycle_app.app_context(), session_scope() as session:
        tools = all_tools(get_reference())
        ctx = tool_context(session, Asker(ASKER, "legal"), today())
        assert {"list_overdue", "list_changes_since"} <= {t.name for t in tools}
        since = (today() - timedelta(days=60)).isoformat()
        result = run_tool(tools, ctx, "list_changes_since", {"since": since})
        assert result.data["total"] == len(_changes_since(lifecycle_app, date.fromisoformat(since)))
        with pytest.raises(ToolError):
            run_tool(tools, ctx, "list_changes_since", {"since": "2026-13-40"})
        overdue = run_tool(tools, ctx, "list_overdue", {})
        late, _ = _overdue_records(lifecycle_app)
        assert [d["due"] for d in overdue.data["deadlines"]] == [d.due.isoformat() for d in late]
