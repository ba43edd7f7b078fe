"""Read endpoints for countries, vendor categories and the data taxonomy."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.auth.permissions import allow
from service.reference.services import get_reference

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference data")


class EntrySchema(Schema):
    """A reference entry: its id plus whatever the catalog says of it."""

    class Meta:
        unknown = "include"

    id = fields.String()


class CountrySchema(Schema):
    code = fields.String()
    name = fields.String()
    facts = fields.Method("_facts")

    def _facts(self, country: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in country.items() if k not in {"code", "name"}}


class TaxonomySchema(Schema):
    data_categories = fields.List(fields.Dict())
    purposes = fields.List(fields.Dict())


@blp.get("/countries")
@allow("viewer")
@blp.response(200, CountrySchema(many=True))
def countries() -> list[dict[str, Any]]:
    """ISO 3166-1 countries with their transfer-law facts."""
    return list(get_reference().countries.values())


@blp.get("/categories")
@allow("viewer")
@blp.response(200, EntrySchema(many=True))
def categories() -> list[dict[str, Any]]:
    """Vendor categories."""
    return list(get_reference().vendor_categories.values())


@blp.get("/taxonomy")
@allow("viewer")
@blp.response(200, TaxonomySchema)
def taxonomy() -> dict[str, Any]:
    """Data categories and purposes with their treatment per regime."""
    ref = get_reference()
    return {
        "data_categories": list(ref.data_categories.values()),
        "purposes": list(ref.purposes.values()),
    }
