"""The vendor record: its marshmallow schema and frozen dataclasses (loading: validation.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pycountry
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from assessments.catalog.vocabulary import (
    CERTIFICATIONS,
    DEFAULT_ROLES,
    ENTITY_ROLES,
    FACT_FIELDS,
    PRODUCT_TYPES,
    STATUS_VALUES,
    TRANSFER_MECHANISMS,
    URL_KINDS,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def is_country_code(code: str) -> bool:
    """True when `code` is an ISO 3166-1 alpha-2 code (upper case)."""
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def _validate_country(code: str) -> None:
    if not is_country_code(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


# ---- frozen records -------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalEntity:
    """A company that contracts for or runs the vendor's product."""

    name: str
    country: str | None
    role: str
    address: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SdkSignature:
    """How the vendor's SDK shows up in an app: package prefixes, frameworks, domains."""

    android_packages: tuple[str, ...] = ()
    ios_frameworks: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class VendorStatus:
    """Whether the vendor/product is active, sunset, lost its licence or is sanctioned."""

    value: str = "active"
    since: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Source:
    """Where facts of a record come from: a URL with its retrieval date, or a data-set ref."""

    facts: tuple[str, ...]
    url: str | None = None
    ref: str | None = None
    retrieved: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class VendorRecord:
    """One curated vendor of the catalog, as loaded from vendor_data/vendors/<slug>.yaml."""

    slug: str
    name: str
    category: str
    product_type: str
    sources: tuple[Source, ...]
    last_verified: date
    aliases: tuple[str, ...] = ()
    description: str | None = None
    parent: str | None = None
    hq_country: str | None = None
    legal_entities: tuple[LegalEntity, ...] = ()
    processing_countries: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    default_role: str | None = None
    certifications: tuple[str, ...] = ()
    transfer_mechanisms: tuple[str, ...] = ()
    dpf_certified: bool | None = None
    covered_person_candidate: bool | None = None
    sdk: SdkSignature | None = None
    status: VendorStatus = VendorStatus()
    urls: Mapping[str, str] | None = None
    notes: str | None = None
    content_hash: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by every alias."""
        return (self.name, *self.aliases)

    @property
    def hq_entity(self) -> LegalEntity | None:
        """The legal entity with role `hq`, if the record names one."""
        return next((e for e in self.legal_entities if e.role == "hq"), None)

    def to_plain(self) -> dict[str, Any]:
        """The record as JSON-ready primitives (dates as ISO strings), for the registry."""
        plain: dict[str, Any] = _plain(self)
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


# ---- schema ---------------------------------------------------------------------------------


def _country() -> fields.String:
    return fields.String(validate=_validate_country)


def _strings(**kwargs: Any) -> fields.List[str]:
    return fields.List(fields.String(validate=validate.Length(min=1, max=300)), **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LegalEntitySchema(_Strict):
    """A legal entity in a vendor record; country stays null when no source states it."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=300))
    country = fields.String(load_default=None, allow_none=True, validate=_validate_country)
    role = fields.String(required=True, validate=validate.OneOf(sorted(ENTITY_ROLES)))
    address = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class SdkSchema(_Strict):
    """SDK signatures of a vendor record."""

    android_packages = _strings(load_default=list)
    ios_frameworks = _strings(load_default=list)
    domains = _strings(load_default=list)


