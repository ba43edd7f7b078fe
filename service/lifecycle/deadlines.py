"""Deadlines computed from the dates entered on a review and the rules (docs/lifecycle.md).

- approved -> renewal: +1 year (critical, high risk), +2 (medium), +3 (low).
- cac_assessment_issued -> expiry +3 years; the extension window opens 60 working days before
  (Security Assessment Measures 2022 Art. 14, as amended 2024).
- standard_contract_effective -> filing with the provincial CAC within 10 working days
  (Standard Contract Measures 2023 Art. 7).
- doj_program_start -> annual independent audit and annual certification on each anniversary
  (28 CFR 202.1002, 202.1001).
- ccpa_risk_assessment -> review and update at least every 3 years (CCPA regulations 2025).

PRC working days (the two CAC deadlines) follow the State Council's yearly holiday notice:
statutory holidays are off and make-up working days (调休, a weekend day worked) count, from
the `chinesecalendar` library's tables (2025: 国办发明电〔2024〕12号 of 2024-11-12; 2026: the
notice of 2025-11-04; tests/service/test_lifecycle.py names where each was read). A count that
reaches a year whose notice is not published yet uses Monday to Friday for that year and the
deadline says so (`provisional`): it is recomputed once the library knows that year.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import chinese_calendar
from sqlalchemy import select
from sqlmodel import Session, col

from service import errors
from service.audit.services import record_event
from service.auth.models import User
from service.db import flush
from service.lifecycle.models import DATE_KEYS, TASK_OPEN, CalendarFeed, ReviewDate, Task
from service.models import utcnow
from service.reviews.models import OPEN_STATUSES, Review

RENEWAL_YEARS = {"critical": 1, "high": 1, "medium": 2, "low": 3}
REMIND_BEFORE = (30, 7, 1, 0)  # days before a deadline when its owner is told


@dataclass(frozen=True)
class Deadline:
    """One dated thing to do for a review."""

    review_id: int
    key: str
    title: str
    due: date
    owner: str
    basis: str  # which date it comes from, in words
    citation: str
    provisional: str | None = field(
        default=None,
        metadata={
            "metadata": {
                "description": "why the date may move (a PRC holiday notice not published)"
            }
        },
    )


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# The years whose State Council holiday notice the calendar library holds (its public table
# of holidays; it refuses a date of any other year).
_NOTICE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)


def prc_working_day(day: date) -> bool | None:
    """Whether `day` is a PRC working day (holidays off, make-up days on); None for a year
    whose State Council holiday notice the calendar library does not hold."""
    if day.year not in _NOTICE_YEARS:
        return None
    return bool(chinese_calendar.is_workday(day))


def add_prc_working_days(day: date, count: int) -> tuple[date, list[int]]:
    """`count` PRC working days after `day` (negative: before), and the years counted without
    a published holiday notice (Monday to Friday used there)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    unknown: set[int] = set()
    while remaining:
        day += timedelta(days=step)
        working = prc_working_day(day)
        if working is None:
            unknown.add(day.year)
            working = day.weekday() < 5
        if working:
            remaining -= 1
    return day, sorted(unknown)


def _unpublished(years: list[int]) -> str | None:
    if not years:
        return None
    named = ", ".join(str(y) for y in years)
    return (
        f"The State Council has not published the holiday calendar for {named} (or this "
        "installation does not have it yet): those days were counted Monday to Friday."
    )


def _next_anniversary(start: date, today: date) -> date:
    years = max(1, today.year - start.year)
    due = add_years(start, years)
    while due < today:
        years += 1
        due = add_years(start, years)
    return due


