"""The catalog's reference data: taxonomy.yaml, countries.yaml and categories.yaml, typed.

One Reference serves the engine, the transfer schema, the documents, the vendor checks, the
read endpoints, the web pages and the assistant (the app loads it from its CATALOG_DIR)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from assessments.catalog.categories import Category, CategorySchema
from assessments.schema_bases import DataclassSchema, StrictSchema
from assessments.types import in_force
from assessments.yamlio import safe_load
from vendor_data import DATA_DIR

ADEQUACY_SCOPES = ("whole", "dpf_certified", "commercial", "appi_business")
DOJ_CATEGORIES = (
    "human_genomic",
    "human_omic",
    "biometric_identifiers",
    "precise_geolocation",
    "personal_health",
    "personal_financial",
)
LISTED_IDENTIFIERS = (
    "government_id",
    "financial_account",
    "device",
    "demographic_contact",
    "advertising",
    "authentication",
    "network",
    "call_detail",
)


class ReferenceDataError(ValueError):
    """A reference data file does not validate."""


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class CnTreatment:
    """PIPL treatment of a data category."""

    sensitive: bool
    citation: str
    whereabouts: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class EuTreatment:
    """GDPR treatment: Art. 9 special category, Art. 10 criminal data, or neither."""

    special: str | None
    citation: str
    highly_personal: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DojTreatment:
    """28 CFR 202 treatment: sensitive personal data category, bulk threshold, listed identifier."""

    category: str | None
    threshold: int | None
    citation: str
    unit: str | None = None
    listed_identifier: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class FlagTreatment:
    """A yes/no treatment (CCPA sensitive PI, PADFA sensitive data) with its citation."""

    sensitive: bool
    citation: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DataCategory:
    """One taxonomy data category and how each regime treats it."""

    id: str
    name: str
    definition: str
    cn: CnTreatment
    eu: EuTreatment
    doj: DojTreatment
    ccpa: FlagTreatment
    padfa: FlagTreatment


@dataclass(frozen=True, slots=True)
class Purpose:
    """One taxonomy purpose and the legal hooks it has."""

    id: str
    name: str
    definition: str
    cn_contract_necessity: bool
    ccpa_cross_context_advertising: bool
    wp248_criteria: tuple[int, ...]
    citation: str


@dataclass(frozen=True, slots=True)
class Adequacy:
    """An EU adequacy decision for a country or international organisation."""

    subject: str
    decision: str
    effective_from: date
    effective_to: date | None
    scope: str
    citation: str
    scope_note: str | None = None

    def in_force(self, on: date) -> bool:
        """Whether the decision is in force on the day."""
        return in_force(self.effective_from, self.effective_to, on)


@dataclass(frozen=True, slots=True)
class Listing:
    """A dated list of countries (DOJ countries of concern, PADFA foreign adversaries)."""

    codes: frozenset[str]
    effective_from: date
    citation: str

    def listed(self, code: str, on: date) -> bool:
        """Whether the country is on the list on the day."""
        return on >= self.effective_from and code in self.codes


@dataclass(frozen=True, slots=True)
class EeaMember:
    """An EU/EEA member state; `until` is the last day of membership, if it ended."""

    code: str
    eu: bool
    until: date | None = None


@dataclass(frozen=True, slots=True)
class GovernmentAccess:
    """A destination's government-access laws, a driver of the EU transfer impact assessment."""

    code: str
    laws: tuple[str, ...]
    citation: str
    safeguards: str | None = None


@dataclass(frozen=True, slots=True)
class InternationalOrganisation:
    """An international organisation a transfer can go to (GDPR Art. 45(1))."""

    id: str
    name: str
    adequacy: Adequacy | None


@dataclass(frozen=True, slots=True)
class Reference:
    """Taxonomy, country facts and vendor categories; `version` covers what the engine reads
    (taxonomy and countries), so editing a vendor category re-evaluates nothing."""

    data_categories: Mapping[str, DataCategory]
    purposes: Mapping[str, Purpose]
    vendor_categories: Mapping[str, Category]
    eea: Mapping[str, EeaMember]
    adequacy: Mapping[str, tuple[Adequacy, ...]]
    organisations: Mapping[str, InternationalOrganisation]
    doj_countries_of_concern: Listing
    padfa_foreign_adversaries: Listing
    government_access: Mapping[str, GovernmentAccess]
    version: str

    def is_eea(self, code: str, on: date) -> bool:
        """Whether a country (or `EU`) is inside the EU/EEA on the day."""
        if code == "EU":
            return True
        member = self.eea.get(code)
        return member is not None and in_force(None, member.until, on)

    def adequacy_on(self, code: str, on: date) -> Adequacy | None:
        """The adequacy decision in force for a country or organisation on the day, if any."""
        org = self.organisations.get(code)
        if org is not None:
            return org.adequacy if org.adequacy and org.adequacy.in_force(on) else None
        for decision in self.adequacy.get(code, ()):
            if decision.in_force(on):
                return decision
        return None

    def name_of(self, code: str) -> str:
        """A display name for a country, subdivision, `EU` or organisation code."""
        return display_name(code, self)

    def category_name(self, ident: str) -> str:
        """A data category's name, or the id when the taxonomy lacks it."""
        category = self.data_categories.get(ident)
        return category.name if category else ident

    def purpose_name(self, ident: str) -> str:
        """A purpose's name, or the id when the taxonomy lacks it."""
        purpose = self.purposes.get(ident)
        return purpose.name if purpose else ident

    def vendor_category_name(self, ident: str) -> str:
        """A vendor category's name, or the id when categories.yaml lacks it."""
        category = self.vendor_categories.get(ident)
        return category.name if category else ident


