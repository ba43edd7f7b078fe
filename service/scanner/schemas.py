"""Marshmallow schemas for the policy scanner: the request (JSON or upload) and the report."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow_dataclass import class_schema
from werkzeug.datastructures import FileStorage

from assessments.scanner.extract import MAX_BYTES
from assessments.scanner.types import (
    AgeThreshold,
    ArticleCitation,
    Candidate,
    CrossBorderStatement,
    Place,
    Span,
    TermHit,
    VendorMatch,
)
from service.models import MAX_ROW_ID
from service.schemas import dataclass_schema

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


# The report's parts that are the scanner's dataclasses as they are. class_schema names each
# schema after its dataclass (`Span`), the OpenAPI component it had, and nests that same schema
# wherever another dataclass holds one; `CrossBorder` and `Article` are named as before.
SpanSchema = class_schema(Span)
VendorMatchSchema = class_schema(VendorMatch)


# Written out: the JSON puts `evidence`, a property of VendorHit, among its fields.
class VendorHitSchema(Schema):
    """A registry vendor the policy names, every span that names it, and the best evidence."""

    slug = fields.String()
    name = fields.String()
    confidence = fields.Float()
    evidence = fields.String()
    matches = fields.List(fields.Nested(VendorMatchSchema))


CandidateSchema = class_schema(Candidate)
TermHitSchema = class_schema(TermHit)
PlaceSchema = class_schema(Place)
CrossBorderSchema = dataclass_schema(CrossBorderStatement, "CrossBorderSchema")
AgeThresholdSchema = class_schema(AgeThreshold)
ArticleSchema = dataclass_schema(ArticleCitation, "ArticleSchema")


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


# Written out: the report adds the format, the text and the diff around ScanReport's fields,
# and dumps its language's scores as a mapping.
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