def review_deadlines(review: Review, dates: dict[str, date], today: date) -> list[Deadline]:
    """The deadlines of one review from its entered dates."""
    assert review.id is not None
    rid, owner = review.id, review.created_by
    out: list[Deadline] = []

    def add(
        key: str, title: str, due: date, basis: str, citation: str, unknown: list[int] | None = None
    ) -> None:
        out.append(
            Deadline(
                rid,
                key,
                f"Review {rid}: {title}",
                due,
                owner,
                basis,
                citation,
                _unpublished(unknown or []),
            )
        )

    if "approved" in dates:
        years = RENEWAL_YEARS.get(review.overall_level, 1)
        add(
            "renewal",
            f"renew the review ({review.overall_level} risk: every {years} y)",
            add_years(dates["approved"], years),
            f"approved {dates['approved']}",
            "xborder renewal cadence by risk level",
        )
    if "cac_assessment_issued" in dates:
        expiry = add_years(dates["cac_assessment_issued"], 3)
        window, unknown = add_prc_working_days(expiry, -60)
        add(
            "cac_extension_window",
            "CAC security assessment: extension window opens",
            window,
            f"issued {dates['cac_assessment_issued']}",
            "Security Assessment Measures Art. 14 (valid 3 years; extend within 60 working "
            "days before expiry)",
            unknown,
        )
        add(
            "cac_expiry",
            "CAC security assessment expires",
            expiry,
            f"issued {dates['cac_assessment_issued']}",
            "Security Assessment Measures Art. 14",
        )
    if "standard_contract_effective" in dates:
        filing, unknown = add_prc_working_days(dates["standard_contract_effective"], 10)
        add(
            "sc_filing",
            "file the standard contract with the provincial CAC",
            filing,
            f"took effect {dates['standard_contract_effective']}",
            "Standard Contract Measures Art. 7 (within 10 working days)",
            unknown,
        )
    if "doj_program_start" in dates:
        due = _next_anniversary(dates["doj_program_start"], today)
        add(
            "doj_audit",
            "DOJ annual independent audit",
            due,
            f"program since {dates['doj_program_start']}",
            "28 CFR 202.1002",
        )
        add(
            "doj_certification",
            "DOJ annual certification of the compliance program",
            due,
            f"program since {dates['doj_program_start']}",
            "28 CFR 202.1001",
        )
    if "ccpa_risk_assessment" in dates:
        add(
            "ccpa_risk_assessment",
            "review the CCPA risk assessment",
            add_years(dates["ccpa_risk_assessment"], 3),
            f"assessed {dates['ccpa_risk_assessment']}",
            "CCPA regulations on risk assessments (review at least every 3 years)",
        )
    return out


def set_review_dates(
    *, session: Session, review: Review, values: dict[str, date | None], actor: str
) -> dict[str, date]:
    """Enter or clear (None) dates of a review; audited. 422 for an unknown key."""
    unknown = sorted(k for k in values if k not in DATE_KEYS)
    if unknown:
        raise errors.ValidationFailed(
            "Unknown dates.", errors={k: [f"One of: {', '.join(DATE_KEYS)}."] for k in unknown}
        )
    assert review.id is not None
    before = get_review_dates(session=session, review_id=review.id)
    for key, value in values.items():
        row = session.get(ReviewDate, (review.id, key))
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        row = row or ReviewDate(review_id=review.id, key=key, value=value, set_by=actor)
        row.value, row.set_by, row.set_at = value, actor, utcnow()
        session.add(row)
    flush(session, "review date")
    after = get_review_dates(session=session, review_id=review.id or 0)
    if after != before:
        record_event(
            session=session,
            action="update",
            object_type="review_dates",
            object_id=str(review.id),
            before=_iso(before),
            after=_iso(after),
        )
    return after


def _iso(values: dict[str, date]) -> dict[str, str]:
    return {k: v.isoformat() for k, v in values.items()}


def get_review_dates(*, session: Session, review_id: int) -> dict[str, date]:
    """The dates entered for a review."""
    rows = session.execute(
        select(ReviewDate).where(col(ReviewDate.review_id) == review_id)
    ).scalars()
    return {r.key: r.value for r in rows}


