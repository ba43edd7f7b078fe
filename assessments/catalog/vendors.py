"""The vendor record: its marshmallow schema and frozen dataclasses (loading: validation.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pycountry
from marshmallow import ValidationError, fields, validate, validates_schema

from assessments.catalog.vocabulary import (
    CERTIFICATIONS,
    DEFAULT_ROLES,
    DPF_PARTS,
    DPF_STATUSES,
    ENTITY_ROLES,
    FACT_FIELDS,
    HISTORY_EVENTS,
    PRODUCT_TYPES,
    SANCTION_LISTS,
    STATUS_VALUES,
    TRANSFER_MECHANISMS,
    URL_KINDS,
)
from assessments.schema_bases import PERCENT, StrictSchema

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@lru_cache(maxsize=1024)  # each distinct code looked up once (imports repeat a few hundred)
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
class Owner:
    """A company that holds (part of) the vendor: the direct parent or the top of the chain."""

    name: str
    country: str | None = None  # where the owner is headquartered
    organised_in: str | None = None  # country of incorporation, when it differs
    share: float | None = None  # percent held; None when no source says
    since: date | None = None


@dataclass(frozen=True)
class Ownership:
    """Who owns the vendor: `independent`, or a direct parent and the ultimate parent."""

    independent: bool = False
    parent: Owner | None = None
    ultimate_parent: Owner | None = None
    note: str | None = None

    @property
    def owners(self) -> tuple[Owner, ...]:
        """The direct parent and the ultimate parent, each once, in that order."""
        found = [o for o in (self.parent, self.ultimate_parent) if o is not None]
        if len(found) == 2 and found[0].name == found[1].name:
            found = found[:1]
        return tuple(found)


@dataclass(frozen=True)
class DpfFact:
    """The vendor's entry in the EU-U.S. Data Privacy Framework list, as last checked."""

    status: str  # active | inactive | not_listed
    checked: date
    entity: str | None = None
    parts: tuple[str, ...] = ()
    note: str | None = None
    recertification_due: date | None = None  # the DPF List's next re-certification date


@dataclass(frozen=True)
class Sanction:
    """A designation on a sanctions list of the vendor itself or of an owner."""

    party: str
    lists: tuple[str, ...]
    designated: date | None = None
    through_ownership: bool = False
    note: str | None = None


@dataclass(frozen=True)
class HistoryEvent:
    """A dated change of the vendor: a rename, a sale, a revoked licence."""

    date: date
    event: str
    detail: str
    to: str | None = None


@dataclass(frozen=True)
class DataLocations:
    """Where the vendor processes and stores customer data, and the regions one can choose."""

    processing: tuple[str, ...] = ()
    storage: tuple[str, ...] = ()
    selectable_regions: tuple[str, ...] = ()
    note: str | None = None

    @property
    def filled(self) -> bool:
        """True when the block states at least one country or region."""
        return bool(self.processing or self.storage or self.selectable_regions)


