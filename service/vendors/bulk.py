"""Creating many vendors at once with set-based inserts, keeping create_vendor's guarantees.

Same input checks (reference ids), same slug and alias-key uniqueness (checked against the
registry and within the batch, and enforced by the unique constraints), the same alias,
facet and full-text rows, and one audit event per vendor with the same diff, all in the
caller's transaction. It flushes nothing through the ORM: rows go out as executemany
batches, which is what makes a 100,000-vendor import fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from assessments.catalog.reference import Reference
from service import errors
from service.audit.services import Change, current_actor, record_events
from service.db import copy_rows, insert_rows, table_of
from service.models import utcnow
from service.vendors.models import (
    FACET_DATA_CATEGORY,
    FACET_PROCESSING_COUNTRY,
    Vendor,
    VendorAlias,
    VendorFacet,
)
from service.vendors.names import next_registry_version
from service.vendors.services import alias_keys, apply_fields, check_references, vendor_snapshot

CHUNK = 2000


def _defaults() -> dict[str, Any]:
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in Vendor.model_fields.items()
        if name != "id"
    }


def _check_batch(records: Sequence[Mapping[str, Any]]) -> None:
    """Slugs and alias keys repeated across the batch, with a precise message.

    Clashes with vendors already in the registry are caught by the unique constraints on
    vendor.slug and vendor_alias.key (as a 409), like create_vendor's; callers that want a
    message per row check first (io.validation.validate_rows does).
    """
    slugs: set[str] = set()
    holder: dict[str, str] = {}
    for record in records:
        slug = record["slug"]
        if slug in slugs:
            raise errors.Conflict(
                f"The batch repeats the slug '{slug}'.", errors={"slug": ["Repeated."]}
            )
        slugs.add(slug)
        for key, (alias, _) in alias_keys(record["name"], record.get("aliases") or []).items():
            other = holder.setdefault(key, slug)
            if other != slug:
                raise errors.Conflict(
                    f"'{alias}' is a name or alias of both '{other}' and '{slug}'.",
                    errors={"aliases": [f"'{alias}' is already used by '{other}'."]},
                )


def bulk_create_vendors(
    *,
    session: Session,
    records: Sequence[Mapping[str, Any]],
    reference: Reference,
    progress: Callable[[int], None] | None = None,
    origin: str = "local",
    catalog_version: str | None = None,
    catalog_hashes: Mapping[str, str] | None = None,
    audit: bool = True,
) -> list[str]:
    """Add many new vendors (validated create-schema records); 409 on any slug/alias clash.

    `origin`, `catalog_version`, `catalog_hashes` (by slug) and `audit` as create_vendor's
    (the catalog's records are stamped with their version and hash, and not audited)."""
    for record in records:
        check_references(record, reference)
    _check_batch(records)
    sqlite = session.get_bind().dialect.name == "sqlite"
    vendor_table = table_of(Vendor)
    actor, defaults = current_actor(), _defaults()
    defaults["registry_version"] = next_registry_version(session) if records else 0
    created: list[str] = []
    for start in range(0, len(records), CHUNK):
        part = records[start : start + CHUNK]
        now = utcnow()
        drafts = []
        for record in part:
            draft = SimpleNamespace(**{**defaults, "created_at": now, "updated_at": now})
            draft.slug, draft.name = record["slug"], record["name"]
            draft.origin, draft.catalog_version = origin, catalog_version
            draft.catalog_hash = catalog_hashes[draft.slug] if catalog_hashes else None
            apply_fields(cast(Vendor, draft), record)
            drafts.append(draft)
        try:
            # Plain executemany (no RETURNING, which SQLite would run row by row), then one
            # query for the new ids.
            # Each draft's attributes are its row: every column but the id (_defaults).
            insert_rows(session, vendor_table, [vars(d) for d in drafts])
            slugs = [d.slug for d in drafts]
            found = session.execute(
                select(col(Vendor.slug), col(Vendor.id)).where(col(Vendor.slug).in_(slugs))
            )
            id_of = {str(slug): int(vid) for slug, vid in found}
            ids = [id_of[slug] for slug in slugs]
            _insert_index_rows(session, drafts, ids, sqlite)
            if audit:
                record_events(
                    session=session,
                    changes=[
                        Change("create", "vendor", d.slug, None, vendor_snapshot(cast(Vendor, d)))
                        for d in drafts
                    ],
                    actor=actor,
                    at=now,
                )
        except IntegrityError as exc:
            raise errors.Conflict("A vendor with this slug, name or alias already exists.") from exc
        created.extend(d.slug for d in drafts)
        if progress is not None:
            progress(len(part))
    return created


def _insert_index_rows(
    session: Session, drafts: Sequence[SimpleNamespace], ids: Sequence[int], sqlite: bool
) -> None:
    aliases: list[tuple[int, str, str, bool]] = []
    facets: list[tuple[int, str, str]] = []
    for draft, vendor_id in zip(drafts, ids, strict=True):
        aliases.extend(
            (vendor_id, alias, key, is_name)
            for key, (alias, is_name) in alias_keys(draft.name, draft.aliases).items()
        )
        facets.extend(
            (vendor_id, FACET_PROCESSING_COUNTRY, c)
            for c in dict.fromkeys(draft.processing_countries)
        )
        facets.extend(
            (vendor_id, FACET_DATA_CATEGORY, c) for c in dict.fromkeys(draft.data_categories)
        )
    copy_rows(session, table_of(VendorAlias), ("vendor_id", "alias", "key", "is_name"), aliases)
    copy_rows(session, table_of(VendorFacet), ("vendor_id", "facet", "value"), facets)
    if sqlite:
        session.connection().exec_driver_sql(
            "INSERT INTO vendor_fts(rowid, search_text) VALUES (?, ?)",
            [(vid, d.search_text) for d, vid in zip(drafts, ids, strict=True)],
        )