def deadlines(*, session: Session, today: date, owners: list[str] | None = None) -> list[Deadline]:
    """The deadlines of open reviews (of these owners), soonest first."""
    query = select(Review).where(col(Review.status).in_(OPEN_STATUSES))
    if owners is not None:
        query = query.where(col(Review.created_by).in_(owners))
    reviews = {r.id: r for r in session.execute(query).scalars()}
    dates: dict[int, dict[str, date]] = {}
    if reviews:
        for row in session.execute(
            select(ReviewDate).where(col(ReviewDate.review_id).in_(list(reviews)))
        ).scalars():
            dates.setdefault(row.review_id, {})[row.key] = row.value
    out = [
        d for rid, values in dates.items() for d in review_deadlines(reviews[rid], values, today)
    ]
    return sorted(out, key=lambda d: (d.due, d.review_id, d.key))


def team_members(*, session: Session, team: str) -> list[str]:
    """A team is a role: the enabled people who hold it."""
    return list(
        session.execute(
            select(col(User.email)).where(col(User.role) == team, col(User.disabled).is_(False))
        ).scalars()
    )


def due_list(
    *, session: Session, today: date, owners: list[str], within_days: int
) -> dict[str, Any]:
    """Deadlines up to `within_days` ahead (and overdue ones) plus open tasks of these people."""
    horizon = today + timedelta(days=within_days)
    items = [d for d in deadlines(session=session, today=today, owners=owners) if d.due <= horizon]
    tasks = list(
        session.execute(
            select(Task)
            .where(col(Task.assignee).in_(owners), col(Task.status) == TASK_OPEN)
            .order_by(col(Task.id))
        ).scalars()
    )
    return {"deadlines": items, "tasks": tasks}


def remind_due(*, session: Session, day: date) -> int:
    """Notify owners of deadlines 30, 7 and 1 days ahead and on the day; how many."""
    from service.notifications.services import notify

    count = 0
    for d in deadlines(session=session, today=day):
        ahead = (d.due - day).days
        if ahead in REMIND_BEFORE:
            when = "today" if ahead == 0 else f"in {ahead} days ({d.due.isoformat()})"
            notify(
                session=session,
                event="deadline_approaching",
                recipients=[d.owner],
                subject=f"Due {when}: {d.title}"[:200],
                text=f"{d.title}\nDue {d.due.isoformat()} ({d.basis}; {d.citation}).",
                data={"review": d.review_id, "deadline": d.key, "due": d.due.isoformat()},
            )
            count += 1
    return count


# ------------------------------------------------------------------------ iCalendar feed


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_feed(*, session: Session, user: User) -> str:
    """A new secret for the person's feed (any earlier one stops working); audited."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    row = session.get(CalendarFeed, user.id) or CalendarFeed(user_id=user.id, secret_hash="")
    row.secret_hash, row.created_at = _hash(secret), utcnow()
    session.add(row)
    flush(session, "calendar feed")
    record_event(
        session=session,
        action="create",
        object_type="calendar_feed",
        object_id=user.email,
    )
    return secret


def revoke_feed(*, session: Session, user: User) -> None:
    """Stop the person's feed URL from working; audited."""
    row = session.get(CalendarFeed, user.id)
    if row is not None:
        session.delete(row)
        flush(session, "calendar feed")
        record_event(
            session=session,
            action="archive",
            object_type="calendar_feed",
            object_id=user.email,
        )


def feed_user(*, session: Session, secret: str) -> User:
    """Whose feed a secret opens; 404 for an unknown or revoked secret."""
    row = session.execute(
        select(CalendarFeed).where(col(CalendarFeed.secret_hash) == _hash(secret))
    ).scalar_one_or_none()
    user = session.get(User, row.user_id) if row is not None else None
    if user is None or user.disabled:
        raise errors.NotFound("No such calendar feed.")
    return user


def ical(items: list[Deadline], name: str) -> bytes:
    """The deadlines as an iCalendar file of all-day events."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//xborder//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = utcnow()
    for d in items:
        event = Event()
        event.add("uid", f"review-{d.review_id}-{d.key}@xborder")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.due)
        event.add("dtend", d.due + timedelta(days=1))
        event.add("summary", d.title)
        event.add("description", f"{d.basis}; {d.citation}")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
