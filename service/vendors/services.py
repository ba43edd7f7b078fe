"""Vendor registry operations: keyword-only, take a session, flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, select
from sqlmodel import Session, col

from assessments.catalog.names import name_key
from assessments.catalog.reference import Reference
from assessments.catalog.vendors import LEGACY_FIELDS, derived_legacy, is_sanctioned
from assessments.catalog.vocabulary import FACT_FIELDS
from service import errors
from service.audit.services import record_event
from service.auth.models import User
from service.db import chunks, flush, table_of
from service.lifecycle.signals import vendor_changed
from service.models import jsonable, utcnow
from service.paging import Page, RankedPage, paginate, sort_order, values_of
from service.reviews.models import OPEN_STATUSES, Review
from service.vendors import policy, search
from service.vendors.models import (
    FACET_DATA_CATEGORY,
    FACET_PROCESSING_COUNTRY,
    Vendor,
    VendorAlias,
    VendorFacet,
)
from service.vendors.names import NameIndex, next_registry_version

# Fields stored as plain columns or JSON, set straight from validated input: the catalog's
# fact fields (status has columns of its own) plus the record's bookkeeping.
PLAIN_FIELDS = (
    *sorted(FACT_FIELDS - {"status"}),
    "certification_scopes",
    "sources",
    "notes",
    "last_verified",
)

# JSON object fields: null from a client or the catalog is stored as {}.
_MAPPING_FIELDS = frozenset(
    {"sdk", "urls", "ownership", "dpf", "data_locations", "certification_scopes"}
)
_LIST_FIELDS = frozenset({"sanctions", "history"})
# Blocks that are unknown until filled: stored as {}, shown (API, audit, export) as null.
_OPTIONAL_BLOCKS = frozenset({"ownership", "dpf", "data_locations"})

_SORT_COLUMNS: dict[str, Any] = {
    "name": col(Vendor.name),
    "slug": col(Vendor.slug),
    "created_at": col(Vendor.created_at),
    "updated_at": col(Vendor.updated_at),
    "hq_country": col(Vendor.hq_country),
}


# Search hits scoring below this (0-200 scale) are noise, not matches.
MIN_RELEVANCE = 60.0


def vendor_snapshot(vendor: Vendor) -> dict[str, Any]:
    """A vendor's facts as plain JSON-able values (for audit diffs and exports)."""
    data = {field: getattr(vendor, field) for field in PLAIN_FIELDS}
    for block in _OPTIONAL_BLOCKS:
        data[block] = data[block] or None
    data["slug"] = vendor.slug
    data["status"] = {
        "value": vendor.status,
        "since": vendor.status_since.isoformat() if vendor.status_since else None,
        "note": vendor.status_note,
    }
    data["archived"] = vendor.archived
    if isinstance(data["last_verified"], date):
        data["last_verified"] = data["last_verified"].isoformat()
    return data


def check_references(data: Mapping[str, Any], reference: Reference) -> None:
    """422 when the record names a vendor category or data category the reference lacks."""
    problems: dict[str, list[str]] = {}
    category = data.get("category")
    if category and category not in reference.vendor_categories:
        problems["category"] = [f"'{category}' is not a vendor category (GET /api/v1/categories)."]
    unknown = [c for c in data.get("data_categories") or [] if c not in reference.data_categories]
    if unknown:
        problems["data_categories"] = [
            f"Not in the taxonomy (GET /api/v1/taxonomy): {', '.join(unknown)}."
        ]
    if problems:
        raise errors.ValidationFailed("The vendor names unknown ids; see errors.", errors=problems)


def apply_fields(vendor: Vendor, data: Mapping[str, Any]) -> None:
    """Set a vendor's stored fields (and its search text) from validated input; `parent`,
    `dpf_certified` and `processing_countries` follow the blocks that decide them."""
    data = {**data, **derived_legacy(data)}
    for field in PLAIN_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field in _MAPPING_FIELDS:
                value = {}
            if value is None and field in _LIST_FIELDS:
                value = []
            setattr(vendor, field, value if field == "last_verified" else jsonable(value))
    if "status" in data:
        status = data["status"]
        vendor.status = status["value"]
        vendor.status_since = status.get("since")
        vendor.status_note = status.get("note")
    entities = " ".join(e.get("name", "") for e in vendor.legal_entities)
    vendor.search_text = " ".join(
        p
        for p in (
            vendor.name,
            " ".join(vendor.aliases),
            entities,
            vendor.parent or "",
            vendor.description or "",
        )
        if p
    )


