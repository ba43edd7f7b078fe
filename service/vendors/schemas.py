"""Marshmallow schemas for vendors: what the API accepts and returns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pycountry
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from assessments.catalog.vendors import (
    SLUG_PATTERN,
    DataLocationsSchema,
    DpfSchema,
    HistoryEventSchema,
    LegalEntitySchema,
    OwnershipSchema,
    SanctionSchema,
    SdkSchema,
    SourceSchema,
    StatusSchema,
    is_country_code,
    legacy_conflicts,
)
from assessments.catalog.vocabulary import (
    CERTIFICATIONS,
    DEFAULT_ROLES,
    PRODUCT_TYPES,
    STATUS_VALUES,
    TRANSFER_MECHANISMS,
    URL_KINDS,
)
from service.paging import Many, PageArgs, page_schema, sort_choices
from service.schemas import RecordSchema

# Every ISO 3166-1 alpha-2 code, once: a set lookup per valid value instead of a pycountry
# search; a miss still asks is_country_code, so the answer is always the same as before.
COUNTRY_CODES = frozenset(str(country.alpha_2) for country in pycountry.countries)


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; lower case is accepted and upper-cased."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = str(super()._deserialize(value, attr, data, **kwargs)).upper()
        if code not in COUNTRY_CODES and not is_country_code(code):
            raise ValidationError(f"'{code}' is not an ISO 3166-1 alpha-2 country code.")
        return code


MAX_LIST_ITEMS = 500
MAX_TEXT_CHARS = 10_000


def oversized(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first (field path, message) of a list or text over the vendor limits, else None."""
    found = _oversized(value)
    if found is None:
        return None
    keys, message = found
    for key in reversed(keys):  # the keys were collected innermost first
        path = f"{path}.{key}" if path else key
    return path, message


_TOO_LONG = f"Longer than {MAX_TEXT_CHARS} characters."
_TOO_MANY = f"More than {MAX_LIST_ITEMS} entries."
# Types _oversized has nothing to say about: items of these are skipped without a call.
_LEAVES = frozenset({type(None), bool, int, float, date, datetime})


def _oversized(value: Any) -> tuple[list[str], str] | None:
    # The path's keys are collected only on the way out of a find: a vendor's fields are
    # walked on every write and import, and almost never hold anything oversized. Strings
    # and scalars inside a list or dict are looked at in place, without a call each.
    if isinstance(value, str):
        return ([], _TOO_LONG) if len(value) > MAX_TEXT_CHARS else None
    if isinstance(value, list | tuple):
        if len(value) > MAX_LIST_ITEMS:
            return [], _TOO_MANY
        for item in value:
            kind = type(item)
            if kind is str:
                if len(item) > MAX_TEXT_CHARS:
                    return [], _TOO_LONG
            elif kind not in _LEAVES and (found := _oversized(item)):
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                if len(item) > MAX_TEXT_CHARS:
                    return [str(key)], _TOO_LONG
            elif kind not in _LEAVES and (found := _oversized(item)):
                found[0].append(str(key))
                return found
    return None


def _ids(vocabulary: frozenset[str]) -> fields.List[str]:
    return fields.List(fields.String(validate=validate.OneOf(sorted(vocabulary))))


class VendorWriteSchema(Schema):
    """Fields a client may set on a vendor; nested parts are the catalog's own schemas."""

    name = fields.String(validate=validate.Length(1, 200))
    aliases = fields.List(fields.String(validate=validate.Length(1, 200)))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    category = fields.String(allow_none=True, validate=validate.Length(1, 60))
    product_type = fields.String(allow_none=True, validate=validate.OneOf(sorted(PRODUCT_TYPES)))
    parent = fields.String(allow_none=True, validate=validate.Length(max=200))
    hq_country = CountryCode(allow_none=True)
    legal_entities = fields.List(fields.Nested(LegalEntitySchema))
    processing_countries = fields.List(CountryCode())
    data_categories = fields.List(fields.String(validate=validate.Length(1, 60)))
    purposes = fields.List(fields.String(validate=validate.Length(1, 60)))
    default_role = fields.String(allow_none=True, validate=validate.OneOf(sorted(DEFAULT_ROLES)))
    certifications = _ids(CERTIFICATIONS)
    transfer_mechanisms = _ids(TRANSFER_MECHANISMS)
    dpf_certified = fields.Boolean(allow_none=True)
    covered_person_candidate = fields.Boolean(allow_none=True)
    sdk = fields.Nested(SdkSchema, allow_none=True)
    status = fields.Nested(StatusSchema)
    urls = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(URL_KINDS))),
        values=fields.Url(allow_none=True, schemes={"https", "http"}),
        allow_none=True,
    )
    sources = fields.List(fields.Nested(SourceSchema))
    notes = fields.String(allow_none=True, validate=validate.Length(max=10000))
    last_verified = fields.Date(allow_none=True)
    ownership = fields.Nested(OwnershipSchema, allow_none=True)
    dpf = fields.Nested(DpfSchema, allow_none=True)
    sanctions = fields.List(fields.Nested(SanctionSchema))
    history = fields.List(fields.Nested(HistoryEventSchema))
    data_locations = fields.Nested(DataLocationsSchema, allow_none=True)
    certification_scopes = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(CERTIFICATIONS))),
        values=fields.String(validate=validate.Length(2, 500)),
        allow_none=True,
    )

    @validates_schema
    def _across_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        found = across_fields_errors(data)
        if found:
            raise ValidationError(found)


