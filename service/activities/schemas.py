"""Marshmallow schemas for processing activities."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from service.activities.models import STATUSES
from service.paging import Many, PageArgs, page_schema
from service.reviews.models import Review
from service.reviews.schemas import VENDOR_SLUG, ReviewSchema

FACTS = (
    "The shared part of the Transfer (docs/transfer-contract.md): exporter (name required), "
    "data_subjects, data_categories, purposes, safeguards. Every review in the activity inherits "
    "them. On PATCH this object is merged into the stored one (RFC 7396: null removes a key)."
)
SENTENCE = validate.Length(max=2000)


class DisclosedVendorSchema(Schema):
    """A vendor the privacy policy names, with the sentence that names it."""

    slug = fields.String(required=True, validate=VENDOR_SLUG)
    name = fields.String(validate=validate.Length(max=200))
    sentence = fields.String(validate=SENTENCE)


class DisclosedFactSchema(Schema):
    """A data category or transfer mechanism the policy states, with its sentence."""

    id = fields.String(required=True, validate=validate.Length(1, 100))
    label = fields.String(validate=validate.Length(max=200))
    sentence = fields.String(validate=SENTENCE)


class DisclosuresSchema(Schema):
    """What the privacy policy discloses (from a scan)."""

    source = fields.String(
        validate=validate.Length(max=300), metadata={"description": "e.g. the file name"}
    )
    vendors = fields.List(fields.Nested(DisclosedVendorSchema), validate=validate.Length(max=500))
    data_categories = fields.List(
        fields.Nested(DisclosedFactSchema), validate=validate.Length(max=200)
    )
    mechanisms = fields.List(fields.Nested(DisclosedFactSchema), validate=validate.Length(max=50))


class ActivityVendorSchema(Schema):
    """One vendor to review in an activity; `transfer` holds only what differs from the activity."""

    vendor = fields.String(required=True, validate=VENDOR_SLUG)
    transfer = fields.Dict(
        load_default=dict,
        metadata={"description": "overrides of the activity's facts, and importer facts"},
    )
    purpose = fields.String(validate=validate.Length(1, 5000))
    business_owner = fields.String(allow_none=True, validate=validate.Length(max=200))
    requester = fields.String(validate=validate.Length(1, 254))
    status = fields.String(load_default="draft", validate=validate.OneOf(("draft", "submitted")))


class ActivityVendorsSchema(Schema):
    """Vendors to add to an activity, one review each, in one step."""

    vendors = fields.List(
        fields.Nested(ActivityVendorSchema), required=True, validate=validate.Length(1, 100)
    )


class ActivityWriteSchema(Schema):
    name = fields.String(validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    facts = fields.Dict(metadata={"description": FACTS})
    disclosures = fields.Nested(DisclosuresSchema)


class ActivityCreateSchema(ActivityWriteSchema):
    """A new activity, optionally with its first vendors (one review each)."""

    name = fields.String(required=True, validate=validate.Length(1, 200))
    facts = fields.Dict(required=True, metadata={"description": FACTS})
    vendors = fields.List(
        fields.Nested(ActivityVendorSchema), load_default=list, validate=validate.Length(max=100)
    )


class ActivityUpdateSchema(ActivityWriteSchema):
    """A partial update (PATCH); changed facts re-evaluate the activity's reviews."""

    status = fields.String(validate=validate.OneOf(STATUSES))


class ActivityReviewSchema(Schema):
    """A review in an activity, in short."""

    id = fields.Integer(attribute="review.id")
    vendor = fields.String(attribute="vendor.slug")
    vendor_name = fields.String(attribute="vendor.name")
    status = fields.String(attribute="review.status")
    verdicts = fields.Method("_verdicts")
    overall_level = fields.String(attribute="review.overall_level")
    activity_overrides = fields.Dict(attribute="review.activity_overrides")

    def _verdicts(self, view: Any) -> dict[str, str]:
        review: Review = view.review
        return review.verdicts()


class ActivitySchema(Schema):
    """An activity as the API returns it."""

    id = fields.Integer(attribute="activity.id")
    name = fields.String(attribute="activity.name")
    description = fields.String(attribute="activity.description", allow_none=True)
    facts = fields.Dict(attribute="activity.facts")
    disclosures = fields.Dict(attribute="activity.disclosures")
    status = fields.String(attribute="activity.status")
    created_by = fields.String(attribute="activity.created_by")
    review_count = fields.Integer()
    reviews = fields.List(fields.Nested(ActivityReviewSchema))
    reviews_updated = fields.List(
        fields.Integer(), metadata={"description": "on PATCH: the reviews re-evaluated"}
    )
    reviews_not_updated = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "on PATCH: reviews that keep their facts (approved), and why"},
    )
    version = fields.Integer(attribute="activity.version")
    created_at = fields.AwareDateTime(attribute="activity.created_at")
    updated_at = fields.AwareDateTime(attribute="activity.updated_at")


ActivityPageSchema = page_schema(ActivitySchema, "ActivityPageSchema", "One page of activities.")


class ActivityQueryArgsSchema(PageArgs):
    """Filters and pagination for the activity list."""

    status = Many(fields.String(validate=validate.OneOf(STATUSES)))
    q = fields.String(validate=validate.Length(1, 200), metadata={"description": "name contains"})
    vendor = Many(fields.String(validate=VENDOR_SLUG), metadata={"description": "has this vendor"})


class AddedReviewsSchema(Schema):
    reviews = fields.List(fields.Nested(ReviewSchema))


class ActivityOverviewSchema(Schema):
    """The activity page's data: heat map, PRC running total, unknowns, open work, gaps."""

    heat_map = fields.List(fields.Dict())
    prc = fields.Dict()
    unknowns = fields.List(fields.Dict(), data_key="unknown")
    open_work = fields.List(fields.Dict())
    disclosures = fields.Dict()