@dataclass(frozen=True)
class Certification:
    """A certification the vendor states, with its scope when the vendor gives one."""

    id: str
    scope: str | None = None


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
    ownership: Ownership | None = None
    dpf: DpfFact | None = None
    sanctions: tuple[Sanction, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    data_locations: DataLocations | None = None
    certification_scopes: Mapping[str, str] | None = None
    content_hash: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The display name followed by every alias."""
        return (self.name, *self.aliases)

    @property
    def hq_entity(self) -> LegalEntity | None:
        """The legal entity with role `hq`, if the record names one."""
        return next((e for e in self.legal_entities if e.role == "hq"), None)

    @property
    def sanctioned(self) -> bool:
        """True when the vendor or an owner is designated on a sanctions list."""
        return is_sanctioned(self.sanctions, self.status.value)

    def to_plain(self) -> dict[str, Any]:
        """The record as JSON-ready primitives (dates as ISO strings), for the registry."""
        plain: dict[str, Any] = _plain(self)
        return plain


def is_sanctioned(sanctions: Sequence[object], status: str) -> bool:
    """Whether a vendor with these `sanctions` entries (records or their JSON) and this status
    value counts as sanctioned: any designation, of it or an owner, or `status: sanctioned`.
    The one rule: the catalog's records and the registry's vendors both ask it."""
    return bool(sanctions) or status == "sanctioned"


def covered_person_reasons(record: VendorRecord, concern: frozenset[str]) -> list[str]:
    """Why the vendor is a DOJ covered-person candidate (28 CFR 202.211): its HQ, or an owner
    headquartered or organised in a country of concern holding 50 % or more, directly
    (`parent`) or indirectly (`ultimate_parent`). Empty when nothing shows it; an owner whose
    share no source states is left to the person who reads the source."""
    reasons: list[str] = []
    if record.hq_country in concern:
        reasons.append(f"HQ country {record.hq_country}")
    return reasons + owner_concern_reasons(record.ownership, concern)


def owner_concern_reasons(ownership: Ownership | None, concern: frozenset[str]) -> list[str]:
    """The owners holding 50 % or more that are headquartered or organised in `concern`."""
    if ownership is None:
        return []
    reasons: list[str] = []
    chain = (("parent", ownership.parent), ("ultimate_parent", ownership.ultimate_parent))
    for role, owner in chain:
        if owner is None or owner.share is None or owner.share < 50:
            continue
        where = sorted(c for c in (owner.country, owner.organised_in) if c in concern)
        if where:
            reasons.append(f"{role} {owner.name} ({'/'.join(where)}) holds {owner.share:g}%")
    return reasons


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


class LegalEntitySchema(StrictSchema):
    """A legal entity in a vendor record; country stays null when no source states it."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=300))
    country = fields.String(load_default=None, allow_none=True, validate=_validate_country)
    role = fields.String(required=True, validate=validate.OneOf(sorted(ENTITY_ROLES)))
    address = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class SdkSchema(StrictSchema):
    """SDK signatures of a vendor record."""

    android_packages = _strings(load_default=list)
    ios_frameworks = _strings(load_default=list)
    domains = _strings(load_default=list)


class StatusSchema(StrictSchema):
    """The status block of a vendor record."""

    value = fields.String(required=True, validate=validate.OneOf(sorted(STATUS_VALUES)))
    since = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)


class OwnerSchema(StrictSchema):
    """A parent or ultimate parent in the ownership block."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=300))
    country = fields.String(load_default=None, allow_none=True, validate=_validate_country)
    organised_in = fields.String(load_default=None, allow_none=True, validate=_validate_country)
    share = fields.Float(load_default=None, allow_none=True, validate=PERCENT)
    since = fields.Date(load_default=None, allow_none=True)


class OwnershipSchema(StrictSchema):
    """Who owns the vendor; `independent: true` when no company holds 50% or more."""

    independent = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    parent = fields.Nested(OwnerSchema, load_default=None, allow_none=True)
    ultimate_parent = fields.Nested(OwnerSchema, load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _independent_or_owned(self, data: dict[str, Any], **_: Any) -> None:
        owners = data.get("parent") or data.get("ultimate_parent")
        if data.get("independent") and owners:
            raise ValidationError(
                "An independent vendor names no parent or ultimate_parent.", "independent"
            )
        if not data.get("independent") and not owners:
            raise ValidationError(
                "Name the parent (and ultimate_parent), or set independent: true.", "parent"
            )


class DpfSchema(StrictSchema):
    """The vendor's Data Privacy Framework entry; leave the block out when unknown."""

    status = fields.String(required=True, validate=validate.OneOf(sorted(DPF_STATUSES)))
    entity = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 300))
    parts = fields.List(
        fields.String(validate=validate.OneOf(sorted(DPF_PARTS))), load_default=list
    )
    checked = fields.Date(required=True)
    note = fields.String(load_default=None, allow_none=True)
    # The DPF List's "next re-certification due" date of an active entry: from that day on,
    # without a newer check, the certification counts as lapsed (the strict side).
    recertification_due = fields.Date(allow_none=True)

    @validates_schema
    def _listed_entity(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("status") in {"active", "inactive"} and not data.get("entity"):
            raise ValidationError("A listed DPF status names the listed entity.", "entity")
        if data.get("status") == "not_listed" and data.get("parts"):
            raise ValidationError("A vendor that is not listed has no DPF parts.", "parts")


class SanctionSchema(StrictSchema):
    """One designation: who, on which lists, since when, directly or through an owner."""

    party = fields.String(required=True, validate=validate.Length(min=2, max=300))
    lists = fields.List(
        fields.String(validate=validate.OneOf(sorted(SANCTION_LISTS))),
        required=True,
        validate=validate.Length(min=1),
    )
    designated = fields.Date(load_default=None, allow_none=True)
    through_ownership = fields.Boolean(load_default=False, truthy={True}, falsy={False})
    note = fields.String(load_default=None, allow_none=True)


class HistoryEventSchema(StrictSchema):
    """A dated rename, sale, acquisition, merger, revoked licence, founding or sunset."""

    date = fields.Date(required=True)
    event = fields.String(required=True, validate=validate.OneOf(sorted(HISTORY_EVENTS)))
    detail = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    to = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 300))