def across_fields_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """What the write schemas refuse across a vendor's fields, by field: a list or text over
    the vendor limits (nested ones included: sdk.domains, legal_entities[].note, ...), so that
    a vendor stays a size its own export, re-import and reports can carry; aliases that repeat;
    a legacy field beside the block that decides it. Empty when the data passes.

    The schemas' only check across fields (`_across_fields`); the import's row loader calls it
    on each merged row."""
    found: dict[str, list[str]] = {}
    problem = oversized(data)
    if problem is not None:
        found.setdefault(problem[0], []).append(problem[1])
    aliases = data.get("aliases") or []
    if len({a.casefold() for a in aliases}) != len(aliases):
        found.setdefault("aliases", []).append("Aliases repeat.")
    for legacy, block in legacy_conflicts(data):
        found.setdefault(legacy, []).append(f"`{block}` decides `{legacy}`; send one of them.")
        break  # the first conflict only
    return found


class VendorCreateSchema(VendorWriteSchema):
    """A new vendor: slug and name are required."""

    slug = fields.String(
        required=True,
        validate=[
            validate.Regexp(
                SLUG_PATTERN, error="Use lowercase letters, digits and single hyphens."
            ),
            validate.Length(2, 100),
        ],
    )
    name = fields.String(required=True, validate=validate.Length(1, 200))


class VendorUpdateSchema(VendorWriteSchema):
    """A partial update (PATCH): only the fields given change."""


class VendorSchema(RecordSchema):
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
    purposes = fields.List(fields.String())
    default_role = fields.String(allow_none=True)
    certifications = fields.List(fields.String())
    transfer_mechanisms = fields.List(fields.String())
    dpf_certified = fields.Boolean(allow_none=True)
    covered_person_candidate = fields.Boolean(allow_none=True)
    sdk = fields.Dict(allow_none=True)
    status = fields.Method("_status")
    urls = fields.Dict(allow_none=True)
    sources = fields.List(fields.Dict())
    notes = fields.String(allow_none=True)
    last_verified = fields.Date(allow_none=True)
    ownership = fields.Function(lambda v: v.ownership or None, allow_none=True)
    dpf = fields.Function(lambda v: v.dpf or None, allow_none=True)
    sanctions = fields.List(fields.Dict())
    sanctioned = fields.Boolean(
        dump_only=True,
        metadata={"description": "the vendor or an owner is designated on a sanctions list"},
    )
    history = fields.List(fields.Dict())
    data_locations = fields.Function(lambda v: v.data_locations or None, allow_none=True)
    certification_scopes = fields.Dict()
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


VendorPageSchema = page_schema(VendorSchema, "VendorPageSchema", "One page of vendors.")


SORTS = (*sort_choices("name", "slug", "created_at", "updated_at", "hq_country"), "relevance")


class VendorQueryArgsSchema(PageArgs):
    """Filters, search, sort and pagination for the vendor list."""

    q = fields.String(validate=validate.Length(1, 200))
    category = Many(
        fields.String(validate=validate.Length(1, 60)), metadata={"description": "any of these"}
    )
    hq_country = Many(CountryCode(), metadata={"description": "any of these"})
    processing_country = Many(CountryCode(), metadata={"description": "processes in any of these"})
    data_category = Many(
        fields.String(validate=validate.Length(1, 60)),
        metadata={"description": "receives every one of these"},
    )
    status = Many(
        fields.String(validate=validate.OneOf(sorted(STATUS_VALUES))),
        metadata={"description": "any of these"},
    )
    dpf_certified = fields.Boolean()
    in_use = fields.Boolean(
        metadata={"description": "true: only our vendors (with an open review or in an activity)"}
    )
    archived = fields.String(
        load_default="false", validate=validate.OneOf(("false", "true", "all"))
    )
    sort = fields.String(validate=validate.OneOf(SORTS))
