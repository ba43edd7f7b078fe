"""Reference data shapes: vendor categories, countries with their facts, the taxonomy."""

from __future__ import annotations

from marshmallow import Schema, fields

from assessments.catalog.categories import Category
from service.schemas import dataclass_schema

# A vendor category: its id, name, kind and description (the component `Entry`).
EntrySchema = dataclass_schema(Category, "EntrySchema")


class CountrySchema(Schema):
    code = fields.String()
    name = fields.String()
    facts = fields.Dict()


class TaxonomySchema(Schema):
    data_categories = fields.List(fields.Dict())
    purposes = fields.List(fields.Dict())
