"""Read endpoints for countries, vendor categories and the data taxonomy."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from assessments.catalog.reference import Reference, country_codes, display_name
from service.auth.permissions import allow
from service.models import jsonable
from service.reference.schemas import CountrySchema, EntrySchema, TaxonomySchema
from service.reference.services import get_reference

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference data")


def country_facts(reference: Reference, code: str) -> dict[str, Any]:
    """What countries.yaml says of one country: EU/EEA membership, adequacy decisions, the
    DOJ and PADFA lists (with their start dates) and government-access laws; absent when none."""
    facts: dict[str, Any] = {}
    if code in reference.eea:
        facts["eu_eea"] = asdict(reference.eea[code])
    if code in reference.adequacy:
        facts["eu_adequacy"] = [asdict(a) for a in reference.adequacy[code]]
    for key, listing in (
        ("doj_country_of_concern", reference.doj_countries_of_concern),
        ("padfa_foreign_adversary", reference.padfa_foreign_adversaries),
    ):
        if code in listing.codes:
            facts[key] = {"since": listing.effective_from, "citation": listing.citation}
    if code in reference.government_access:
        facts["government_access"] = asdict(reference.government_access[code])
    result: dict[str, Any] = jsonable(facts)
    return result


@blp.get("/countries")
@allow("viewer")
@blp.response(200, CountrySchema(many=True))
def countries() -> list[dict[str, Any]]:
    """ISO 3166-1 countries with their transfer-law facts."""
    reference = get_reference()
    return [
        {"code": code, "name": display_name(code), "facts": country_facts(reference, code)}
        for code in sorted(country_codes())
    ]


@blp.get("/categories")
@allow("viewer")
@blp.response(200, EntrySchema(many=True))
def categories() -> list[Any]:
    """Vendor categories."""
    return list(get_reference().vendor_categories.values())


@blp.get("/taxonomy")
@allow("viewer")
@blp.response(200, TaxonomySchema)
def taxonomy() -> dict[str, Any]:
    """Data categories and purposes with their treatment per regime."""
    ref = get_reference()
    return {
        "data_categories": [asdict(c) for c in ref.data_categories.values()],
        "purposes": [asdict(p) for p in ref.purposes.values()],
    }