class DataLocationsSchema(StrictSchema):
    """Processing and storage countries, and the regions a customer can choose."""

    processing = fields.List(_country(), load_default=list)
    storage = fields.List(_country(), load_default=list)
    selectable_regions = _strings(load_default=list)
    note = fields.String(load_default=None, allow_none=True)


class CertificationSchema(StrictSchema):
    """A certification with the scope the vendor states."""

    id = fields.String(required=True, validate=validate.OneOf(sorted(CERTIFICATIONS)))
    scope = fields.String(load_default=None, allow_none=True, validate=validate.Length(2, 500))


class CertificationField(fields.Field[dict[str, Any]]):
    """A certification written as a plain id (`iso_27001`) or as `{id, scope}`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, Mapping):
            raise ValidationError("Write a certification id or {id, scope}.")
        return CertificationSchema().load(value)


class SourceSchema(StrictSchema):
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


class VendorSchema(StrictSchema):
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
    certifications = fields.List(CertificationField(), load_default=list)
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
    ownership = fields.Nested(OwnershipSchema, load_default=None, allow_none=True)
    dpf = fields.Nested(DpfSchema, load_default=None, allow_none=True)
    sanctions = fields.List(fields.Nested(SanctionSchema), load_default=list)
    history = fields.List(fields.Nested(HistoryEventSchema), load_default=list)
    data_locations = fields.Nested(DataLocationsSchema, load_default=None, allow_none=True)

    @validates_schema
    def _one_way_to_say_it(self, data: dict[str, Any], **_: Any) -> None:
        """A legacy field and the block that replaces it may not both be filled."""
        for legacy, block in legacy_conflicts(data):
            message = f"`{block}` replaces `{legacy}`: remove the `{legacy}` line."
            raise ValidationError(message, legacy)


# The pre-issue-12 fields and the blocks that replace them (REGISTRY_FORMAT.md); the legacy
# field stays readable, and VendorRecord derives it from the block when the block is used.
LEGACY_FIELDS = {
    "parent": "ownership",
    "dpf_certified": "dpf",
    "processing_countries": "data_locations",
}


def content_hash(raw: Any) -> str:
    """A stable sha256 of a parsed YAML value (for spotting changed catalog records)."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _owner(data: Mapping[str, Any] | None) -> Owner | None:
    return Owner(**data) if data else None


def build_ownership(data: Mapping[str, Any] | None) -> Ownership | None:
    """An Ownership from an `ownership` block that OwnershipSchema accepted."""
    if not data:
        return None
    return Ownership(
        independent=bool(data.get("independent")),
        parent=_owner(data.get("parent")),
        ultimate_parent=_owner(data.get("ultimate_parent")),
        note=data.get("note"),
    )


