"""HTTP views of reviews: thin, one service call each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service import errors
from service.api import make_etag, page_headers, require_if_match
from service.auth.permissions import allow
from service.db import get_session
from service.paging import Page
from service.reviews import services
from service.reviews.models import Review, ReviewEvaluation
from service.reviews.schemas import (
    ReviewCreateSchema,
    ReviewEvaluationArgsSchema,
    ReviewEvaluationPageSchema,
    ReviewPageSchema,
    ReviewQueryArgsSchema,
    ReviewSchema,
    ReviewUpdateSchema,
)
from service.transfers.services import get_rulebook, today

STALE_RETRIES = 3


def act_on_review(
    review_id: int,
    act: Callable[..., services.ReviewView],
    check: Callable[[str], None] | None = require_if_match,
    **args: Any,
) -> services.ReviewView:
    """Run a review action (update, evaluate, confirm a fact) as the caller on today's law,
    after `check(the review's current ETag)` (the API's If-Match, the web form's etag), and
    commit. The API and the web pages both act through it.

    A write that lands between this read and this write (a background re-assessment after a
    vendor change) makes the service raise StaleWrite. With a `check` the caller's version is
    gone: 412, as for a failed If-Match. Without one the caller holds no version (evaluate:
    "on the review as it is now"), so it is not the caller's conflict: the action runs again
    on the fresh row, up to STALE_RETRIES times."""
    session = get_session()
    attempts = STALE_RETRIES
    while True:
        attempts -= 1
        review = services.get_review(session=session, review_id=review_id)
        if check is not None:
            check(review_etag(review))
        try:
            view = act(
                session=session,
                review=review,
                user=g.current_user,
                rulebook=get_rulebook(),
                day=today(),
                **args,
            )
        except errors.StaleWrite as exc:
            session.rollback()
            if check is not None:  # the caller's version is gone: as a failed If-Match
                raise errors.PreconditionFailed(exc.detail) from exc
            if attempts == 0:
                raise
            continue
        session.commit()
        return view


blp = Blueprint("reviews", __name__, url_prefix="/api/v1/reviews", description="Vendor reviews")


def review_etag(review: Review) -> str:
    """The ETag of a review's current version."""
    return make_etag("review", review.id, review.version)


@blp.route("")
class Reviews(MethodView):
    @allow("viewer")
    @blp.arguments(ReviewQueryArgsSchema, location="query")
    @blp.response(200, ReviewPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[services.ReviewView], int, dict[str, str]]:
        """List reviews, filtered by status, vendor, verdict per regime or mechanism."""
        page = services.list_reviews(session=get_session(), args=args)
        return page, 200, page_headers("reviews.Reviews", page)

    @allow("procurement", "legal")
    @blp.arguments(ReviewCreateSchema)
    @blp.response(201, ReviewSchema)
    def post(self, data: dict[str, Any]) -> tuple[services.ReviewView, int, dict[str, str]]:
        """File a review of a transfer to a registry vendor; it is evaluated at once."""
        session = get_session()
        view = services.create_review(
            session=session, data=data, user=g.current_user, rulebook=get_rulebook(), day=today()
        )
        session.commit()
        location = url_for("reviews.ReviewItem", review_id=view.review.id)
        return view, 201, {"ETag": review_etag(view.review), "Location": location}


@blp.route("/<int:review_id>")
class ReviewItem(MethodView):
    @allow("viewer")
    @blp.response(200, ReviewSchema)
    def get(self, review_id: int) -> tuple[services.ReviewView, int, dict[str, str]]:
        """Read one review with its latest evaluation and warnings."""
        view = services.get_review_view(session=get_session(), review_id=review_id)
        return view, 200, {"ETag": review_etag(view.review)}

    @allow("procurement", "legal")
    @blp.arguments(ReviewUpdateSchema)
    @blp.response(200, ReviewSchema)
    def patch(
        self, changes: dict[str, Any], review_id: int
    ) -> tuple[services.ReviewView, int, dict[str, str]]:
        """Change a review (If-Match required); it is re-evaluated."""
        view = act_on_review(review_id, services.update_review, changes=changes)
        return view, 200, {"ETag": review_etag(view.review)}


@blp.route("/<int:review_id>/evaluate")
class ReviewEvaluate(MethodView):
    @allow("procurement", "legal")
    @blp.response(200, ReviewSchema)
    def post(self, review_id: int) -> tuple[services.ReviewView, int, dict[str, str]]:
        """Re-evaluate a review now; the previous evaluation stays in its history."""
        view = act_on_review(review_id, services.evaluate_review, check=None)
        return view, 200, {"ETag": review_etag(view.review)}


@blp.route("/<int:review_id>/asserted-facts/<int:index>/confirm")
class ReviewFactConfirm(MethodView):
    @allow("legal")
    @blp.response(200, ReviewSchema)
    def post(self, review_id: int, index: int) -> tuple[services.ReviewView, int, dict[str, str]]:
        """Confirm a pending asserted fact (If-Match required); the review is re-evaluated."""
        view = act_on_review(review_id, services.confirm_asserted_fact, index=index)
        return view, 200, {"ETag": review_etag(view.review)}


@blp.route("/<int:review_id>/evaluations")
class ReviewEvaluations(MethodView):
    @allow("viewer")
    @blp.arguments(ReviewEvaluationArgsSchema, location="query")
    @blp.response(200, ReviewEvaluationPageSchema)
    def get(
        self, args: dict[str, Any], review_id: int
    ) -> tuple[Page[ReviewEvaluation], int, dict[str, str]]:
        """A review's evaluations, newest first: rules version, as_of, when, by whom."""
        session = get_session()
        review = services.get_review(session=session, review_id=review_id)
        page = services.list_evaluations(session=session, review=review, **args)
        return page, 200, page_headers("reviews.ReviewEvaluations", page, review_id=review_id)