# Large enough for the names and aliases of a 100,000-vendor file (about 3 per vendor), so
# that the keys an import's validation computes are found again when its rows are written.
@lru_cache(maxsize=1 << 20)
def _key(text: str) -> str:
    return name_key(text)


def alias_keys(name: str, aliases: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Folded key -> (alias as written, is the name) for a vendor's name and aliases."""
    keys: dict[str, tuple[str, bool]] = {}
    for i, alias in enumerate([name, *aliases]):
        key = _key(alias)
        if key and key not in keys:
            keys[key] = (alias, i == 0)
    return keys


def key_owners(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Which vendor (slug) already holds each of these alias keys."""
    wanted = list(dict.fromkeys(keys))
    owners: dict[str, str] = {}
    for part in chunks(wanted):
        rows = session.execute(
            select(col(VendorAlias.key), col(Vendor.slug))
            .join(Vendor, col(Vendor.id) == col(VendorAlias.vendor_id))
            .where(col(VendorAlias.key).in_(part))
        )
        owners.update({str(k): str(s) for k, s in rows})
    return owners


def _check_derived(vendor: Vendor, changes: Mapping[str, Any]) -> None:
    """422 when a change sets `parent`, `dpf_certified` or `processing_countries` of a vendor
    whose `ownership`, `dpf` or `data_locations` decides it (change the block instead)."""
    problems = {
        legacy: [f"`{block}` decides this field; change `{block}` instead."]
        for legacy, block in LEGACY_FIELDS.items()
        if legacy in changes
        and getattr(vendor, block)
        and block not in changes
        and changes[legacy] != getattr(vendor, legacy)
    }
    if problems:
        raise errors.ValidationFailed("A derived field was changed; see errors.", errors=problems)


def _sync_index_rows(session: Session, vendor: Vendor) -> None:
    """Rewrite the alias keys and facets of a vendor; 409 when an alias belongs to another."""
    assert vendor.id is not None
    keys = alias_keys(vendor.name, vendor.aliases)
    clash = session.execute(
        select(col(VendorAlias.alias), col(Vendor.slug))
        .join(Vendor, col(Vendor.id) == col(VendorAlias.vendor_id))
        .where(col(VendorAlias.key).in_(list(keys)), col(VendorAlias.vendor_id) != vendor.id)
    ).first()
    if clash is not None:
        raise errors.Conflict(
            f"The name or alias '{clash[0]}' already belongs to vendor '{clash[1]}'.",
            errors={"aliases": [f"'{clash[0]}' is already used by '{clash[1]}'."]},
        )
    session.execute(delete(VendorAlias).where(col(VendorAlias.vendor_id) == vendor.id))
    session.execute(delete(VendorFacet).where(col(VendorFacet.vendor_id) == vendor.id))
    # In key order: two writers racing for the same aliases wait on each other, never deadlock.
    session.add_all(
        VendorAlias(vendor_id=vendor.id, alias=alias, key=key, is_name=is_name)
        for key, (alias, is_name) in sorted(keys.items())
    )
    session.add_all(
        [
            VendorFacet(vendor_id=vendor.id, facet=FACET_PROCESSING_COUNTRY, value=c)
            for c in dict.fromkeys(vendor.processing_countries)
        ]
        + [
            VendorFacet(vendor_id=vendor.id, facet=FACET_DATA_CATEGORY, value=c)
            for c in dict.fromkeys(vendor.data_categories)
        ]
    )
    search.fts_index(session, vendor)


def _flush(session: Session) -> None:
    flush(session, "vendor", conflict="A vendor with this slug, name or alias already exists.")


# Built once: reading a vendor by slug is the registry's commonest request.
_BY_SLUG = select(Vendor).where(col(Vendor.slug) == bindparam("slug"))


# What identifies one state of a vendor row. Every write raises `version` (the ORM's
# version_id_col: each UPDATE) and sets `updated_at` and `registry_version`; a row created
# anew under an old id (a restored or rebuilt database) differs in `updated_at`.
_STAMP = ("id", "version", "updated_at", "registry_version")
_VENDOR = table_of(Vendor)
_STAMP_BY_SLUG = select(*(_VENDOR.c[name] for name in _STAMP)).where(
    _VENDOR.c.slug == bindparam("slug")
)
_ROW_BY_SLUG = select(_VENDOR).where(_VENDOR.c.slug == bindparam("slug"))


def vendor_stamp(*, session: Session, slug: str) -> tuple[Any, ...] | None:
    """The stamp (`_STAMP`) of the vendor with this slug, None if there is none: one narrow
    select, for reads that keep what they built from a vendor per stamp."""
    # A Core select on the session's connection (same transaction), without the ORM's layer.
    row = session.connection().execute(_STAMP_BY_SLUG, {"slug": slug}).first()
    return None if row is None else (slug, *row)


def stamp_of(vendor: Vendor | SimpleNamespace) -> tuple[Any, ...]:
    """The stamp of a loaded vendor, equal to vendor_stamp's for the same row state."""
    return (vendor.slug, *(getattr(vendor, name) for name in _STAMP))


def read_vendor_row(*, session: Session, slug: str) -> SimpleNamespace:
    """The vendor with this slug as plain attributes (its columns and `sanctioned`), read with
    one Core select and no ORM object, for a read that only dumps it; NotFound when none.

    About half the cost of get_vendor: no identity map, no instrumented attributes. Not for
    writes: nothing is tracked.
    """
    row = session.connection().execute(_ROW_BY_SLUG, {"slug": slug}).first()
    if row is None:
        raise errors.NotFound(f"No vendor '{slug}'.")
    snapshot = SimpleNamespace(**row._mapping)
    snapshot.sanctioned = is_sanctioned(snapshot.sanctions, snapshot.status)
    return snapshot


def get_vendor(*, session: Session, slug: str, include_archived: bool = True) -> Vendor:
    """The vendor with this slug, or NotFound."""
    vendor: Vendor | None = session.execute(_BY_SLUG, {"slug": slug}).scalar_one_or_none()
    if vendor is None or (vendor.archived and not include_archived):
        raise errors.NotFound(f"No vendor '{slug}'.")
    return vendor


def create_vendor(
    *,
    session: Session,
    data: Mapping[str, Any],
    reference: Reference,
    origin: str = "local",
    catalog_version: str | None = None,
    catalog_hash: str | None = None,
    audit: bool = True,
    by: User | None = None,
) -> Vendor:
    """Add a vendor; 409 when the slug or any name/alias is taken; 403 when `by` (the signed-in
    user, None for the catalog) may not record a verdict-deciding fact (vendors/policy.py)."""
    if by is not None:
        policy.check_new_facts(by, data)
    check_references(data, reference)
    if session.execute(select(col(Vendor.id)).where(col(Vendor.slug) == data["slug"])).first():
        raise errors.Conflict(
            f"A vendor with slug '{data['slug']}' exists.",
            errors={"slug": ["This slug is taken."]},
        )
    vendor = Vendor(
        slug=data["slug"],
        name=data["name"],
        origin=origin,
        catalog_version=catalog_version,
        catalog_hash=catalog_hash,
        registry_version=next_registry_version(session),
    )
    apply_fields(vendor, data)
    session.add(vendor)
    _flush(session)
    _sync_index_rows(session, vendor)
    _flush(session)
    if audit:
        record_event(
            session=session,
            action="create",
            object_type="vendor",
            object_id=vendor.slug,
            after=vendor_snapshot(vendor),
        )
    return vendor


def update_vendor(
    *,
    session: Session,
    vendor: Vendor,
    changes: Mapping[str, Any],
    reference: Reference,
    from_catalog: tuple[str, str] | None = None,
    action: str | None = None,
) -> Vendor:
    """Apply a partial update; a catalog record edited here is marked as locally edited.
    `action` names the audit event (default `update`, `catalog_update` from the catalog)."""
    check_references(changes, reference)
    _check_derived(vendor, changes)
    before = vendor_snapshot(vendor)
    apply_fields(vendor, changes)
    after = vendor_snapshot(vendor)
    if after == before:
        return vendor
    if from_catalog is None:
        vendor.locally_edited = vendor.locally_edited or vendor.origin == "catalog"
    else:
        vendor.catalog_version, vendor.catalog_hash = from_catalog
    vendor.updated_at = utcnow()
    vendor.registry_version = next_registry_version(session)
    _flush(session)
    _sync_index_rows(session, vendor)
    _flush(session)
    record_event(
        session=session,
        action=action or ("catalog_update" if from_catalog else "update"),
        object_type="vendor",
        object_id=vendor.slug,
        before=before,
        after=after,
    )
    assert vendor.id is not None
    vendor_changed(session, vendor.id, vendor.slug, before, after, action or "update")
    return vendor


def archive_vendor(*, session: Session, vendor: Vendor) -> Vendor:
    """Archive a vendor: hidden from lists, history kept."""
    if vendor.archived:
        return vendor
    vendor.archived = True
    vendor.updated_at = utcnow()
    vendor.registry_version = next_registry_version(session)
    _flush(session)
    record_event(
        session=session,
        action="archive",
        object_type="vendor",
        object_id=vendor.slug,
        before={"archived": False},
        after={"archived": True},
    )
    assert vendor.id is not None
    vendor_changed(
        session, vendor.id, vendor.slug, {"archived": False}, {"archived": True}, "archive"
    )
    return vendor


def _facet_in(facet: str, values: list[str]) -> ColumnElement[bool]:
    return col(Vendor.id).in_(
        select(col(VendorFacet.vendor_id)).where(
            col(VendorFacet.facet) == facet, col(VendorFacet.value).in_(values)
        )
    )


def _filters(args: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """Every filter must hold; a filter with several values: any of them (data categories:
    every one of them)."""
    conditions: list[ColumnElement[bool]] = []
    archived = args.get("archived", "false")
    if archived != "all":
        conditions.append(col(Vendor.archived) == (archived == "true"))
    for field in ("category", "hq_country", "status"):
        values = values_of(args, field)
        if values:
            conditions.append(col(getattr(Vendor, field)).in_(values))
    countries = values_of(args, "processing_country")
    if countries:
        conditions.append(_facet_in(FACET_PROCESSING_COUNTRY, countries))
    for category in values_of(args, "data_category"):
        conditions.append(_facet_in(FACET_DATA_CATEGORY, [category]))
    if args.get("dpf_certified") is not None:
        conditions.append(col(Vendor.dpf_certified).is_(bool(args["dpf_certified"])))
    if args.get("in_use"):
        conditions.append(col(Vendor.id).in_(vendors_in_use()))
    return conditions


def vendors_in_use() -> Select[Any]:
    """ "Our" vendors: the ids of vendors with an open review (in an activity or not)."""
    return select(col(Review.vendor_id)).where(col(Review.status).in_(OPEN_STATUSES)).distinct()


def list_vendors(*, session: Session, args: Mapping[str, Any], names: NameIndex) -> Page[Vendor]:
    """Filter, search (ranked: a `RankedPage`, each vendor's relevance beside it), sort and
    page the registry."""
    page, per_page = int(args.get("page", 1)), int(args.get("per_page", 20))
    conditions = _filters(args)
    query_text = args.get("q")
    if query_text:
        return _search_page(session, query_text, conditions, args, names, page, per_page)
    sort = args.get("sort") or "name"
    if sort == "relevance":
        sort = "name"
    order = sort_order(sort, _SORT_COLUMNS)
    statement = select(Vendor).where(*conditions).order_by(order, col(Vendor.id))
    return paginate(session, statement, page=page, per_page=per_page)


def _search_page(
    session: Session,
    query_text: str,
    conditions: list[ColumnElement[bool]],
    args: Mapping[str, Any],
    index: NameIndex,
    page: int,
    per_page: int,
) -> RankedPage[Vendor]:
    """Rank the candidates by their names and aliases, then load only the page's vendors."""
    scores = search.candidate_ids(session, query_text, index)
    if not scores:
        return RankedPage([], 0, page, per_page, ())
    sort = args.get("sort") or "relevance"
    sort_column = _SORT_COLUMNS.get(sort.lstrip("-"), col(Vendor.name))
    allowed = {
        int(vid): value
        for vid, value in session.execute(
            select(col(Vendor.id), sort_column).where(col(Vendor.id).in_(list(scores)), *conditions)
        )
    }
    names = search.alias_rows(session, list(allowed))
    ranked = [
        (max(search.rank(query_text, names.get(vid, [])), scores[vid]), vid)
        for vid in allowed
        if names.get(vid)
    ]
    ranked = [(score, vid) for score, vid in ranked if score >= MIN_RELEVANCE]
    if sort == "relevance":
        ranked.sort(key=lambda sv: (-sv[0], str(allowed[sv[1]]).casefold()))
    else:
        ranked.sort(
            key=lambda sv: (allowed[sv[1]] is None, allowed[sv[1]] or ""),
            reverse=sort.startswith("-"),
        )
    window = ranked[(page - 1) * per_page : page * per_page]
    loaded = {
        v.id: v
        for v in session.execute(
            select(Vendor).where(col(Vendor.id).in_([vid for _s, vid in window]))
        ).scalars()
    }
    hits = [loaded[vid] for _score, vid in window]
    relevance = tuple(round(score, 1) for score, _vid in window)
    return RankedPage(hits, len(ranked), page, per_page, relevance)


def find_by_name(*, session: Session, name: str) -> Vendor | None:
    """The vendor whose name or alias folds to the same key, if any."""
    key = name_key(name)
    if not key:
        return None
    row = (
        session.execute(
            select(Vendor)
            .join(VendorAlias, col(VendorAlias.vendor_id) == col(Vendor.id))
            .where(col(VendorAlias.key) == key)
        )
        .scalars()
        .first()
    )
    return row