# ---------------------------------------------------------------------------- schemas


class CnTreatmentSchema(DataclassSchema):
    builds = CnTreatment

    sensitive = fields.Boolean(required=True)
    whereabouts = fields.Boolean(load_default=False)
    citation = fields.String(required=True, validate=validate.Length(min=1))
    note = fields.String(load_default=None, allow_none=True)


class EuTreatmentSchema(DataclassSchema):
    builds = EuTreatment

    special = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(("art9", "art10"))
    )
    citation = fields.String(required=True, validate=validate.Length(min=1))
    highly_personal = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True)


class DojTreatmentSchema(DataclassSchema):
    builds = DojTreatment

    category = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(DOJ_CATEGORIES)
    )
    threshold = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0))
    unit = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(("persons", "devices"))
    )
    listed_identifier = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(LISTED_IDENTIFIERS)
    )
    citation = fields.String(required=True, validate=validate.Length(min=1))
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _category_with_threshold(self, data: dict[str, Any], **_: Any) -> None:
        if (data["category"] is None) != (data["threshold"] is None):
            raise ValidationError("category and threshold go together", "threshold")


class FlagTreatmentSchema(DataclassSchema):
    builds = FlagTreatment

    sensitive = fields.Boolean(required=True)
    citation = fields.String(required=True, validate=validate.Length(min=1))
    note = fields.String(load_default=None, allow_none=True)