def build_dpf(data: Mapping[str, Any] | None) -> DpfFact | None:
    """A DpfFact from a `dpf` block that DpfSchema accepted."""
    if not data:
        return None
    return DpfFact(
        status=data["status"],
        checked=data["checked"],
        entity=data.get("entity"),
        parts=tuple(data.get("parts") or ()),
        note=data.get("note"),
        recertification_due=data.get("recertification_due"),
    )


def derived_legacy(data: Mapping[str, Any]) -> dict[str, Any]:
    """The legacy fields that filled blocks of `data` (a loaded record or API input) decide:
    `parent` from `ownership.parent.name` (None for an independent vendor), `dpf_certified`
    (True for an active DPF entry, False for inactive / not listed) and
    `processing_countries` from `data_locations.processing`. Absent or empty blocks decide
    nothing."""
    derived: dict[str, Any] = {}
    ownership = data.get("ownership")
    if ownership:
        parent = ownership.get("parent")
        derived["parent"] = parent.get("name") if parent else None
    dpf = data.get("dpf")
    if dpf:
        derived["dpf_certified"] = dpf.get("status") == "active"
    locations = data.get("data_locations")
    if locations:
        derived["processing_countries"] = list(locations.get("processing") or [])
    return derived


def without_derived(data: Mapping[str, Any]) -> dict[str, Any]:
    """`data` with the legacy fields that a filled block decides emptied (null, or [] for
    `processing_countries`): they are derived again when the record is written, and an
    empty legacy field passes the one-way-to-say-it check."""
    blank: dict[str, Any] = {"parent": None, "dpf_certified": None, "processing_countries": []}
    return {
        key: blank[key] if key in LEGACY_FIELDS and data.get(LEGACY_FIELDS[key]) else value
        for key, value in data.items()
    }


def legacy_conflicts(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(legacy field, block) pairs that `data` fills both of; one way to say a fact."""
    return [
        (legacy, block)
        for legacy, block in LEGACY_FIELDS.items()
        if data.get(legacy) not in (None, [], "") and data.get(block)
    ]


def build_record(loaded: Mapping[str, Any], raw: Any) -> VendorRecord:
    """Turn data that VendorSchema accepted into a frozen VendorRecord."""
    sdk = loaded.get("sdk")
    status = loaded.get("status")
    urls = loaded.get("urls")
    ownership = build_ownership(loaded.get("ownership"))
    dpf = build_dpf(loaded.get("dpf"))
    locations = loaded.get("data_locations")
    data_locations = (
        DataLocations(
            processing=tuple(locations["processing"]),
            storage=tuple(locations["storage"]),
            selectable_regions=tuple(locations["selectable_regions"]),
            note=locations["note"],
        )
        if locations
        else None
    )
    certifications = [Certification(**c) for c in loaded["certifications"]]
    scopes = {c.id: c.scope for c in certifications if c.scope}
    legacy = {**loaded, **derived_legacy(loaded)}
    return VendorRecord(
        slug=loaded["slug"],
        name=loaded["name"],
        aliases=tuple(loaded["aliases"]),
        description=loaded["description"],
        category=loaded["category"],
        product_type=loaded["product_type"],
        parent=legacy["parent"],
        hq_country=loaded["hq_country"],
        legal_entities=tuple(LegalEntity(**e) for e in loaded["legal_entities"]),
        processing_countries=tuple(legacy["processing_countries"]),
        data_categories=tuple(loaded["data_categories"]),
        purposes=tuple(loaded["purposes"]),
        default_role=loaded["default_role"],
        certifications=tuple(c.id for c in certifications),
        transfer_mechanisms=tuple(loaded["transfer_mechanisms"]),
        dpf_certified=legacy["dpf_certified"],
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
        ownership=ownership,
        dpf=dpf,
        sanctions=tuple(Sanction(**{**s, "lists": tuple(s["lists"])}) for s in loaded["sanctions"]),
        history=tuple(HistoryEvent(**h) for h in loaded["history"]),
        data_locations=data_locations,
        certification_scopes=scopes or None,
        content_hash=content_hash(raw),
    )
