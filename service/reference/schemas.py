"""Reference data shapes: vendor categories, countries with their facts, the taxonomy."""

from __future__ import annotations

from marshmallow import Schema, fields


class EntrySchema(Schema):
    """A vendor category: its id, name, kind and description."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()
    description = fields.String()


class CountrySchema(Schema):
    code = fields.String()
    name = fields.String()
    facts = fields.Dict()


class TaxonomySchema(Schema):
    data_categories = fields.List(fields.Dict())
    purposes = fields.List(fields.Dict())