class StatusSchema(_Strict):
    """The status block of a vendor record."""

    value = fields.String(required=True, validate=validate.OneOf(sorted(STATUS_VALUES)))
    since = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class SourceSchema(_Strict):
    """One source of a vendor record."""

    url = fields.Url(load_default=None, allow_none=True, schemes={"https", "http"})
    ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=3))
    retrieved = fields.Date(load_default=None, allow_none=True)
    facts = fields.List(
        fields.String(validate=validate.OneOf(sorted(FACT_FIELDS))),
        required=True,
        validate=validate.Length(min=1),
    )
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _url_or_ref(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("url") and not data.get("ref"):
            raise ValidationError("A source needs a url or a ref.", "url")
        if data.get("url") and data.get("retrieved") is None:
            raise ValidationError("A url source needs its retrieval date.", "retrieved")


class VendorSchema(_Strict):
    """A vendor file; unknown fields are rejected."""

    slug = fields.String(
        required=True,
        validate=[validate.Regexp(SLUG_PATTERN), validate.Length(max=100)],
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    aliases = _strings(load_default=list)
    description = fields.String(load_default=None, allow_none=True)
    category = fields.String(required=True)
    product_type = fields.String(required=True, validate=validate.OneOf(sorted(PRODUCT_TYPES)))
    parent = fields.String(load_default=None, allow_none=True)
    hq_country = fields.String(load_default=None, allow_none=True, validate=_validate_country)
    legal_entities = fields.List(fields.Nested(LegalEntitySchema), load_default=list)
    processing_countries = fields.List(_country(), load_default=list)
    data_categories = _strings(load_default=list)
    purposes = _strings(load_default=list)
    default_role = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(sorted(DEFAULT_ROLES))
    )
    certifications = fields.List(
        fields.String(validate=validate.OneOf(sorted(CERTIFICATIONS))), load_default=list
    )
    transfer_mechanisms = fields.List(
        fields.String(validate=validate.OneOf(sorted(TRANSFER_MECHANISMS))), load_default=list
    )
    dpf_certified = fields.Boolean(load_default=None, allow_none=True, truthy={True}, falsy={False})
    covered_person_candidate = fields.Boolean(
        load_default=None, allow_none=True, truthy={True}, falsy={False}
    )
    sdk = fields.Nested(SdkSchema, load_default=None, allow_none=True)
    status = fields.Nested(StatusSchema, load_default=None, allow_none=True)
    urls = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(URL_KINDS))),
        values=fields.Url(allow_none=True, schemes={"https", "http"}),
        load_default=None,
        allow_none=True,
    )
    sources = fields.List(
        fields.Nested(SourceSchema), required=True, validate=validate.Length(min=1)
    )
    last_verified = fields.Date(required=True)
    notes = fields.String(load_default=None, allow_none=True)


def content_hash(raw: Any) -> str:
    """A stable sha256 of a parsed YAML value (for spotting changed catalog records)."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_record(loaded: Mapping[str, Any], raw: Any) -> VendorRecord:
    """Turn data that VendorSchema accepted into a frozen VendorRecord."""
    sdk = loaded.get("sdk")
    status = loaded.get("status")
    urls = loaded.get("urls")
    return VendorRecord(
        slug=loaded["slug"],
        name=loaded["name"],
        aliases=tuple(loaded["aliases"]),
        description=loaded["description"],
        category=loaded["category"],
        product_type=loaded["product_type"],
        parent=loaded["parent"],
        hq_country=loaded["hq_country"],
        legal_entities=tuple(LegalEntity(**e) for e in loaded["legal_entities"]),
        processing_countries=tuple(loaded["processing_countries"]),
        data_categories=tuple(loaded["data_categories"]),
        purposes=tuple(loaded["purposes"]),
        default_role=loaded["default_role"],
        certifications=tuple(loaded["certifications"]),
        transfer_mechanisms=tuple(loaded["transfer_mechanisms"]),
        dpf_certified=loaded["dpf_certified"],
        covered_person_candidate=loaded["covered_person_candidate"],
        sdk=(
            SdkSignature(
                android_packages=tuple(sdk["android_packages"]),
                ios_frameworks=tuple(sdk["ios_frameworks"]),
                domains=tuple(sdk["domains"]),
            )
            if sdk
            else None
        ),
        status=VendorStatus(**status) if status else VendorStatus(),
        urls={k: v for k, v in urls.items() if v} if urls else None,
        sources=tuple(
            Source(
                facts=tuple(s["facts"]),
                url=s["url"],
                ref=s["ref"],
                retrieved=s["retrieved"],
                note=s["note"],
            )
            for s in loaded["sources"]
        ),
        last_verified=loaded["last_verified"],
        notes=loaded["notes"],
        content_hash=content_hash(raw),
    )
