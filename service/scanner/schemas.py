"""Marshmallow schemas for the policy scanner: the request (JSON or upload) and the report."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import FileStorage

from assessments.scanner.extract import MAX_BYTES
from service.models import MAX_ROW_ID

FORMATS = ("text", "html", "pdf")


class FileUpload(Upload):  # type: ignore[misc]  # flask-smorest ships no type hints
    """A multipart file part; a plain form field of the same name is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Upload the policy as a file part, not a form field.")
        return value


class ScanRequestSchema(Schema):
    """A policy to scan: pasted `text` (JSON) or an uploaded `file` (multipart), not both."""

    text = fields.String(
        validate=validate.Length(min=1, max=MAX_BYTES),
        metadata={"description": "The policy text (or HTML source with format=html)."},
    )
    file = FileUpload(metadata={"description": "A text, HTML or PDF file of at most 5 MiB."})
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "text, html or pdf (pdf only for files); default: detected"},
    )
    review_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ROW_ID),
        metadata={"description": "Compare with the vendors reviewed for this review's exporter."},
    )

    @validates_schema
    def _text_or_file(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("text" in data) == ("file" in data):
            raise ValidationError(
                'Send the policy as JSON {"text": ...} or upload it as multipart field `file`.',
                "text",
            )
        if "text" in data and data.get("format") == "pdf":
            raise ValidationError("Upload a PDF as a file; pasted text is text or html.", "format")


class SpanSchema(Schema):
    start = fields.Integer()
    end = fields.Integer()
    text = fields.String()


class VendorMatchSchema(Schema):
    span = fields.Nested(SpanSchema)
    how = fields.String(
        metadata={"enum": ["name", "alias", "sdk", "legal_entity", "domain", "brand"]}
    )
    alias = fields.String()
    confidence = fields.Float()
    evidence = fields.String()


class VendorHitSchema(Schema):
    """A registry vendor the policy names, every span that names it, and the best evidence."""

    slug = fields.String()
    name = fields.String()
    confidence = fields.Float()
    evidence = fields.String()
    matches = fields.List(fields.Nested(VendorMatchSchema))


class CandidateSchema(Schema):
    """A third party named in the policy that the registry lacks."""

    name = fields.String()
    cue = fields.String(metadata={"enum": ["legal_form", "sdk", "provided_by"]})
    spans = fields.List(fields.Nested(SpanSchema))
    evidence = fields.String()


class TermHitSchema(Schema):
    """A lexicon id (data category, vendor category, mechanism, law, right) and its spans."""

    id = fields.String()
    spans = fields.List(fields.Nested(SpanSchema))
    evidence = fields.String()


class PlaceSchema(Schema):
    id = fields.String(metadata={"description": "ISO 3166-1 alpha-2 code or a region id"})
    span = fields.Nested(SpanSchema)


class CrossBorderSchema(Schema):
    """A sentence about sending, storing or accessing data across borders."""

    span = fields.Nested(SpanSchema)
    places = fields.List(fields.Nested(PlaceSchema))
    mechanisms = fields.List(fields.String())
    storage_in_prc = fields.Boolean()
    in_principle = fields.Boolean()


class AgeThresholdSchema(Schema):
    kind = fields.String(metadata={"enum": ["under", "range"]})
    age = fields.Integer()
    max_age = fields.Integer(allow_none=True)
    span = fields.Nested(SpanSchema)
    evidence = fields.String()


class ArticleSchema(Schema):
    law = fields.String()
    article = fields.String()
    span = fields.Nested(SpanSchema)


class LanguageSchema(Schema):
    code = fields.String(metadata={"enum": ["en", "pl", "de", "zh", "und"]})
    confidence = fields.Float()
    scores = fields.Dict(keys=fields.String(), values=fields.Float())


class VendorDiffSchema(Schema):
    """The policy's vendors against the vendors reviewed for the same exporter."""

    review_id = fields.Integer()
    exporter = fields.String()
    disclosed_not_reviewed = fields.List(fields.String())
    reviewed_not_disclosed = fields.List(fields.String())
    disclosed_and_reviewed = fields.List(fields.String())


class ScanReportSchema(Schema):
    """What the policy discloses: vendors, data, recipients, transfers, ages, laws."""

    format = fields.String(metadata={"enum": list(FORMATS)})
    text = fields.String(
        allow_none=True,
        metadata={"description": "The text as read (uploads, HTML): span offsets point into it."},
    )
    language = fields.Nested(LanguageSchema)
    characters = fields.Integer()
    catalog_version = fields.String()
    vendors = fields.List(fields.Nested(VendorHitSchema))
    candidates = fields.List(fields.Nested(CandidateSchema))
    own_entities = fields.List(fields.Nested(CandidateSchema))
    vendor_categories = fields.List(fields.Nested(TermHitSchema))
    other_recipients = fields.List(fields.Nested(TermHitSchema))
    data_categories = fields.List(fields.Nested(TermHitSchema))
    cross_border = fields.List(fields.Nested(CrossBorderSchema))
    places = fields.List(fields.Nested(TermHitSchema))
    mechanisms = fields.List(fields.Nested(TermHitSchema))
    storage_in_prc = fields.List(fields.Nested(SpanSchema))
    children = fields.List(fields.Nested(AgeThresholdSchema))
    laws = fields.List(fields.Nested(TermHitSchema))
    articles = fields.List(fields.Nested(ArticleSchema))
    rights = fields.List(fields.Nested(TermHitSchema))
    template_notes = fields.List(fields.Nested(SpanSchema))
    diff = fields.Nested(VendorDiffSchema, allow_none=True)
