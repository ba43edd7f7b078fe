"""Marshmallow schemas for vendors: what the API accepts and returns."""

from __future__ import annotations

from typing import Any

import pycountry
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

ROLES = ("processor", "controller")
PRODUCT_TYPES = ("sdk", "service", "platform")
STATUSES = ("active", "sunset", "licence_revoked", "sanctioned")
SLUG = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]$", error="Use 2-100 lowercase letters, digits and hyphens."
)


def validate_country(code: str) -> None:
    """Raise unless code is an ISO 3166-1 alpha-2 code."""
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError(f"'{code}' is not an ISO 3166-1 alpha-2 country code.")


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code, upper-cased."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = str(super()._deserialize(value, attr, data, **kwargs)).upper()
        validate_country(code)
        return code


class LegalEntitySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 300))
    country = CountryCode(allow_none=True)
    role = fields.String(
        load_default="hq",
        validate=validate.OneOf(("hq", "regional", "eu_representative", "operator")),
    )
    address = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class SdkSignatureSchema(Schema):
    android_packages = fields.List(
        fields.String(validate=validate.Length(1, 200)), load_default=list
    )
    ios_frameworks = fields.List(fields.String(validate=validate.Length(1, 200)), load_default=list)
    domains = fields.List(fields.String(validate=validate.Length(1, 253)), load_default=list)


class StatusSchema(Schema):
    value = fields.String(required=True, validate=validate.OneOf(STATUSES))
    since = fields.Date(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None)


class UrlsSchema(Schema):
    privacy_policy = fields.Url(allow_none=True)
    dpa = fields.Url(allow_none=True)
    subprocessors = fields.Url(allow_none=True)


class SourceSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(1, 1000))
    retrieved = fields.Date(allow_none=True)
    facts = fields.List(fields.String(), load_default=list)
    note = fields.String(allow_none=True)


class VendorWriteSchema(Schema):
    """Fields a client may set on a vendor (all optional; create adds requirements)."""

    name = fields.String(validate=validate.Length(1, 200))
    aliases = fields.List(fields.String(validate=validate.Length(1, 200)))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    category = fields.String(allow_none=True, validate=validate.Length(1, 60))
    product_type = fields.String(allow_none=True, validate=validate.OneOf(PRODUCT_TYPES))
    parent = fields.String(allow_none=True, validate=validate.Length(max=200))
    hq_country = CountryCode(allow_none=True)
    legal_entities = fields.List(fields.Nested(LegalEntitySchema))
    processing_countries = fields.List(CountryCode())
    data_categories = fields.List(fields.String(validate=validate.Length(1, 60)))
    default_role = fields.String(allow_none=True, validate=validate.OneOf(ROLES))
    certifications = fields.List(fields.String(validate=validate.Length(1, 60)))
    transfer_mechanisms = fields.List(fields.String(validate=validate.Length(1, 60)))
    dpf_certified = fields.Boolean(allow_none=True)
    covered_person_candidate = fields.Boolean(allow_none=True)
    sdk = fields.Nested(SdkSignatureSchema)
    status = fields.Nested(StatusSchema)
    urls = fields.Nested(UrlsSchema)
    sources = fields.List(fields.Nested(SourceSchema))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10000))
    last_verified = fields.Date(allow_none=True)

    @validates_schema
    def _no_duplicate_aliases(self, data: dict[str, Any], **_kwargs: Any) -> None:
        aliases = data.get("aliases") or []
        if len({a.casefold() for a in aliases}) != len(aliases):
            raise ValidationError("Aliases repeat.", "aliases")


class VendorCreateSchema(VendorWriteSchema):
    """A new vendor: slug and name are required."""

    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 200))


class VendorUpdateSchema(VendorWriteSchema):
    """A partial update (PATCH): only the fields given change."""


class VendorSchema(Schema):
    """A vendor as the API returns it."""

    slug = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    description = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    product_type = fields.String(allow_none=True)
    parent = fields.String(allow_none=True)
    hq_country = fields.String(allow_none=True)
    legal_entities = fields.List(fields.Dict())
    processing_countries = fields.List(fields.String())
    data_categories = fields.List(fields.String())
    default_role = fields.String(allow_none=True)
    certifications = fields.List(fields.String())
    transfer_mechanisms = fields.List(fields.String())
    dpf_certified = fields.Boolean(allow_none=True)
    covered_person_candidate = fields.Boolean(allow_none=True)
    sdk = fields.Dict()
    status = fields.Method("_status")
    urls = fields.Dict()
    sources = fields.List(fields.Dict())
    notes = fields.String(allow_none=True)
    last_verified = fields.Date(allow_none=True)
    archived = fields.Boolean()
    origin = fields.String()
    catalog_version = fields.String(allow_none=True)
    locally_edited = fields.Boolean()
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    score = fields.Float(dump_only=True, metadata={"description": "search relevance, with q="})

    def _status(self, vendor: Any) -> dict[str, Any]:
        since = vendor.status_since
        return {
            "value": vendor.status,
            "since": since.isoformat() if since else None,
            "note": vendor.status_note,
        }


class VendorPageSchema(Schema):
    """One page of vendors."""

    items = fields.List(fields.Nested(VendorSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


SORTS = (
    "name",
    "-name",
    "slug",
    "-slug",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "hq_country",
    "-hq_country",
    "relevance",
)


class VendorQueryArgsSchema(Schema):
    """Filters, search, sort and pagination for the vendor list."""

    q = fields.String(validate=validate.Length(1, 200))
    category = fields.String(validate=validate.Length(1, 60))
    hq_country = CountryCode()
    processing_country = CountryCode()
    data_category = fields.String(validate=validate.Length(1, 60))
    status = fields.String(validate=validate.OneOf(STATUSES))
    archived = fields.String(
        load_default="false", validate=validate.OneOf(("false", "true", "all"))
    )
    sort = fields.String(validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
