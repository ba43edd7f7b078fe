"""HTTP views of processing activities: thin, one service call each."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.activities import services
from service.activities.models import Activity
from service.activities.schemas import (
    ActivityCreateSchema,
    ActivityOverviewSchema,
    ActivityPageSchema,
    ActivityQueryArgsSchema,
    ActivitySchema,
    ActivityUpdateSchema,
    ActivityVendorsSchema,
    AddedReviewsSchema,
)
from service.api import make_etag, page_headers, require_if_match
from service.auth.permissions import allow
from service.db import get_session
from service.paging import Page
from service.transfers.services import get_rulebook, today

blp = Blueprint(
    "activities",
    __name__,
    url_prefix="/api/v1/activities",
    description="Processing activities: shared facts, one review per vendor",
)


def activity_etag(activity: Activity) -> str:
    """The ETag of an activity's current version."""
    return make_etag("activity", activity.id, activity.version)


def _view(activity: Activity, change: services.ActivityChange | None = None) -> Any:
    reviews = services.activity_reviews(session=get_session(), activity=activity)
    return services.ActivityView(activity, reviews, change)


@blp.route("")
class Activities(MethodView):
    @allow("viewer")
    @blp.arguments(ActivityQueryArgsSchema, location="query")
    @blp.response(200, ActivityPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[services.ActivityView], int, dict[str, str]]:
        """List activities, filtered by status, name or vendor."""
        page = services.list_activities_with_counts(session=get_session(), args=args)
        return page, 200, page_headers("activities.Activities", page)

    @allow("procurement", "legal")
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, data: dict[str, Any]) -> tuple[Any, int, dict[str, str]]:
        """Create an activity, optionally with one review per vendor; all evaluated at once."""
        session = get_session()
        activity = services.create_activity(
            session=session, data=data, user=g.current_user, rulebook=get_rulebook(), day=today()
        )
        session.commit()
        location = url_for("activities.ActivityItem", activity_id=activity.id)
        return _view(activity), 201, {"ETag": activity_etag(activity), "Location": location}


@blp.route("/<int:activity_id>")
class ActivityItem(MethodView):
    @allow("viewer")
    @blp.response(200, ActivitySchema)
    def get(self, activity_id: int) -> tuple[Any, int, dict[str, str]]:
        """Read one activity with its reviews."""
        activity = services.get_activity(session=get_session(), activity_id=activity_id)
        return _view(activity), 200, {"ETag": activity_etag(activity)}

    @allow("procurement", "legal")
    @blp.arguments(ActivityUpdateSchema)
    @blp.response(200, ActivitySchema)
    def patch(self, changes: dict[str, Any], activity_id: int) -> tuple[Any, int, dict[str, str]]:
        """Change an activity (If-Match required); changed facts re-evaluate its reviews."""
        session = get_session()
        activity = services.get_activity(session=session, activity_id=activity_id)
        require_if_match(activity_etag(activity))
        change = services.update_activity(
            session=session,
            activity=activity,
            changes=changes,
            user=g.current_user,
            rulebook=get_rulebook(),
            day=today(),
        )
        session.commit()
        return _view(activity, change), 200, {"ETag": activity_etag(activity)}


@blp.route("/<int:activity_id>/vendors")
class ActivityVendors(MethodView):
    @allow("procurement", "legal")
    @blp.arguments(ActivityVendorsSchema)
    @blp.response(201, AddedReviewsSchema)
    def post(self, data: dict[str, Any], activity_id: int) -> tuple[Any, int, dict[str, str]]:
        """Add vendors to an activity: one review each, inheriting its facts, in one step."""
        session = get_session()
        activity = services.get_activity(session=session, activity_id=activity_id)
        added = services.add_vendors(
            session=session,
            activity=activity,
            items=data["vendors"],
            user=g.current_user,
            rulebook=get_rulebook(),
            day=today(),
        )
        session.commit()
        return {"reviews": added}, 201, {"ETag": activity_etag(activity)}


@blp.route("/<int:activity_id>/overview")
class ActivityOverview(MethodView):
    @allow("viewer")
    @blp.response(200, ActivityOverviewSchema)
    def get(self, activity_id: int) -> dict[str, Any]:
        """Vendors x regimes, the exporter's PRC total, unknowns, open work, policy gaps."""
        session = get_session()
        activity = services.get_activity(session=session, activity_id=activity_id)
        return services.overview(
            session=session, activity=activity, rulebook=get_rulebook(), day=today()
        )
