"""Bring catalog records into the registry without overwriting local edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session

from assessments.catalog.reference import Reference
from assessments.catalog.validation import CatalogError, catalog_version, load_vendors
from assessments.catalog.vendors import without_derived
from service import errors
from service.db import session_scope
from service.reference.services import get_reference
from service.vendors import services as vendors
from service.vendors.bulk import bulk_create_vendors
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalog's vendor records as validated input, with the catalog version."""

    version: str
    records: list[dict[str, Any]]
    hashes: dict[str, str]


@dataclass
class UpdateReport:
    """What a catalog update did, by slug."""

    version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)


def snapshot_catalog(data_dir: Path) -> CatalogSnapshot:
    """Load the catalog (validated by its own schema) as API input; raise on any problem."""
    try:
        records = load_vendors(data_dir)
    except CatalogError as exc:
        problems = {f"{p.file}:{p.line}": [p.message] for p in exc.problems}
        raise errors.ValidationFailed("Catalog files are invalid.", errors=problems) from exc
    schema = VendorCreateSchema()
    loaded = []
    for record in records:
        plain = record.to_plain()
        plain.pop("content_hash")
        loaded.append(schema.load(without_derived(plain)))
    return CatalogSnapshot(
        version=catalog_version(data_dir),
        records=loaded,
        hashes={r.slug: r.content_hash for r in records},
    )


def update_catalog(
    *, session: Session, snapshot: CatalogSnapshot, reference: Reference
) -> UpdateReport:
    """Create new catalog vendors and update changed ones that nobody edited locally."""
    report = UpdateReport(snapshot.version)
    existing = {v.slug: v for v in session.execute(select(Vendor)).scalars()}
    new = []
    for record in snapshot.records:
        slug = record["slug"]
        record_hash = snapshot.hashes[slug]
        vendor = existing.get(slug)
        if vendor is None:
            new.append(record)
        elif vendor.catalog_hash == record_hash:
            report.unchanged.append(slug)
        elif vendor.locally_edited or vendor.origin != "catalog":
            report.kept_local_edits.append(slug)
        else:
            changes = {k: v for k, v in record.items() if k != "slug"}
            vendors.update_vendor(
                session=session,
                vendor=vendor,
                changes=changes,
                reference=reference,
                from_catalog=(snapshot.version, record_hash),
            )
            report.updated.append(slug)
    # The new ones at once, through the import's set-based inserts (a first start creates
    # every vendor of the catalog: one at a time, that was half of the start).
    report.created = bulk_create_vendors(
        session=session,
        records=new,
        reference=reference,
        origin="catalog",
        catalog_version=snapshot.version,
        catalog_hashes=snapshot.hashes,
        audit=False,
    )
    return report


def load_if_empty(app: Flask) -> UpdateReport | None:
    """On first start (an empty registry), load the whole catalog."""
    with session_scope(app) as session:
        if session.execute(select(func.count()).select_from(Vendor)).scalar_one():
            return None
        data_dir = Path(app.config["CATALOG_DIR"])
        return update_catalog(
            session=session, snapshot=snapshot_catalog(data_dir), reference=get_reference(app)
        )
