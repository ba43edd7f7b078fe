"""What is due (per person and per team), tasks, and notification preferences in the UI.

The same schemas and services as the API (service/lifecycle/views.py,
service/notifications/views.py): a bad value is the API's 422 (a page for a browser,
problem+json for a program), and every change is audited by the service.
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service import errors
from service.auth.models import whose
from service.auth.permissions import allow
from service.db import get_session
from service.lifecycle import deadlines, policy, services
from service.lifecycle.models import TASK_DONE, Task
from service.lifecycle.schemas import DueArgsSchema, TaskArgsSchema
from service.notifications import services as notifications
from service.notifications.models import EVENTS
from service.notifications.schemas import PreferencesSchema
from service.transfers.services import today
from service.web import forms
from service.web.blueprint import web
from service.web.pages.account import safe_next

EVENT_LABELS = {
    "verdict_changed": "A review's verdict changed on re-assessment",
    "approval_requested": "An assessment was sent for approval",
    "approval_decided": "An approval was decided",
    "deadline_approaching": "A deadline is approaching (30, 7, 1 days before, on the day)",
    "list_import_changed_facts": "An official list import changed vendor facts",
}


def task_rows(tasks: list[Task]) -> dict[str, Any]:
    """What web/_task_rows.html reads: the tasks, the ids of those the signed-in user may
    close now (the rows with a Done button), and the status of a closed task."""
    closable = {int(t.id or 0) for t in tasks if policy.may_complete(t, g.current_user)}
    return {"tasks": tasks, "closable": closable, "task_done": TASK_DONE}


def _args(schema: Any) -> dict[str, Any]:
    """Query arguments through the API's schema (blank fields left out); a bad one is the
    API's 422, its detail naming the fields (the error page shows no form)."""
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return forms.load(schema, raw)
    except errors.ValidationFailed as exc:
        named = forms.flatten_errors(exc.errors or {})
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(named.items()))
        raise errors.ValidationFailed(detail, errors=exc.errors) from exc


@allow("viewer")
@web.get("/due")
def due() -> str:
    """Your deadlines and open tasks, or a team's (a role), up to `within_days` ahead."""
    args = _args(DueArgsSchema())
    session = get_session()
    team = args.get("team")
    owners = deadlines.team_members(session=session, team=team) if team else [g.current_user.email]
    day = today()
    listed = deadlines.due_list(
        session=session, today=day, owners=owners, within_days=args["within_days"]
    )
    return render_template(
        "web/due.html",
        active_page="due",
        team=team,
        within_days=args["within_days"],
        today=day,
        items=sorted(listed["deadlines"], key=lambda d: (d.due, d.review_id, d.key)),
        **task_rows(listed["tasks"]),
    )


@allow("viewer")
@web.get("/tasks")
def tasks() -> str:
    """Tasks: yours, open by default; legal and admins may list everyone's (mine=false)."""
    args = _args(TaskArgsSchema())
    user = g.current_user
    assignee = whose(user, not args["mine"])
    found = services.list_tasks(session=get_session(), assignee=assignee, status=args["status"])
    return render_template(
        "web/tasks.html",
        active_page="due",
        **task_rows(found),
        status=args["status"],
        everyone=assignee is None,
        may_list_all=policy.may_list_all(user),
    )


@allow("viewer")
@web.post("/tasks/<int:task_id>/done")
def task_done(task_id: int) -> Response:
    """Mark a task done (its assignee or an admin), then back to the page it was done on."""
    session, user = get_session(), g.current_user
    services.complete_task(session=session, task_id=task_id, user=user)
    session.commit()
    return redirect(safe_next(request.form.get("back") or url_for("web.tasks")), code=303)


def _preferences_page(form: forms.FormState, *, saved: bool = False) -> str:
    return render_template(
        "web/notifications.html",
        form=form,
        saved=saved,
        events=[{"value": e, "label": EVENT_LABELS.get(e, e)} for e in EVENTS],
    )


@allow("viewer")
@web.get("/me/notifications")
def notification_preferences() -> str:
    """Whether you get email, and for which events."""
    current = notifications.get_preferences(session=get_session(), user=g.current_user)
    return _preferences_page(forms.FormState(current))


@allow("viewer")
@web.post("/me/notifications")
def save_notification_preferences() -> str | tuple[str, int]:
    """Save your preferences with the API's schema and service (audited)."""
    session = get_session()
    values = forms.raw_values(request.form, multi=("events",))
    body = {"email": values.get("email") == "on", "events": values.get("events", [])}
    try:
        if not body["events"]:  # the service reads no events as every event
            raise errors.ValidationFailed(
                "Some fields need attention; see below.",
                errors={"events": ["Tick at least one event (untick email to get none)."]},
            )
        data = forms.load(PreferencesSchema(), body)
        saved = notifications.set_preferences(session=session, user=g.current_user, changes=data)
    except errors.DomainError as exc:
        session.rollback()
        return _preferences_page(forms.state_from_error(body, exc)), exc.status
    session.commit()
    return _preferences_page(forms.FormState(saved), saved=True)
