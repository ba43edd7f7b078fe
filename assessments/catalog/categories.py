"""Vendor categories (vendor_data/categories.yaml): schema and frozen records."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from assessments.schema_bases import StrictSchema

CATEGORY_KINDS = frozenset({"sdk", "service", "platform", "organisation"})


@dataclass(frozen=True)
class Category:
    """A kind of vendor: what it does for the company that hands it personal data."""

    id: str
    name: str
    kind: str
    description: str


class CategorySchema(StrictSchema):
    """One entry of categories.yaml."""

    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(required=True, validate=validate.Length(min=10))
    kind = fields.String(required=True, validate=validate.OneOf(sorted(CATEGORY_KINDS)))
