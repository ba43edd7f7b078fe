"""Marshmallow schemas for reviews: what the API accepts and returns."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from assessments.types import MECHANISMS, VERDICTS
from service.models import MAX_ROW_ID
from service.paging import Many, PageArgs, page_schema, sort_choices
from service.reviews.models import STATUSES
from service.reviews.services import YTD_LISTED
from service.transfers.schemas import EvaluationSchema, TransferWarningSchema

VENDOR_SLUG = validate.Length(1, 100)
TRANSFER_IN_REVIEW = (
    "The rest of the Transfer (docs/transfer-contract.md) without importer.vendor: exporter "
    "(its name is required: reviews of one exporter share its PRC thresholds), data_subjects, "
    "data_categories, purposes, safeguards, ... Importer facts come from the registry vendor "
    "unless given here. Leave as_of out to have every evaluation apply the law of its day. "
    "On PATCH this object is merged into the stored one (RFC 7396: null removes a key)."
)

ASSERTED_FACTS = (
    "Facts the registry lacks, stated for this review only (shown as user-asserted, audited): "
    "a list of {fact, value, source_url, note}. fact is dpf (value: {status: active|inactive|"
    "not_listed, entity, parts}), ownership (value: {parent: {name, country, share}, ...}), "
    "hq_country (value: a country code) or data_locations (value: {processing: [codes]}). "
    "source_url must be an address a person can open. An assertion stops applying once the "
    "registry records that fact. On PATCH the list replaces the stored one."
)


class ReviewWriteSchema(Schema):
    """Fields a client may set on a review (all optional; create adds requirements)."""

    vendor = fields.String(validate=VENDOR_SLUG, metadata={"description": "registry slug"})
    transfer = fields.Dict(metadata={"description": TRANSFER_IN_REVIEW})
    requester = fields.String(
        validate=validate.Length(1, 254),
        metadata={"description": "who asks for the vendor (default: the caller)"},
    )
    business_owner = fields.String(allow_none=True, validate=validate.Length(max=200))
    purpose = fields.String(validate=validate.Length(1, 5000))
    status = fields.String(validate=validate.OneOf(STATUSES))
    asserted_facts = fields.List(
        fields.Dict(),
        validate=validate.Length(max=20),
        metadata={"description": ASSERTED_FACTS},
    )


class ReviewCreateSchema(ReviewWriteSchema):
    """A new review: vendor, transfer and purpose are required; it starts as draft or submitted."""

    vendor = fields.String(required=True, validate=VENDOR_SLUG)
    transfer = fields.Dict(required=True, metadata={"description": TRANSFER_IN_REVIEW})
    purpose = fields.String(required=True, validate=validate.Length(1, 5000))
    status = fields.String(load_default="draft", validate=validate.OneOf(("draft", "submitted")))


class ReviewUpdateSchema(ReviewWriteSchema):
    """A partial update (PATCH): only the fields given change; `transfer` is merge-patched."""


class ReviewOutboundYtdSchema(Schema):
    """The PRC head-count this exporter already sends abroad, as used in the evaluation."""

    non_sensitive = fields.Integer()
    sensitive = fields.Integer()
    source = fields.String(
        metadata={"description": "declared (by the client), other_reviews, or none"}
    )
    reviews = fields.List(
        fields.Integer(), metadata={"description": f"the reviews summed (the first {YTD_LISTED})"}
    )
    review_count = fields.Integer(metadata={"description": "how many reviews were summed"})
    note = fields.String(allow_none=True)
    window_start = fields.String(
        metadata={"description": "first day of the PRC counting window of the law in force"}
    )


class ReviewVendorSchema(Schema):
    """The review's vendor as the registry has it now."""

    slug = fields.String()
    name = fields.String()
    status = fields.String()
    archived = fields.Boolean()


