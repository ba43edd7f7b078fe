"""Tasks, a review's change history and dates, due lists and the iCalendar feed over HTTP."""

from __future__ import annotations

from typing import Any

from flask import Response, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.auth.models import whose
from service.auth.permissions import allow, allow_public
from service.db import get_session
from service.lifecycle import deadlines, services
from service.lifecycle.schemas import (
    ChangesSchema,
    DatesSchema,
    DeadlineSchema,
    DueArgsSchema,
    DueSchema,
    FeedSchema,
    TaskArgsSchema,
    TaskSchema,
)
from service.reviews import policy
from service.reviews import services as reviews
from service.transfers.services import today

blp = Blueprint("lifecycle", __name__, url_prefix="/api/v1", description="Lifecycle")
feeds = Blueprint("calendar", __name__, url_prefix="/calendar")


@blp.route("/tasks")
class Tasks(MethodView):
    @allow("viewer")
    @blp.arguments(TaskArgsSchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Any]:
        """Tasks: yours by default; mine=false lists everyone's (legal, admin)."""
        user = g.current_user
        return services.list_tasks(
            session=get_session(), assignee=whose(user, not args["mine"]), status=args["status"]
        )


@blp.route("/tasks/<int:task_id>/done")
class TaskDone(MethodView):
    @allow("viewer")
    @blp.response(200, TaskSchema)
    def post(self, task_id: int) -> Any:
        """Mark a task done (its assignee or an admin)."""
        session, user = get_session(), g.current_user
        task = services.complete_task(session=session, task_id=task_id, user=user)
        session.commit()
        return task


@blp.route("/reviews/<int:review_id>/changes")
class ReviewChanges(MethodView):
    @allow("viewer")
    @blp.response(200, ChangesSchema)
    def get(self, review_id: int) -> dict[str, Any]:
        """What re-assessment changed on a review and why; assessments now out of date."""
        session = get_session()
        reviews.get_review_view(session=session, review_id=review_id)  # 404 when absent
        return {
            "changes": services.list_changes(session=session, review_id=review_id),
            "assessments_out_of_date": services.assessments_out_of_date(
                session=session, review_id=review_id
            ),
        }


@blp.route("/reviews/<int:review_id>/dates")
class ReviewDates(MethodView):
    @allow("viewer")
    @blp.response(200, DatesSchema)
    def get(self, review_id: int) -> dict[str, Any]:
        """The dates entered for a review (approval, CAC issue, contract effect, ...)."""
        session = get_session()
        reviews.get_review_view(session=session, review_id=review_id)
        return deadlines.get_review_dates(session=session, review_id=review_id)

    @allow("procurement", "legal")
    @blp.arguments(DatesSchema)
    @blp.response(200, DatesSchema)
    def patch(self, values: dict[str, Any], review_id: int) -> dict[str, Any]:
        """Enter or clear (null) dates; deadlines are computed from them."""
        session = get_session()
        view = reviews.get_review_view(session=session, review_id=review_id)
        policy.ensure_may_change(view.review, g.current_user)
        result = deadlines.set_review_dates(
            session=session, review=view.review, values=values, actor=g.current_user.email
        )
        session.commit()
        return result


@blp.route("/reviews/<int:review_id>/deadlines")
class ReviewDeadlines(MethodView):
    @allow("viewer")
    @blp.response(200, DeadlineSchema(many=True))
    def get(self, review_id: int) -> list[Any]:
        """A review's deadlines, computed from its dates and the rules."""
        session = get_session()
        view = reviews.get_review_view(session=session, review_id=review_id)
        dates = deadlines.get_review_dates(session=session, review_id=review_id)
        return deadlines.review_deadlines(view.review, dates, today())


@blp.route("/due")
class Due(MethodView):
    @allow("viewer")
    @blp.arguments(DueArgsSchema, location="query")
    @blp.response(200, DueSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """What is due: your reviews' deadlines and tasks, or a team's (team=<role>)."""
        session = get_session()
        owners = (
            deadlines.team_members(session=session, team=args["team"])
            if args.get("team")
            else [g.current_user.email]
        )
        return deadlines.due_list(
            session=session, today=today(), owners=owners, within_days=args["within_days"]
        )


@blp.route("/me/calendar-feed")
class CalendarFeedView(MethodView):
    @allow("viewer")
    @blp.response(201, FeedSchema)
    def post(self) -> dict[str, str]:
        """Make a secret iCalendar URL of your deadlines (replaces any earlier one)."""
        session = get_session()
        secret = deadlines.issue_feed(session=session, user=g.current_user)
        session.commit()
        return {"url": url_for("calendar.Feed", secret=secret, _external=True)}

    @allow("viewer")
    @blp.response(204)
    def delete(self) -> None:
        """Revoke your calendar URL."""
        session = get_session()
        deadlines.revoke_feed(session=session, user=g.current_user)
        session.commit()


@feeds.route("/<secret>.ics")
class Feed(MethodView):
    @allow_public
    def get(self, secret: str) -> Response:
        """A person's deadlines as iCalendar (the URL is the secret; 404 once revoked)."""
        session = get_session()
        user = deadlines.feed_user(session=session, secret=secret)
        items = deadlines.deadlines(session=session, today=today(), owners=[user.email])
        return Response(
            deadlines.ical(items, f"xborder: {user.email}"),
            mimetype="text/calendar",
            headers={"Cache-Control": "private, no-store"},
        )