_ID = validate.Regexp(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class DataCategorySchema(DataclassSchema):
    builds = DataCategory

    id = fields.String(required=True, validate=_ID)
    name = fields.String(required=True)
    definition = fields.String(required=True)
    cn = fields.Nested(CnTreatmentSchema, required=True)
    eu = fields.Nested(EuTreatmentSchema, required=True)
    doj = fields.Nested(DojTreatmentSchema, required=True)
    ccpa = fields.Nested(FlagTreatmentSchema, required=True)
    padfa = fields.Nested(FlagTreatmentSchema, required=True)


class PurposeSchema(StrictSchema):
    id = fields.String(required=True, validate=_ID)
    name = fields.String(required=True)
    definition = fields.String(required=True)
    cn_contract_necessity = fields.Boolean(required=True)
    ccpa_cross_context_advertising = fields.Boolean(required=True)
    wp248_criteria = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=9)), required=True
    )
    citation = fields.String(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Purpose:
        data["wp248_criteria"] = tuple(data["wp248_criteria"])
        return Purpose(**data)


class TaxonomySchema(StrictSchema):
    data_categories = fields.List(fields.Nested(DataCategorySchema), required=True)
    purposes = fields.List(fields.Nested(PurposeSchema), required=True)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 country code."""
    return frozenset(str(c.alpha_2) for c in pycountry.countries)


@lru_cache(maxsize=1)
def _subdivision_names() -> dict[str, str]:
    return {str(s.code): str(s.name) for s in pycountry.subdivisions}


def is_country(code: object) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code."""
    return isinstance(code, str) and code in country_codes()


def is_subdivision(code: object) -> bool:
    """Whether `code` is an ISO 3166-2 subdivision code such as `US-CA`."""
    return isinstance(code, str) and code in _subdivision_names()


def _iso_country(code: str) -> None:
    if not is_country(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 code")


class EeaMemberSchema(StrictSchema):
    code = fields.String(required=True, validate=_iso_country)
    eu = fields.Boolean(required=True)
    until = fields.Date(load_default=None, allow_none=True)


class EeaSchema(StrictSchema):
    citation = fields.String(required=True)
    members = fields.List(fields.Nested(EeaMemberSchema), required=True)


class AdequacySchema(StrictSchema):
    country = fields.String(load_default=None, validate=_iso_country)
    decision = fields.String(required=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(required=True, allow_none=True)
    scope = fields.String(required=True, validate=validate.OneOf(ADEQUACY_SCOPES))
    scope_note = fields.String(load_default=None, allow_none=True)
    citation = fields.String(required=True)


class OrganisationSchema(StrictSchema):
    id = fields.String(required=True, validate=validate.Regexp(r"^X[A-Z]{2,5}$"))
    name = fields.String(required=True)
    adequacy = fields.Nested(AdequacySchema, load_default=None, allow_none=True)


class ListedCountrySchema(StrictSchema):
    code = fields.String(required=True, validate=_iso_country)
    note = fields.String(load_default=None)


class ListingSchema(StrictSchema):
    citation = fields.String(required=True)
    effective_from = fields.Date(required=True)
    countries = fields.List(fields.Nested(ListedCountrySchema), required=True)


class GovernmentAccessSchema(StrictSchema):
    code = fields.String(required=True, validate=_iso_country)
    laws = fields.List(fields.String(), required=True)
    safeguards = fields.String(load_default=None, allow_none=True)
    citation = fields.String(required=True)


class CountriesSchema(StrictSchema):
    eu_eea = fields.Nested(EeaSchema, required=True)
    eu_adequacy = fields.List(fields.Nested(AdequacySchema), required=True)
    international_organisations = fields.List(fields.Nested(OrganisationSchema), load_default=[])
    doj_countries_of_concern = fields.Nested(ListingSchema, required=True)
    padfa_foreign_adversaries = fields.Nested(ListingSchema, required=True)
    government_access = fields.List(fields.Nested(GovernmentAccessSchema), load_default=[])


# ---------------------------------------------------------------------------- loading


def _read(path: Path) -> tuple[Any, bytes]:
    raw = path.read_bytes()
    return safe_load(raw), raw


def _unique(items: list[Any], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ReferenceDataError(f"duplicate {what} id {item.id!r}")
        seen.add(item.id)


def _vendor_categories(raw: Any) -> dict[str, Category]:
    items = raw.get("categories") if isinstance(raw, dict) else None
    try:
        loaded = CategorySchema(many=True).load(items if isinstance(items, list) else [])
    except ValidationError as exc:
        raise ReferenceDataError(f"categories.yaml does not validate: {exc.messages}") from exc
    categories = [Category(**item) for item in loaded]
    if not categories:
        raise ReferenceDataError("categories.yaml has no `categories` list")
    _unique(categories, "vendor category")
    return {c.id: c for c in categories}


def _adequacy(raw: dict[str, Any], subject: str) -> Adequacy:
    return Adequacy(
        subject=subject,
        decision=raw["decision"],
        effective_from=raw["effective_from"],
        effective_to=raw["effective_to"],
        scope=raw["scope"],
        citation=raw["citation"],
        scope_note=raw["scope_note"],
    )


def _listing(raw: dict[str, Any]) -> Listing:
    return Listing(
        codes=frozenset(c["code"] for c in raw["countries"]),
        effective_from=raw["effective_from"],
        citation=raw["citation"],
    )


def load_reference(data_dir: Path | None = None) -> Reference:
    """Load and validate taxonomy.yaml, countries.yaml and categories.yaml from a data directory."""
    base = data_dir or DATA_DIR
    taxonomy_raw, taxonomy_bytes = _read(base / "taxonomy.yaml")
    countries_raw, countries_bytes = _read(base / "countries.yaml")
    vendor_categories = _vendor_categories(_read(base / "categories.yaml")[0])
    try:
        taxonomy = TaxonomySchema().load(taxonomy_raw)
        countries = CountriesSchema().load(countries_raw)
    except ValidationError as exc:
        raise ReferenceDataError(f"reference data does not validate: {exc.messages}") from exc
    _unique(taxonomy["data_categories"], "data category")
    _unique(taxonomy["purposes"], "purpose")

    adequacy: dict[str, list[Adequacy]] = {}
    for raw in countries["eu_adequacy"]:
        if raw["country"] is None:
            raise ReferenceDataError("an eu_adequacy entry has no country")
        adequacy.setdefault(raw["country"], []).append(_adequacy(raw, raw["country"]))
    organisations = {
        org["id"]: InternationalOrganisation(
            id=org["id"],
            name=org["name"],
            adequacy=_adequacy(org["adequacy"], org["id"]) if org["adequacy"] else None,
        )
        for org in countries["international_organisations"]
    }
    version = hashlib.sha256(taxonomy_bytes + b"\0" + countries_bytes).hexdigest()[:12]
    return Reference(
        data_categories={c.id: c for c in taxonomy["data_categories"]},
        purposes={p.id: p for p in taxonomy["purposes"]},
        vendor_categories=vendor_categories,
        eea={m["code"]: EeaMember(**m) for m in countries["eu_eea"]["members"]},
        adequacy={code: tuple(items) for code, items in adequacy.items()},
        organisations=organisations,
        doj_countries_of_concern=_listing(countries["doj_countries_of_concern"]),
        padfa_foreign_adversaries=_listing(countries["padfa_foreign_adversaries"]),
        government_access={
            g["code"]: GovernmentAccess(
                code=g["code"],
                laws=tuple(g["laws"]),
                safeguards=g["safeguards"],
                citation=g["citation"],
            )
            for g in countries["government_access"]
        },
        version=version,
    )


@lru_cache(maxsize=1)
def default_reference() -> Reference:
    """The reference shipped in vendor_data/, loaded once."""
    return load_reference()


def display_name(code: str, reference: Reference | None = None) -> str:
    """A readable name for a country code, `US-CA` subdivision, `EU` or organisation id."""
    if code == "EU":
        return "EU/EEA"
    if reference is not None and code in reference.organisations:
        return reference.organisations[code].name
    if "-" in code:
        return _subdivision_names().get(code, code)
    return _country_name(code)


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    if not is_country(code):
        return code
    country: Any = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or getattr(country, "name", code))