class ReviewSchema(Schema):
    """A review as the API returns it, with its latest evaluation and warnings."""

    id = fields.Integer()
    vendor = fields.Nested(ReviewVendorSchema, metadata={"description": "the registry vendor"})
    transfer = fields.Dict(
        metadata={"description": "the Transfer (in an activity: its facts with the overrides)"}
    )
    activity_id = fields.Integer(
        data_key="activity",
        allow_none=True,
        metadata={"description": "the processing activity it belongs to, if any"},
    )
    activity_overrides = fields.Dict(
        metadata={"description": "in an activity: the facts this review sets differently"}
    )
    asserted_facts = fields.List(
        fields.Dict(), metadata={"description": "user-asserted facts, each with `applies`"}
    )
    pending_facts = fields.List(
        fields.Dict(),
        metadata={
            "description": "asserted facts awaiting legal's confirmation (not used by the "
            "evaluation), each with its `index` for .../asserted-facts/<index>/confirm"
        },
    )
    requester = fields.String()
    business_owner = fields.String(allow_none=True)
    purpose = fields.String()
    status = fields.String()
    created_by = fields.String()
    warnings = fields.List(fields.Nested(TransferWarningSchema))
    verdicts = fields.Dict(metadata={"description": "verdict per regime"})
    evaluation = fields.Nested(EvaluationSchema)
    cn_outbound_ytd = fields.Nested(ReviewOutboundYtdSchema)
    as_of = fields.Date()
    rules_version = fields.String()
    reference_version = fields.String()
    evaluated_at = fields.AwareDateTime()
    evaluated_by = fields.String()
    evaluation_count = fields.Integer()
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    @pre_dump
    def _flatten(self, view: Any, **_kwargs: Any) -> dict[str, Any]:
        """A ReviewView: the review's columns, its vendor, warnings and asserted facts."""
        review = view.review
        columns = {name: getattr(review, name) for name in _REVIEW_COLUMNS}
        return {
            **columns,
            "vendor": view.vendor,
            "warnings": view.warnings,
            "asserted_facts": view.asserted,
            "pending_facts": view.pending,
            "verdicts": review.verdicts(),
        }


_REVIEW_COLUMNS = tuple(
    name
    for name in ReviewSchema().fields
    if name not in ("vendor", "warnings", "asserted_facts", "pending_facts", "verdicts")
)


ReviewPageSchema = page_schema(ReviewSchema, "ReviewPageSchema", "One page of reviews.")


SORTS = sort_choices("created_at", "updated_at", "overall_score", "id")


ANY = {"description": "any of these (repeat the parameter)"}


class ReviewQueryArgsSchema(PageArgs):
    """Filters, sort and pagination for the review list."""

    status = Many(fields.String(validate=validate.OneOf(STATUSES)), metadata=ANY)
    vendor = fields.String(validate=VENDOR_SLUG)
    cn_verdict = Many(fields.String(validate=validate.OneOf(VERDICTS)), metadata=ANY)
    eu_verdict = Many(fields.String(validate=validate.OneOf(VERDICTS)), metadata=ANY)
    us_verdict = Many(fields.String(validate=validate.OneOf(VERDICTS)), metadata=ANY)
    verdict = Many(
        fields.String(validate=validate.OneOf(VERDICTS)),
        metadata={"description": "reviews whose CN, EU or US verdict is any of these"},
    )
    mechanism = Many(
        fields.String(validate=validate.OneOf(MECHANISMS)),
        metadata={"description": "reviews whose CN, EU or US result rests on any of these"},
    )
    exporter = fields.String(
        validate=validate.Length(1, 300), metadata={"description": "exporter name (folded)"}
    )
    activity = Many(
        fields.Integer(validate=validate.Range(1, MAX_ROW_ID)),
        metadata={"description": "reviews in any of these processing activities"},
    )
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(SORTS))


class ReviewEvaluationSchema(Schema):
    """One evaluation in a review's history: inputs, answer, rules version, when and by whom."""

    seq = fields.Integer()
    reason = fields.String(metadata={"description": "create, update, evaluate or reevaluate"})
    evaluated_at = fields.AwareDateTime()
    evaluated_by = fields.String()
    rules_version = fields.String()
    reference_version = fields.String()
    as_of = fields.Date()
    transfer = fields.Dict(metadata={"description": "the Transfer as the engine received it"})
    evaluation = fields.Nested(EvaluationSchema)


ReviewEvaluationPageSchema = page_schema(
    ReviewEvaluationSchema,
    "ReviewEvaluationPageSchema",
    "One page of a review's evaluations, newest first.",
)


class ReviewEvaluationArgsSchema(PageArgs):
    """Pagination of a review's evaluations."""
